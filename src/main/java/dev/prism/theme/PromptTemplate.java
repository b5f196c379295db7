package dev.prism.theme;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A theme's prompt with {@code {{variable}}} placeholders. Rendering is one left-to-right pass, so placeholders that
 * appear inside substituted values (a trace that contains "{{theme_name}}") stay literal text. The trace text is
 * fenced between markers the trace itself cannot close, and the model is told that everything inside is data, so
 * instructions written into a trace are analysed rather than obeyed.
 */
public final class PromptTemplate {

    public static final String TRACE_TEXT = "trace_text";
    public static final Set<String> VARIABLES = Set.of(TRACE_TEXT, "theme_name", "theme_description", "trace_id", "trace_name");

    /** Keys of the JSON answer the model must give (DESIGN.md §3). */
    public static final List<String> ANSWER_KEYS = List.of("theme_relevant", "title", "summary");

    static final String FENCE_OPEN = dev.prism.bus.TracePrompt.FENCE_OPEN;
    static final String FENCE_CLOSE = dev.prism.bus.TracePrompt.FENCE_CLOSE;

    private static final java.util.regex.Pattern LEADING_TRACE = java.util.regex.Pattern.compile("\\{\\{\\s*" + TRACE_TEXT + "\\s*}}");

    private final String source;

    private PromptTemplate(String source) {
        this.source = source;
    }

    /**
     * @throws InvalidPrompt naming every problem: unknown or unclosed placeholders, no {@code {{trace_text}}},
     *                       answer keys the prompt never mentions
     */
    public static PromptTemplate parse(String source) {
        List<String> problems = problems(source);
        if (!problems.isEmpty()) {
            throw new InvalidPrompt(problems);
        }
        return new PromptTemplate(source);
    }

    public String source() {
        return source;
    }

    public static List<String> problems(String source) {
        List<String> problems = new ArrayList<>();
        if (source == null || source.isBlank()) {
            problems.add("the prompt is empty");
            return problems;
        }
        Set<String> used = new LinkedHashSet<>();
        int i = 0;
        while ((i = source.indexOf("{{", i)) >= 0) {
            int end = source.indexOf("}}", i + 2);
            if (end < 0) {
                problems.add("unclosed placeholder at character " + i);
                break;
            }
            String name = source.substring(i + 2, end).trim();
            if (!VARIABLES.contains(name)) {
                problems.add("unknown placeholder {{" + name + "}}; known: " + String.join(", ", VARIABLES.stream().sorted().toList()));
            }
            used.add(name);
            i = end + 2;
        }
        if (!used.contains(TRACE_TEXT)) {
            problems.add("missing the {{trace_text}} placeholder where the trace goes");
        }
        List<String> missingKeys = ANSWER_KEYS.stream().filter(k -> !source.contains(k)).toList();
        if (!missingKeys.isEmpty()) {
            problems.add("missing the JSON answer contract: the prompt must ask for a JSON object with "
                    + String.join(", ", ANSWER_KEYS) + " (not mentioned: " + String.join(", ", missingKeys) + ")");
        }
        return problems;
    }

    /**
     * Whether prompts rendered from this template begin with the fenced trace, so that every theme's request for one
     * trace version starts with the same bytes and a provider's prompt cache serves them after the first (see
     * {@link dev.prism.bus.TracePrompt}). A template that puts {@code {{trace_text}}} elsewhere works the same, without
     * the shared prefix.
     */
    public boolean sharesTracePrefix() {
        return LEADING_TRACE.matcher(source).lookingAt();
    }

    /** Fills the placeholders; {@code trace_text} is fenced. Missing values render as empty text. */
    public String render(Map<String, String> values) {
        StringBuilder out = new StringBuilder(source.length() + values.getOrDefault(TRACE_TEXT, "").length() + 256);
        int i = 0;
        while (true) {
            int open = source.indexOf("{{", i);
            if (open < 0) {
                out.append(source, i, source.length());
                return out.toString();
            }
            int close = source.indexOf("}}", open + 2);
            out.append(source, i, open);
            String name = source.substring(open + 2, close).trim();
            String value = values.getOrDefault(name, "");
            out.append(name.equals(TRACE_TEXT) ? fence(value) : value);
            i = close + 2;
        }
    }

    /** The trace between markers, with any marker inside the trace broken so the trace cannot end the fence early. */
    static String fence(String traceText) {
        String safe = traceText.replace(FENCE_CLOSE, "TRACE_DATA >>>").replace(FENCE_OPEN, "<<< TRACE_DATA");
        return dev.prism.bus.TracePrompt.FENCE_INTRO + FENCE_OPEN + "\n" + safe + (safe.endsWith("\n") ? "" : "\n") + FENCE_CLOSE;
    }

    /** A prompt that cannot be used, with every reason. */
    public static final class InvalidPrompt extends IllegalArgumentException {
        private final List<String> problems;

        InvalidPrompt(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }
}
