package dev.prism.relevance;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    private static final String ASK = "Summarise this article about remote work in three bullet points at most.";
    private static final String LONG_ANSWER = String.join("\n\n", List.of(
            "Remote work has changed how teams communicate.", "Many companies adopted video meetings as the default.",
            "Some employees report better focus at home.", "Others miss the informal talks of the office.",
            "Managers had to learn to judge results rather than hours.", "Commuting time has turned into personal time for many.",
            "Housing choices moved away from city centres.", "Office space is being rethought as a place for collaboration.",
            "Tools for asynchronous writing became more important.", "Time zones make scheduling harder for global teams.",
            "Security teams had to secure home networks.", "The article ends by saying hybrid work is likely to stay."));
    private static final String COMPLAINT = "I said three bullet points, not twelve paragraphs. Why do you keep ignoring what I ask?";
    private static final String SHORT_ANSWER = "- Remote work changed communication.\n- Focus improved for some.\n- Hybrid work is here to stay.";

    private static Map<String, Double> probabilities(List<String> assistant, TraceView.Structure s) {
        return LocalScorer.shared().score(new TraceView(List.of(ASK, COMPLAINT), assistant, s)).stream()
                .collect(Collectors.toMap(RelevanceModel.Score::themeId, RelevanceModel.Score::probability));
    }

    @Test
    @DisplayName("a user complaining that the assistant ignored a constraint passes the UX pre-filter whether the reply worked, failed with a 504, needed a retry or was slow; the retried one is no success")
    void complaintWithFailedCall() {
        RelevanceModel.Weights w = LocalScorer.shared().model().weights();
        double prefilter = w.prefilter().get("ux_issues");
        // The complaint answered, two calls, nothing failed.
        Map<String, Double> clean = probabilities(List.of(LONG_ANSWER, SHORT_ANSWER), FINE);
        // The reply to the complaint failed with a 504 and nothing answered.
        Map<String, Double> failed = probabilities(List.of(LONG_ANSWER),
                new TraceView.Structure(1, false, false, 9, 6, 0.01, 2_000, 2, 1, 0, 0, 0, 1));
        // It failed with a 504, a retry answered.
        Map<String, Double> retried = probabilities(List.of(LONG_ANSWER, SHORT_ANSWER),
                new TraceView.Structure(1, true, true, 10, 4, 0.012, 3_000, 3, 2, 0, 0, 0, 1));
        // The long answer took 45 s.
        Map<String, Double> slow = probabilities(List.of(LONG_ANSWER, SHORT_ANSWER),
                new TraceView.Structure(0, false, true, 50, 45, 0.01, 2_000, 2, 1, 0, 0, 0, 0));
        System.out.printf("ux_issues clean %.3f, failed %.3f, retried %.3f (success %.3f), slow %.3f; pre-filter %.3f, analyzer %.3f%n",
                clean.get("ux_issues"), failed.get("ux_issues"), retried.get("ux_issues"), retried.get("success_patterns"),
                slow.get("ux_issues"), prefilter, w.analyzer().get("ux_issues"));
        for (Map<String, Double> p : List.of(clean, failed, retried, slow)) {
            assertThat(p.get("ux_issues")).isGreaterThanOrEqualTo(prefilter).isGreaterThanOrEqualTo(w.analyzer().get("ux_issues"));
            assertThat(p.get("unhappy_users")).isGreaterThanOrEqualTo(w.analyzer().get("unhappy_users"));
        }
        assertThat(retried.get("success_patterns")).isLessThan(w.analyzer().get("success_patterns"));
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
