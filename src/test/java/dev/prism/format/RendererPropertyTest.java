package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.support.Fixtures;
import dev.prism.trace.TraceAssembler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A property test of the renderer: every event of every fixture is mutated the ways SDKs and hand-written clients get
 * events wrong (booleans and numbers as strings, nulls, truncated JSON strings, arrays for objects and back, missing
 * fields, deep nesting, huge values), many times with a seed, and each mutated event must still render with its error
 * message, its model and the text it carries, and never as "could not be rendered".
 *
 * <p>Reproducible: the seed of a failing case is in the failure message; {@code -Dprism.render.seed=N} changes the base
 * seed and {@code -Dprism.render.rounds=N} the rounds per event.
 */
class RendererPropertyTest {

    private static final long BASE_SEED = Long.getLong("prism.render.seed", 20261204L);
    private static final int ROUNDS = Integer.getInteger("prism.render.rounds", 40);
    private static final Instant RECEIVED = Instant.parse("2026-01-01T00:00:00Z");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Strings this deep in a property are summarised by design, so the oracle does not expect them. */
    private static final int ORACLE_DEPTH = 6;
    private static final Set<String> CARRIED = Set.of("$ai_output_choices", "$ai_output", "$ai_output_state", "$ai_input",
            "$ai_input_state", "$ai_feedback_text");
    private static final Set<String> ANNOTATIONS = Set.of("$ai_metric", "$ai_feedback");

    private record Case(String fixture, int event, long seed, List<String> mutations, JsonNode mutated) {
        String describe() {
            String json = mutated.toString();
            return fixture + " event " + event + " seed " + seed + " mutations " + mutations + "\n"
                    + (json.length() > 3000 ? json.substring(0, 3000) + "…" : json);
        }
    }

    @Test
    @DisplayName("thousands of mutated fixture events all render with their error message, model and carried text")
    void mutatedEventsRender() {
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (Fixtures.Fixture fixture : Fixtures.all()) {
            List<JsonNode> events = fixture.events();
            for (int i = 0; i < events.size(); i++) {
                for (int round = 0; round < ROUNDS; round++) {
                    long seed = BASE_SEED ^ (fixture.name().hashCode() * 1_000_003L) ^ (i * 7919L) ^ (round * 104_729L);
                    if (Boolean.getBoolean("prism.render.verbose")) {
                        System.err.println("case " + fixture.name() + " " + i + " " + round + " seed " + seed);
                    }
                    Long only = Long.getLong("prism.render.only");
                    if (only != null && only != seed) {
                        continue;
                    }
                    Case c = mutate(fixture.name(), i, events.get(i), seed);
                    if (only != null) {
                        System.err.println("mutations " + c.mutations());
                    }
                    cases++;
                    String failure = check(c, events, i, round % 5 == 0);
                    if (failure != null && failures.size() < 20) {
                        failures.add(prefix(failure, 2500) + "\n  case: " + prefix(c.describe(), 1500));
                    }
                }
            }
        }
        assertThat(cases).isGreaterThanOrEqualTo(Long.getLong("prism.render.only") == null ? 3000 : 1);
        assertThat(failures).as("failed cases (first 20)").isEmpty();
    }

    @Test
    @DisplayName("the same seed mutates an event the same way")
    void reproducible() {
        Fixtures.Fixture f = Fixtures.all().get(2);
        JsonNode e = f.events().get(0);
        assertThat(mutate(f.name(), 0, e, 42).mutated()).isEqualTo(mutate(f.name(), 0, e, 42).mutated());
        assertThat(mutate(f.name(), 0, e, 42).mutated()).isNotEqualTo(e);
    }

    // ---------------------------------------------------------------- cases the property test found, kept as examples

    @Test
    @DisplayName("a text block whose text is a list of strings shows the strings, not \"(no content)\"")
    void textAsList() {
        String text = TestTraces.generation("""
                {"$ai_model": "m", "$ai_output_choices": [{"role": "assistant", "content": [{"type": "text", "text": ["First part.", "Second part."]}]}],
                 "$ai_input": [{"role": "user", "parts": [{"text": ["Gemini part as a list"]}]}]}""");

        assertThat(text).contains("First part.").contains("Second part.").contains("Gemini part as a list").doesNotContain("(no content)");
    }

