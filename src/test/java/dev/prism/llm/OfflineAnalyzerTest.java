package dev.prism.llm;

import dev.prism.bus.AssembledTrace;
import dev.prism.format.TraceFormatter;
import dev.prism.llm.OfflineAnalyzer.Analysis;
import dev.prism.llm.OfflineAnalyzer.Theme;
import dev.prism.support.Fixtures;
import dev.prism.support.Fixtures.Fixture;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OfflineAnalyzerTest {

    private static final Map<String, String> THEME_BY_LABEL = new LinkedHashMap<>();

    static {
        THEME_BY_LABEL.put("error", "error_analysis");
        THEME_BY_LABEL.put("performance_issue", "performance_issues");
        THEME_BY_LABEL.put("ux_friction", "ux_issues");
        THEME_BY_LABEL.put("feature_request", "feature_requests");
        THEME_BY_LABEL.put("success", "success_patterns");
    }

    private static Analysis analyze(String themeId, Fixture f) {
        AssembledTrace trace = f.assemble();
        return OfflineAnalyzer.analyze(new Theme(themeId, themeId, ""), trace, TraceFormatter.format(trace, TraceFormatter.Options.defaults()));
    }

    @Test
    @DisplayName("on the fixtures the offline analyzer finds errors and performance issues (recall ≥ 0.8); precision and recall printed per label")
    void fixtures() {
        List<Fixture> fixtures = Fixtures.all();
        for (Map.Entry<String, String> e : THEME_BY_LABEL.entrySet()) {
            int tp = 0;
            int fp = 0;
            int fn = 0;
            for (Fixture f : fixtures) {
                Analysis a = analyze(e.getValue(), f);
                boolean labelled = f.json().get("expect").get("labels").get(e.getKey()).asBoolean();
                tp += a.themeRelevant() && labelled ? 1 : 0;
                fp += a.themeRelevant() && !labelled ? 1 : 0;
                fn += !a.themeRelevant() && labelled ? 1 : 0;
                if (a.themeRelevant()) {
                    assertThat(a.title()).as(f.name()).isNotBlank();
                    assertThat(a.summary()).as(f.name()).isNotBlank();
                }
            }
            double recall = tp + fn == 0 ? 1 : (double) tp / (tp + fn);
            double precision = tp + fp == 0 ? 1 : (double) tp / (tp + fp);
            System.out.printf("%-18s precision %.2f  recall %.2f%n", e.getKey(), precision, recall);
            if (e.getKey().equals("error") || e.getKey().equals("performance_issue")) {
                assertThat(recall).as(e.getKey() + " recall").isGreaterThanOrEqualTo(0.8);
            }
        }
    }

    @Test
    @DisplayName("titles and summaries are extractive: the error, the figures and the user's own words")
    void extractive() {
        Analysis rate = analyze("error_analysis", Fixtures.named("s16"));
        assertThat(rate.themeRelevant()).isTrue();
        assertThat(rate.title()).isEqualTo(ErrorCause.RATE_LIMIT);
        assertThat(rate.summary()).contains("Rate limit reached for gpt-4o-mini").contains("gpt-4o-mini").contains("HTTP 429");

        // The title names the cause; the model and the figures are the summary's.
        Analysis slow = analyze("performance_issues", Fixtures.named("s08"));
        assertThat(slow.title()).isEqualTo(PerformanceCause.SLOW_GENERATION).doesNotContain("claude");
        assertThat(slow.summary()).contains("claude-opus-4-1").contains("41.7 s").contains("$0.87");
        assertThat(slow.embedText()).isEqualTo("Slow generation over <n> s");

        Analysis request = analyze("feature_requests", Fixtures.named("s20"));
        assertThat(request.summary()).contains("email this report to me every Monday");

        Analysis frustrated = analyze("ux_issues", Fixtures.named("s14"));
        assertThat(frustrated.summary()).contains("Why is this so hard??");

        Analysis fine = analyze("error_analysis", Fixtures.named("s01"));
        assertThat(fine).isEqualTo(new Analysis(false, "", "", "low"));
        assertThat(analyze("success_patterns", Fixtures.named("s01")).themeRelevant()).isTrue();
    }

    @Test
    @DisplayName("on the fixtures, error and performance titles name causes, and their embedded text is the cause alone")
    void fixtureCauses() {
        Map<String, String> errorTitles = new LinkedHashMap<>();
        for (Fixture f : Fixtures.all()) {
            Analysis error = analyze("error_analysis", f);
            if (error.themeRelevant()) {
                errorTitles.put(f.name(), error.title());
                assertThat(error.embedText()).as(f.name()).doesNotContainPattern("[A-Z][a-z]+(Error|Exception)\\b").doesNotContain("gpt");
            }
            Analysis perf = analyze("performance_issues", f);
            System.out.printf("%-45s error: %s | performance: %s%n", f.name(), error.themeRelevant() ? error.title() : "-",
                    perf.themeRelevant() ? perf.title() : "-");
            if (perf.themeRelevant()) {
                assertThat(perf.title()).as(f.name()).doesNotContain("gpt").doesNotContain("claude").doesNotContain("gemini");
                assertThat(perf.embedText()).as(f.name()).isEqualTo(dev.prism.text.Masking.mask(perf.title()));
            }
        }
        // The litellm wrappers of s03 (tokens per minute) and s16 (requests per minute) are one cause; s22 is a quota.
        assertThat(errorTitles).containsEntry("s03_openai_chat_litellm_429_exhausted", ErrorCause.RATE_LIMIT)
                .containsEntry("s16_otel_genai_rate_limited", ErrorCause.RATE_LIMIT)
                .containsEntry("s22_mixed_litellm_quota_fallback", ErrorCause.QUOTA)
                .containsEntry("s07_anthropic_http_500", ErrorCause.SERVER_ERROR)
                .containsEntry("s18_openinference_timeout", ErrorCause.TIMEOUT)
                .containsEntry("s11_langchain_tool_attribute_error", ErrorCause.TOOL_FAILED + "bug in the tool's code")
                .containsEntry("s20_langgraph_db_error_weekly_email_request", ErrorCause.TOOL_FAILED + "database error");

        // The tool's failure, reported again by the agent and the trace, is one failing step, and the summary names the tool.
        Analysis toolBug = analyze("error_analysis", Fixtures.named("s11"));
        assertThat(toolBug.summary()).contains("\"get_payment_for_ticket\"").contains("1 failing step").contains("Not recovered");
        assertThat(toolBug.embedText()).isEqualTo("Tool failed: bug in the tool's code in tool get_payment_for_ticket");
    }

    @Test
    @DisplayName("a recovered failure and an unrecovered one of the same cause share title and embedded text; the summary and severity differ")
    void recoveryIsNotInTheTitle() {
        Analysis quota = analyze("error_analysis", Fixtures.named("s22"));
        Analysis rate = analyze("error_analysis", Fixtures.named("s03"));
        Analysis rateRecovered = analyze("error_analysis", Fixtures.named("s16"));
        assertThat(List.of(rate.title(), rateRecovered.title())).containsOnly(ErrorCause.RATE_LIMIT);
        assertThat(rate.embedText()).isEqualTo(rateRecovered.embedText());
        assertThat(quota.summary()).containsAnyOf("Recovered", "Not recovered");
        assertThat(List.of(rate, rateRecovered, quota)).allSatisfy(a -> assertThat(a.severity())
                .isEqualTo(a.summary().contains("Not recovered") ? "high" : "medium"));
    }

    @Test
    @DisplayName("a custom theme matches traces sharing words with its description, and only those")
    void customTheme() {
        Fixture mortgage = Fixtures.named("s17");
        AssembledTrace trace = mortgage.assemble();
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        Theme loans = new Theme("loans", "Loan questions", "Questions about mortgage payments and interest");
        assertThat(OfflineAnalyzer.analyze(loans, trace, text).themeRelevant()).isTrue();
        Theme pets = new Theme("pets", "Pet care", "Questions about puppies and kittens");
        assertThat(OfflineAnalyzer.analyze(pets, trace, text).themeRelevant()).isFalse();
    }

    @Test
    @DisplayName("with the relevance model's verdict: a feature request is titled by the capability it asks for, which is also what clustering embeds")
    void featureRequestFromVerdict() {
        Fixture f = Fixtures.named("s10");
        AssembledTrace trace = f.assemble();
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        Analysis a = OfflineAnalyzer.analyze(new Theme("feature_requests", "Feature requests", ""), trace, text, new OfflineAnalyzer.Verdict(true, 0.97,
                "Could you export this itinerary to my Google Calendar with the train times?", null));
        assertThat(a.themeRelevant()).isTrue();
        assertThat(a.title()).isEqualTo("Asks for calendar integration");
        assertThat(a.embedText()).isEqualTo("Asks for calendar integration");
        assertThat(a.summary()).contains("Could you export this itinerary to my Google Calendar with the train times?");
        assertThat(a.summary()).contains("The assistant said it could not do it.");
    }

    @Test
    @DisplayName("the verdict decides relevance for user-language themes: a rejected verdict wins over matching keywords")
    void verdictDecides() {
        Fixture f = Fixtures.named("s10");
        AssembledTrace trace = f.assemble();
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        assertThat(OfflineAnalyzer.analyze(new Theme("feature_requests", "", ""), trace, text).themeRelevant()).as("keyword rules").isTrue();
        assertThat(OfflineAnalyzer.analyze(new Theme("feature_requests", "", ""), trace, text, new OfflineAnalyzer.Verdict(false, 0.1, "", null)))
                .isEqualTo(new Analysis(false, "", "", "low"));
    }

    @Test
    @DisplayName("a UX issue is titled by its friction type; a custom theme by its name and the user's sentence")
    void uxAndCustomFromVerdict() {
        Fixture f = Fixtures.named("s14");
        AssembledTrace trace = f.assemble();
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        Analysis ux = OfflineAnalyzer.analyze(new Theme("ux_issues", "UX friction", ""), trace, text,
                new OfflineAnalyzer.Verdict(true, 0.9, "Why is this so hard??", "Same wrong answer repeated"));
        assertThat(ux.title()).isEqualTo("Same wrong answer repeated");
        assertThat(ux.embedText()).isEqualTo("Same wrong answer repeated");
        assertThat(ux.summary()).contains("\"Why is this so hard??\"");
        Analysis custom = OfflineAnalyzer.analyze(new Theme("tv_settings", "TV settings", "Users lost in TV menus"), trace, text,
                new OfflineAnalyzer.Verdict(true, 0.6, "How do I turn off motion smoothing on my LG C3?", null));
        assertThat(custom.themeRelevant()).isTrue();
        assertThat(custom.title()).startsWith("TV settings: How do I turn off motion smoothing");
        assertThat(OfflineAnalyzer.analyze(new Theme("tv_settings", "TV settings", "Users lost in TV menus"), trace, text,
                new OfflineAnalyzer.Verdict(false, 0.2, "", null)).themeRelevant()).isFalse();
    }

    @Test
    @DisplayName("errors and performance ignore a verdict: they are decided from structure")
    void structuralThemesIgnoreVerdicts() {
        Fixture f = Fixtures.named("s10");
        AssembledTrace trace = f.assemble();
        String text = TraceFormatter.format(trace, TraceFormatter.Options.defaults());
        assertThat(OfflineAnalyzer.analyze(new Theme("error_analysis", "", ""), trace, text, new OfflineAnalyzer.Verdict(true, 1, "x", null)))
                .isEqualTo(OfflineAnalyzer.analyze(new Theme("error_analysis", "", ""), trace, text));
    }
}
