package dev.prism.format;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Line numbers and the character budget. */
class TextBudgetTest {

    /** A header block, a blank line, then {@code n} numbered body lines. */
    private static String text(int n) {
        StringBuilder sb = new StringBuilder("Trace \"t\" (id 1)\nevents: 3\n\n");
        for (int i = 1; i <= n; i++) {
            sb.append("body line ").append(i).append(' ').append("x".repeat(i % 50)).append('\n');
        }
        return sb.toString();
    }

    @Test
    @DisplayName("without options the text is returned as it is")
    void untouched() {
        String t = text(10);

        assertThat(TextBudget.apply(t, false, 0)).isSameAs(t);
        assertThat(TextBudget.apply(t, false, t.length())).isSameAs(t);
    }

    @Test
    @DisplayName("line numbers are L001: wide, an empty line gets its number alone")
    void lineNumbers() {
        assertThat(TextBudget.apply("a\n\nb\n", true, 0)).isEqualTo("L001: a\nL002:\nL003: b\n");
    }

    @Test
    @DisplayName("line numbers widen for texts of 1,000 lines or more")
    void widerNumbers() {
        String numbered = TextBudget.apply(text(1200), true, 0);

        List<String> lines = numbered.lines().toList();
        assertThat(lines).hasSize(1203).allMatch(l -> l.matches("^L\\d{4}:.*"));
        assertThat(lines.get(0)).isEqualTo("L0001: Trace \"t\" (id 1)");
        assertThat(lines.get(1202)).startsWith("L1203: body line 1200");
    }

    @Test
    @DisplayName("over budget: a note says what share of lines is shown, the header is kept, the rest is sampled evenly")
    void sampling() {
        String t = text(10_000);

        String sampled = TextBudget.apply(t, false, 5000);

        assertThat(sampled.length()).isLessThanOrEqualTo(5000);
        List<String> lines = sampled.lines().toList();
        Matcher note = Pattern.compile("^\\[showing ([\\d,]+) of 10,003 lines \\(([\\d.]+)%\\), sampled evenly to fit 5,000 characters]$")
                .matcher(lines.get(0));
        assertThat(note.matches()).as(lines.get(0)).isTrue();
        assertThat(Integer.parseInt(note.group(1).replace(",", ""))).isEqualTo(lines.size() - 1);
        assertThat(lines.subList(1, 3)).containsExactly("Trace \"t\" (id 1)", "events: 3");

        List<Integer> picked = lines.subList(3, lines.size()).stream().filter(l -> !l.isEmpty())
                .map(l -> Integer.parseInt(l.split(" ")[2])).toList();
        assertThat(picked.get(0)).isLessThan(100);
        assertThat(picked.get(picked.size() - 1)).isGreaterThan(9_800);
        int gap = picked.get(1) - picked.get(0);
        assertThat(picked).isSorted();
        for (int i = 1; i < picked.size(); i++) {
            assertThat(picked.get(i) - picked.get(i - 1)).as("even spacing").isBetween(gap - 1, gap + 1);
        }
    }

    @Test
    @DisplayName("sampled lines keep their numbers from the full text, so the gaps show; every line starts with L")
    void numberedSampling() {
        String sampled = TextBudget.apply(text(5000), true, 3000);

        assertThat(sampled.length()).isLessThanOrEqualTo(3000);
        List<String> lines = sampled.lines().toList();
        assertThat(lines).allMatch(l -> l.matches("^L\\d+:.*"));
        assertThat(lines.get(0)).startsWith("L0000: [showing ");
        assertThat(lines.get(1)).isEqualTo("L0001: Trace \"t\" (id 1)");
        Matcher m = Pattern.compile("^L(\\d+): body line (\\d+)").matcher(lines.get(lines.size() - 1));
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(Integer.parseInt(m.group(2)) + 3);
    }

    @Test
    @DisplayName("a single huge line is cut so the sample still has room")
    void hugeLine() {
        String t = "header\n\n" + "y".repeat(200_000) + "\nlast line\n";

        String sampled = TextBudget.apply(t, false, 2000);

        assertThat(sampled.length()).isLessThanOrEqualTo(2000);
        assertThat(sampled).contains("chars cut]");
    }

    @Test
    @DisplayName("a budget smaller than the note itself still holds")
    void tinyBudget() {
        for (int budget : new int[]{1, 10, 60, 120}) {
            assertThat(TextBudget.apply(text(100), false, budget).length()).isLessThanOrEqualTo(budget);
            assertThat(TextBudget.apply(text(100), true, budget).length()).isLessThanOrEqualTo(budget);
        }
    }

    @Test
    @DisplayName("the whole trace formatter honours the options")
    void throughFormatter() {
        String events = "{\"$ai_input\": \"" + "question ".repeat(50) + "\", \"$ai_output_choices\": \"answer\"}";
        var trace = TestTraces.trace(TestTraces.event("$ai_generation", 1, events), TestTraces.event("$ai_generation", 2, events),
                TestTraces.event("$ai_generation", 3, events));

        String text = TraceFormatter.format(trace, new TraceFormatter.Options(true, 700));

        assertThat(text.length()).isLessThanOrEqualTo(700);
        assertThat(text.lines()).allMatch(l -> l.matches("^L\\d+:.*"));
        assertThat(TraceFormatter.format(trace, new TraceFormatter.Options(false, -5))).doesNotStartWith("[showing");
    }
}