    @Test
    @DisplayName("a refusal and a thinking block sent as lists keep their text")
    void refusalAndThinkingAsLists() {
        String text = TestTraces.generation("""
                {"$ai_output_choices": [{"role": "assistant", "content": [{"type": "thinking", "thinking": ["Weighing the request."]},
                 {"type": "refusal", "refusal": ["I can't help with that."]}]}]}""");

        assertThat(text).contains("Weighing the request.").contains("I can't help with that.");
    }

    @Test
    @DisplayName("a tool call given as a one-item list renders instead of failing the event")
    void toolCallAsList() {
        String text = TestTraces.span("""
                {"$ai_output_state": {"messages": [{"type": "ai", "content": "Looked it up.", "tool_calls": [], "invalid_tool_calls": [[{"k": 1}]]}]}}""");

        assertThat(text).contains("Looked it up.").doesNotContain("could not be rendered");
    }

    @Test
    @DisplayName("a stray scalar in $ai_output_choices does not hide the messages in $ai_output")
    void strayScalarOutput() {
        String text = TestTraces.generation("""
                {"$ai_output_choices": "NaN", "$ai_output": [{"role": "assistant", "content": "The real answer."}]}""");

        assertThat(text).contains("The real answer.");
    }

    @Test
    @DisplayName("feedback text on an event whose type was lost is still shown")
    void feedbackOnUntypedEvent() {
        String text = TestTraces.render(TestTraces.trace(TestTraces.event("$ai_unknown", 1, """
                {"$ai_feedback_text": "Too slow and wrong."}""")));

        assertThat(text).contains("Too slow and wrong.");
    }

    // ---------------------------------------------------------------- oracle

    /** Null when the case renders as it must, else what is wrong. */
    private static String check(Case c, List<JsonNode> siblings, int index, boolean inFullTrace) {
        TraceEvent event = TraceEvent.fromCapture(c.mutated(), "uuid-mutated", RECEIVED);
        String alone = TraceFormatter.format(TraceAssembler.assemble("trace-1", List.of(event)), TraceFormatter.Options.defaults());
        Set<String> sent = originalProse(siblings.get(index));
        String failure = checkText(alone, event, sent, "alone");
        if (failure != null || !inFullTrace) {
            return failure;
        }
        List<TraceEvent> all = new ArrayList<>();
        for (int j = 0; j < siblings.size(); j++) {
            all.add(j == index ? event : TraceEvent.fromCapture(siblings.get(j), "uuid-" + j, RECEIVED));
        }
        AssembledTrace trace = TraceAssembler.assemble("trace-1", all);
        return checkText(TraceFormatter.format(trace, TraceFormatter.Options.defaults()), event, sent, "in its trace");
    }

    private static String checkText(String text, TraceEvent e, Set<String> sent, String where) {
        if (text.contains("could not be rendered")) {
            return where + ": " + text.lines().filter(l -> l.contains("could not be rendered")).findFirst().orElse("");
        }
        String squeezed = squeeze(text);
        ObjectNode p = e.properties();
        boolean node = !"$ai_trace".equals(e.event()) && !ANNOTATIONS.contains(e.event());
        JsonNode model = EventProps.get(p, "$ai_model");
        if (node && model != null && model.isValueNode() && !model.asText().isBlank()) {
            if (!squeezed.contains(prefix(squeeze(model.asText()), 20))) {
                return where + ": model " + model + " missing from:\n" + text;
            }
        }
        if (EventProps.isError(p)) {
            if (!text.contains("ERROR")) {
                return where + ": no ERROR line for a failed event:\n" + text;
            }
            JsonNode error = EventProps.get(p, "$ai_error");
            JsonNode message = error == null ? null : error.isObject() ? error.get("message")
                    : error.isArray() && !error.isEmpty() ? error.get(0) : error;
            if (message != null && message.isTextual() && isPlainMessage(message.textValue())) {
                String expected = squeeze(message.textValue());
                if (!squeezed.contains(prefix(expected, 40))) {
                    return where + ": error message missing from:\n" + text;
                }
            }
        }
        for (String key : CARRIED) {
            JsonNode v = EventProps.get(p, key);
            String prose = v == null ? null : lastProse(v, 0, sent);
            if (prose != null && !squeezed.contains(prefix(squeeze(prose), 30))) {
                return where + ": text of " + key + " missing (\"" + prefix(prose, 60) + "\") from:\n" + text;
            }
        }
        return null;
    }

