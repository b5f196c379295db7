package dev.prism.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sanity checks that rendering stays linear on multi-megabyte traces. The time limits are loose on purpose (this is
 * not the benchmark, see {@code bench format}): they catch a quadratic step, which would take minutes, not a slow machine.
 */
class LargeTraceTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");
    private static final long LIMIT_NANOS = 2_000_000_000L;
    private static final int BUDGET = 20_000;

    private static AssembledTrace agent;
    private static long agentBytes;

    @BeforeAll
    static void build() {
        List<TraceEvent> events = agentEvents(2000);
        agentBytes = events.stream().mapToLong(e -> e.properties().toString().length()).sum();
        agent = TraceAssembler.assemble("large-agent", events);
    }

    @Test
    @DisplayName("2,000 generations of an agent's chat (about 5 MB) render within the budget in well under a second")
    void manyGenerations() {
        assertThat(agentBytes).isGreaterThan(4_500_000L);

        Timed full = time(() -> TraceFormatter.format(agent, TraceFormatter.Options.defaults()));
        Timed budgeted = time(() -> TraceFormatter.format(agent, new TraceFormatter.Options(false, BUDGET)));
        Timed numbered = time(() -> TraceFormatter.format(agent, new TraceFormatter.Options(true, BUDGET)));

        report(String.format("2,000 generations, %.1f MB", agentBytes / 1e6), budgeted, full);
        assertThat(budgeted.text().length()).isLessThanOrEqualTo(BUDGET);
        assertThat(budgeted.text()).startsWith("[showing ").contains("Trace \"large agent\"");
        assertThat(numbered.text().length()).isLessThanOrEqualTo(BUDGET);
        assertThat(full.text()).contains("gen-1999 question").contains("gen-0 answer");
        assertThat(budgeted.nanos()).isLessThan(LIMIT_NANOS);
        assertThat(full.nanos()).isLessThan(LIMIT_NANOS);
    }

    @Test
    @DisplayName("a history resent with every call is printed once and folded afterwards, so the text grows with the new messages only")
    void resentHistoryIsFolded() {
        String text = TraceFormatter.format(agent, TraceFormatter.Options.defaults());

        assertThat(text).contains("earlier messages, already shown above");
        assertThat(count(text, "You are a patient logistics assistant")).isEqualTo(1);
        assertThat((long) text.length()).isLessThan(agentBytes / 2);
    }

    @Test
    @DisplayName("one event with a single 5 MB output renders in a few kilobytes, head and tail kept")
    void oneHugeOutput() {
        StringBuilder log = new StringBuilder(5_300_000);
        log.append("BEGIN OF OUTPUT\n");
        for (int i = 0; log.length() < 5_200_000; i++) {
            log.append("line ").append(i).append(": worker finished batch with status ok and ").append(i % 97).append(" retries\n");
        }
        log.append("END OF OUTPUT");
        ObjectNode p = NODES.objectNode().put("$ai_trace_id", "huge").put("$ai_model", "gpt-4.1-mini");
        p.putArray("$ai_input").addObject().put("role", "user").put("content", "Print the log.");
        p.putArray("$ai_output_choices").addObject().put("role", "assistant").put("content", log.toString());
        AssembledTrace trace = TraceAssembler.assemble("huge", List.of(new TraceEvent("u1", "$ai_generation", "d", T0, T0, p)));

        Timed full = time(() -> TraceFormatter.format(trace, TraceFormatter.Options.defaults()));
        Timed budgeted = time(() -> TraceFormatter.format(trace, new TraceFormatter.Options(true, BUDGET)));

        report("one 5 MB output", budgeted, full);
        assertThat(full.text().length()).isLessThan(10_000);
        assertThat(full.text()).contains("BEGIN OF OUTPUT").contains("END OF OUTPUT").containsPattern("\\[5,\\d{3},\\d{3} chars cut]");
        assertThat(budgeted.text().length()).isLessThanOrEqualTo(BUDGET);
        assertThat(full.nanos()).isLessThan(LIMIT_NANOS);
    }

    @Test
    @DisplayName("a 5 MB JSON string with 50,000 records and a 5 MB base64 image render small and fast")
    void hugeJsonAndBinary() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 50_000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"record number ").append(i)
                    .append("\",\"tags\":[\"a\",\"b\",\"c\"],\"note\":\"ünïcödé text ").append(i).append("\"}");
        }
        json.append(']');
        byte[] image = new byte[3_800_000];
        new Random(1).nextBytes(image);
        image[0] = (byte) 0x89;
        image[1] = 'P';
        image[2] = 'N';
        image[3] = 'G';
        String base64 = Base64.getEncoder().encodeToString(image);
        ObjectNode span = NODES.objectNode().put("$ai_trace_id", "big").put("$ai_span_name", "export");
        span.put("$ai_output_state", json.toString());
        ObjectNode gen = NODES.objectNode().put("$ai_trace_id", "big").put("$ai_model", "gpt-4o");
        ArrayNode content = gen.putArray("$ai_input").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "What is in this picture?");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64," + base64);
        AssembledTrace trace = TraceAssembler.assemble("big", List.of(
                new TraceEvent("u1", "$ai_span", "d", T0, T0, span), new TraceEvent("u2", "$ai_generation", "d", T0.plusSeconds(1), T0, gen)));

        Timed full = time(() -> TraceFormatter.format(trace, TraceFormatter.Options.defaults()));

        report("5 MB JSON string + 5 MB base64", full, full);
        assertThat(full.text()).contains("ünïcödé text 0").contains("more items").contains("[image/png base64, 3.6 MB]");
        assertThat(full.text()).doesNotContain(base64.substring(1000, 1100));
        assertThat(full.text().length()).isLessThan(30_000);
        assertThat(full.nanos()).isLessThan(LIMIT_NANOS);
    }

    // ---------------------------------------------------------------- helpers

    record Timed(String text, long nanos) {
    }

    /** The best of five runs after five warm-ups, so JIT compilation is not what gets measured. */
    private static Timed time(Supplier<String> render) {
        for (int i = 0; i < 5; i++) {
            render.get();
        }
        long best = Long.MAX_VALUE;
        String text = null;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            text = render.get();
            best = Math.min(best, System.nanoTime() - start);
        }
        return new Timed(text, best);
    }

    private static void report(String what, Timed budgeted, Timed full) {
        System.out.printf("%s: %.1f ms with a %,d-character budget, %.1f ms unlimited (%,d chars)%n", what,
                budgeted.nanos() / 1e6, BUDGET, full.nanos() / 1e6, full.text().length());
    }

    private static int count(String text, String s) {
        int n = 0;
        for (int i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * An agent conversation: each generation resends the system prompt and the last exchanges, as chat SDKs do, with a
     * tool list, a tool call every fifth step and its result in the next step's input.
     */
    static List<TraceEvent> agentEvents(int generations) {
        Random random = new Random(7);
        String[] words = ("the order shipping refund customer invoice delay parcel warehouse address tracking payment label "
                + "carrier Zürich Łódź straße café naïve").split(" ");
        List<TraceEvent> events = new ArrayList<>();
        ObjectNode root = NODES.objectNode().put("$ai_trace_id", "large-agent").put("$ai_span_name", "large agent")
                .put("$ai_span_id", "large-agent");
        events.add(new TraceEvent("root", "$ai_trace", "bench-user", T0.plusSeconds(generations * 2L), T0, root));
        List<ObjectNode> recent = new ArrayList<>();
        for (int g = 0; g < generations; g++) {
            ObjectNode p = NODES.objectNode().put("$ai_trace_id", "large-agent").put("$ai_span_id", "gen-" + g)
                    .put("$ai_parent_id", "large-agent").put("$ai_model", "gpt-4o-mini").put("$ai_provider", "openai")
                    .put("$ai_latency", 1.2).put("$ai_input_tokens", 900).put("$ai_output_tokens", 120).put("$ai_total_cost_usd", 0.0004);
            ArrayNode tools = p.putArray("$ai_tools");
            tools.addObject().put("type", "function").putObject("function").put("name", "track_parcel")
                    .put("description", "Looks up a parcel by tracking number.")
                    .putObject("parameters").putObject("properties").putObject("tracking_number").put("type", "string");
            ArrayNode input = p.putArray("$ai_input");
            input.addObject().put("role", "system").put("content", "You are a patient logistics assistant. Answer in the customer's language.");
            recent.forEach(input::add);
            ObjectNode user = NODES.objectNode().put("role", "user").put("content", "gen-" + g + " question: " + sentence(random, words, 30));
            input.add(user);
            ObjectNode answer = NODES.objectNode().put("role", "assistant");
            if (g % 5 == 4) {
                answer.putNull("content");
                answer.putArray("tool_calls").addObject().put("id", "call_" + g).put("type", "function").putObject("function")
                        .put("name", "track_parcel").put("arguments", "{\"tracking_number\": \"PK" + g + "\"}");
            } else {
                answer.put("content", "gen-" + g + " answer: " + sentence(random, words, 50));
            }
            p.putArray("$ai_output_choices").add(answer);
            recent.add(user);
            recent.add(answer);
            if (answer.has("tool_calls")) {
                recent.add(NODES.objectNode().put("role", "tool").put("tool_call_id", "call_" + g)
                        .put("content", "{\"status\": \"in transit\", \"depot\": \"Łódź\", \"eta\": \"2025-06-0" + (g % 9 + 1) + "\"}"));
            }
            while (recent.size() > 6) {
                recent.remove(0);
            }
            events.add(new TraceEvent("gen-" + g, "$ai_generation", "bench-user", T0.plusMillis(g * 1500L), T0, p));
        }
        return events;
    }

    private static String sentence(Random random, String[] words, int length) {
        StringBuilder sb = new StringBuilder(length * 8);
        for (int i = 0; i < length; i++) {
            sb.append(i == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
        }
        return sb.append('.').toString();
    }
}
