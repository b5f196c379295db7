package dev.prism.theme;

import dev.prism.theme.Reanalysis.Change;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Which themes analyse a trace's new version again")
class ReanalysisTest {

    private static final List<String> BUILT_IN = BuiltInThemes.ALL.stream().map(BuiltInThemes.Definition::themeId).toList();

    @Test
    @DisplayName("a first version is analysed by every theme that selects it, whatever its events")
    void firstVersion() {
        assertThat(Reanalysis.change(1, null)).isEqualTo(Change.FIRST_VERSION);
        assertThat(Reanalysis.change(1, List.of("$ai_feedback"))).isEqualTo(Change.FIRST_VERSION);
        for (String theme : BUILT_IN) {
            assertThat(Reanalysis.reanalyses(Change.FIRST_VERSION, theme, true)).as(theme).isTrue();
        }
    }

    @Test
    @DisplayName("new generations, spans, embeddings, errors or a new $ai_trace re-analyse every theme")
    void contentReanalysesAll() {
        for (List<String> events : List.of(List.of("$ai_generation"), List.of("$ai_span"), List.of("$ai_embedding"), List.of("$ai_trace"),
                List.of("$ai_feedback", "$ai_generation"), List.of("$ai_metric", "$ai_span"), List.of("$ai_something_new"))) {
            assertThat(Reanalysis.change(2, events)).as(events.toString()).isEqualTo(Change.CONTENT);
        }
        for (String theme : BUILT_IN) {
            assertThat(Reanalysis.reanalyses(Change.CONTENT, theme, true)).as(theme).isTrue();
        }
        assertThat(Reanalysis.reanalyses(Change.CONTENT, "my_theme", false)).isTrue();
    }

    @Test
    @DisplayName("feedback, metrics and survey answers alone re-analyse only ux_issues, unhappy_users, success_patterns and custom themes")
    void feedbackOnly() {
        for (List<String> events : List.of(List.of("$ai_feedback"), List.of("$ai_metric"), List.of("$ai_feedback", "$ai_metric"),
                List.of("$ai_survey_response"))) {
            assertThat(Reanalysis.change(3, events)).as(events.toString()).isEqualTo(Change.FEEDBACK_ONLY);
        }
        assertThat(BUILT_IN.stream().filter(t -> Reanalysis.reanalyses(Change.FEEDBACK_ONLY, t, true)).sorted().toList())
                .containsExactly("success_patterns", "unhappy_users", "ux_issues");
        assertThat(BUILT_IN.stream().filter(t -> !Reanalysis.reanalyses(Change.FEEDBACK_ONLY, t, true)).sorted().toList())
                .containsExactly("error_analysis", "feature_requests", "performance_issues");
        assertThat(Reanalysis.reanalyses(Change.FEEDBACK_ONLY, "my_theme", false)).as("a custom theme may read anything").isTrue();
        assertThat(Reanalysis.reanalyses(Change.FEEDBACK_ONLY, "error_analysis", false))
                .as("a custom theme named like a built-in one is still custom").isTrue();
    }

    @Test
    @DisplayName("a later version whose new events are unknown or none is treated as new content: analysing again is the safe side")
    void unknownIsContent() {
        assertThat(Reanalysis.change(2, null)).isEqualTo(Change.CONTENT);
        assertThat(Reanalysis.change(2, List.of())).isEqualTo(Change.CONTENT);
    }
}