    /** A one-line error that is not JSON and not a stack trace, so it must appear as it was sent. */
    private static boolean isPlainMessage(String s) {
        String t = s.strip();
        return t.length() >= 8 && !t.startsWith("{") && !t.startsWith("[") && !t.startsWith("\"") && !t.contains("\n");
    }

    /** The last sentence-like string in a value, within the depth the renderer shows, or null. */
    private static String lastProse(JsonNode v, int depth, Set<String> sent) {
        if (depth > ORACLE_DEPTH) {
            return null;
        }
        if (v.isTextual()) {
            String s = v.textValue().strip();
            if (s.startsWith("{") || s.startsWith("[") || s.startsWith("\"") || s.startsWith("data:") || s.length() < 20
                    || s.chars().limit(200).filter(ch -> ch == ' ').count() < 3 || s.contains("\\")) {
                return null;
            }
            return sent == null || sent.contains(prefix(s, 30)) ? s : null;
        }
        String found = null;
        int n = 0;
        for (Iterator<JsonNode> it = v.elements(); it.hasNext() && n < 20; n++) {
            String s = lastProse(it.next(), depth + 1, sent);
            if (s != null) {
                found = s;
            }
        }
        return found;
    }

    /** The starts of the sentence-like strings an unmutated event carries: the text a mutation may move but not invent. */
    private static Set<String> originalProse(JsonNode event) {
        Set<String> out = new java.util.HashSet<>();
        collectProse(event.path("properties"), 0, out);
        return out;
    }

    private static void collectProse(JsonNode v, int depth, Set<String> out) {
        String s = v.isTextual() ? lastProse(v, 0, null) : null;
        if (s != null) {
            out.add(prefix(s, 30));
        }
        if (depth < 12) {
            v.elements().forEachRemaining(c -> collectProse(c, depth + 1, out));
        }
    }

    private static String squeeze(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!Character.isWhitespace(ch) && ch != '…') {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String prefix(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }

    // ---------------------------------------------------------------- mutations

    private static Case mutate(String fixture, int index, JsonNode original, long seed) {
        Random r = new Random(seed);
        ObjectNode e = original.deepCopy();
        List<String> applied = new ArrayList<>();
        int count = 1 + r.nextInt(3);
        for (int k = 0; k < count; k++) {
            JsonNode props = e.get("properties");
            if (props == null || !props.isObject() || props.isEmpty() || r.nextInt(12) == 0) {
                applied.add(mutateTop(e, r));
                continue;
            }
            List<Slot> slots = new ArrayList<>();
            collect(props, null, null, 0, slots);
            Slot s = slots.get(r.nextInt(slots.size()));
            applied.add(apply(s, r));
        }
        return new Case(fixture, index, seed, applied, e);
    }

    /** Where a value sits: in an object under a key, or in an array at an index. */
    private record Slot(JsonNode parent, String key, int index, JsonNode value, String path) {
        void set(JsonNode v) {
            if (parent instanceof ObjectNode o) {
                o.set(key, v);
            } else if (parent instanceof ArrayNode a) {
                a.set(index, v);
            }
        }

        void remove() {
            if (parent instanceof ObjectNode o) {
                o.remove(key);
            } else if (parent instanceof ArrayNode a) {
                a.remove(index);
            }
        }
    }

    private static void collect(JsonNode v, JsonNode parent, Object at, int depth, List<Slot> out) {
        if (parent != null) {
            out.add(new Slot(parent, at instanceof String k ? k : null, at instanceof Integer i ? i : -1, v, String.valueOf(at)));
        }
        if (depth > 8 || out.size() > 5000) {
            return;
        }
        if (v.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                collect(f.getValue(), v, f.getKey(), depth + 1, out);
            }
        } else if (v.isArray()) {
            for (int i = 0; i < v.size() && i < 200; i++) {
                collect(v.get(i), v, i, depth + 1, out);
            }
        }
    }

