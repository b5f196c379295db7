package dev.prism.relevance;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped model on wordings it was not trained on (none of these sentences is in the bank). */
class RelevanceModelTest {

    private static final TraceView.Structure FINE = new TraceView.Structure(0, false, true, 3, 2, 0.01, 2_000, 2, 0, 0, 0, 0, 0);

    private static Map<String, Boolean> verdicts(List<String> user, List<String> assistant, TraceView.Structure s) {
        return LocalScorer.shared().score(new TraceView(user, assistant, s)).stream()
                .collect(Collectors.toMap(RelevanceModel.Score::themeId, RelevanceModel.Score::relevant));
    }

    @Test
    @DisplayName("a capability the assistant lacks, asked in new words, is a feature request; the same task fulfilled is not")
    void featureRequest() {
        assertThat(verdicts(List.of("Plan my week of meals.", "Would it be possible to push this list into my Todoist?"),
                List.of("Here is your plan.", "Sorry, I can't connect to Todoist, but you can copy the list."), FINE))
                .containsEntry("feature_requests", true);
        assertThat(verdicts(List.of("Plan my week of meals with a shopping list."), List.of("Here is your plan and the shopping list."), FINE))
                .containsEntry("feature_requests", false).containsEntry("success_patterns", true);
    }

    @Test
    @DisplayName("a user correcting the assistant is UX friction and an unhappy user; a user quoting an error to ask about it is neither")
    void friction() {
        assertThat(verdicts(List.of("Give me a 5 day plan.", "No, I wanted five days not three, read what I wrote."),
                List.of("Here is a 3 day plan.", "Here is a 3 day plan."), FINE))
                .containsEntry("ux_issues", true).containsEntry("unhappy_users", true);
        assertThat(verdicts(List.of("My build prints 'TypeError: undefined is not a function', what does it mean?"),
                List.of("It means you called something that is not a function."), FINE))
                .containsEntry("ux_issues", false).containsEntry("feature_requests", false);
    }

    @Test
    @DisplayName("a custom theme is matched zero-shot by its own text, not by shared words")
    void custom() {
        TraceView about = new TraceView(List.of("Is my parcel covered if it arrives damaged?"), List.of("Yes, up to 500 EUR."), FINE);
        TraceView other = new TraceView(List.of("What's the cheapest carrier to Lyon?"), List.of("DPD."), FINE);
        String name = "Shipping insurance";
        String description = "Users asking about insurance, damaged or lost parcels and claims.";
        assertThat(LocalScorer.shared().custom("insurance", name, description, null, about).relevant()).isTrue();
        assertThat(LocalScorer.shared().custom("insurance", name, description, null, other).relevant()).isFalse();
    }
}