    private static String apply(Slot s, Random r) {
        JsonNode v = s.value();
        int kind = r.nextInt(10);
        switch (kind) {
            case 0 -> { // booleans as strings, and strings as booleans
                if (v.isBoolean()) {
                    s.set(TextNode.valueOf(r.nextBoolean() ? (v.booleanValue() ? "True" : "False") : String.valueOf(v.booleanValue())));
                } else {
                    s.set(TextNode.valueOf(r.nextBoolean() ? "True" : "false"));
                }
                return "bool-string@" + s.path();
            }
            case 1 -> { // numbers as strings
                if (v.isNumber()) {
                    s.set(TextNode.valueOf(r.nextBoolean() ? v.asText() : " " + v.asText() + " "));
                } else {
                    s.set(TextNode.valueOf(String.valueOf(r.nextInt(100_000))));
                }
                return "number-string@" + s.path();
            }
            case 2 -> {
                s.set(F.nullNode());
                return "null@" + s.path();
            }
            case 3 -> { // truncated JSON in a string
                String json = v.isTextual() ? v.textValue() : v.toString();
                s.set(TextNode.valueOf(json.isEmpty() ? "{\"" : json.substring(0, 1 + r.nextInt(Math.max(1, json.length() - 1)))));
                return "truncated@" + s.path();
            }
            case 4 -> { // arrays for objects and back
                if (v.isObject()) {
                    s.set(F.arrayNode().add(v));
                } else if (v.isArray()) {
                    ObjectNode o = F.objectNode();
                    for (int i = 0; i < v.size(); i++) {
                        o.set(String.valueOf(i), v.get(i));
                    }
                    s.set(r.nextBoolean() || v.isEmpty() ? o : v.get(0));
                } else {
                    s.set(F.arrayNode().add(v));
                }
                return "array-object@" + s.path();
            }
            case 5 -> {
                s.remove();
                return "missing@" + s.path();
            }
            case 6 -> { // deep nesting, below the 1,000 levels Jackson's parser admits at ingestion (twice fits too)
                int depth = 20 + r.nextInt(r.nextBoolean() ? 60 : 460);
                JsonNode n = v;
                for (int i = 0; i < depth; i++) {
                    n = r.nextBoolean() ? F.arrayNode().add(n) : F.objectNode().set("k", n);
                }
                s.set(n);
                return "nested" + depth + "@" + s.path();
            }
            case 7 -> { // huge values
                if (r.nextBoolean()) {
                    String base = v.isTextual() ? v.textValue() : v.toString();
                    s.set(TextNode.valueOf(base + " " + "lorem ipsum ".repeat(5_000 + r.nextInt(45_000))));
                } else {
                    ArrayNode a = F.arrayNode();
                    // Bounded as ingestion bounds a request body (a few MB), however large the copied value.
                    int size = Math.max(8, v.toString().length());
                    int n = (int) Math.max(2, Math.min(2_000 + r.nextInt(18_000), 4_000_000L / size));
                    for (int i = 0; i < n; i++) {
                        a.add(v.deepCopy()); // copies: a later mutation of one must not grow all of them
                        if (i > 200 && v.isContainerNode()) {
                            a.add(i);
                        }
                    }
                    s.set(a);
                }
                return "huge@" + s.path();
            }
            case 8 -> { // a structure stringified, as some SDKs send it
                s.set(TextNode.valueOf(v.isTextual() ? v.toString() : v.toString()));
                return "stringified@" + s.path();
            }
            default -> { // a value of another type
                JsonNode[] others = {F.numberNode(r.nextInt(1000) - 500), F.numberNode(r.nextDouble()), F.booleanNode(r.nextBoolean()),
                        F.textNode(""), F.textNode("   "), F.objectNode(), F.arrayNode(), F.textNode("NaN"), F.numberNode(1e308)};
                s.set(others[r.nextInt(others.length)]);
                return "retyped@" + s.path();
            }
        }
    }

    /** Event-level mutations: the event name, id, time, or the properties themselves. */
    private static String mutateTop(ObjectNode e, Random r) {
        switch (r.nextInt(6)) {
            case 0 -> {
                e.remove("event");
                return "top:no-event";
            }
            case 1 -> {
                e.put("timestamp", "not a time");
                return "top:bad-timestamp";
            }
            case 2 -> {
                e.set("distinct_id", F.objectNode().put("id", 1));
                return "top:object-distinct-id";
            }
            case 3 -> {
                e.put("event", r.nextBoolean() ? "$ai_unknown" : "");
                return "top:event-renamed";
            }
            case 4 -> {
                JsonNode props = e.get("properties");
                e.put("properties", props == null ? "{" : props.toString());
                return "top:properties-stringified";
            }
            default -> {
                e.remove("properties");
                return "top:no-properties";
            }
        }
    }
}
