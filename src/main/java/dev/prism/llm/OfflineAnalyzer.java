package dev.prism.llm;

import dev.prism.bus.AssembledTrace;
import dev.prism.text.Masking;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code offline} provider: a deterministic analyzer that needs no network. It reads structured signals (errors,
 * HTTP status, latency, cost, tokens, recovery) for errors and performance; for the user-language themes and custom
 * themes it follows the relevance model's {@link Verdict} (sentence embeddings and structure, see
 * {@code dev.prism.relevance}), and falls back to keyword rules on the users' own words when no verdict came. It writes
 * an extractive title and summary from what the trace itself says. It cannot judge whether an answer was right. Pure.
 */
public final class OfflineAnalyzer {

    /**
     * The answer contract of DESIGN.md §3, plus the text clustering embeds.
     *
     * @param embedText what is embedded for clustering: the cause in canonical words for the structural themes, else the
     *                  masked title; never an exception class, a model name or an identifier
     */
    public record Analysis(boolean themeRelevant, String title, String summary, String severity, String embedText) {

        /** An analysis whose embedded text is its masked title. */
        public Analysis(boolean themeRelevant, String title, String summary, String severity) {
            this(themeRelevant, title, summary, severity, Masking.mask(title));
        }

        static Analysis none() {
            return new Analysis(false, "", "", "low");
        }
    }

    /**
     * The relevance model's verdict on one theme (see {@code dev.prism.relevance}): its decision, the user's sentence
     * that carries the theme, and for UX friction the friction type in plain words.
     */
    public record Verdict(boolean relevant, double score, String evidence, String label) {
    }

    /** The built-in themes decided from the users' language, which the relevance model judges when it is available. */
    public static final java.util.Set<String> LANGUAGE_THEMES = java.util.Set.of("feature_requests", "ux_issues", "success_patterns", "unhappy_users");
    /** The built-in themes decided from structure alone. */
    public static final java.util.Set<String> STRUCTURAL_THEMES = java.util.Set.of("error_analysis", "performance_issues");

    public record Theme(String id, String name, String description) {
    }

    private OfflineAnalyzer() {
    }

    /** @param text the trace rendered by the formatter (what an LLM provider would be sent) */
    public static Analysis analyze(Theme theme, AssembledTrace trace, String text) {
        return analyze(theme, trace, text, null);
    }

    /**
     * @param verdict the relevance model's verdict for this theme, or null when it is unavailable (the embedding model
     *                busy or absent): then the keyword rules below decide, as before the model existed
     */
    public static Analysis analyze(Theme theme, AssembledTrace trace, String text, Verdict verdict) {
        TraceSignals s = TraceSignals.of(trace, text);
        if (verdict != null && !STRUCTURAL_THEMES.contains(theme.id())) {
            return judged(theme, s, verdict);
        }
        return switch (theme.id()) {
            case "error_analysis" -> errors(s);
            case "performance_issues" -> performance(s, trace);
            case "ux_issues" -> ux(s);
            case "feature_requests" -> requests(s);
            case "success_patterns" -> success(s);
            case "unhappy_users" -> unhappy(s);
            default -> custom(theme, s);
        };
    }

    /** Relevance as the model decided it; title and summary written from the evidence it found. */
    private static Analysis judged(Theme theme, TraceSignals s, Verdict v) {
        if (!v.relevant()) {
            return Analysis.none();
        }
        String evidence = v.evidence() == null || v.evidence().isBlank() ? (s.userTexts().isEmpty() ? "" : s.userTexts().get(0)) : v.evidence();
        return switch (theme.id()) {
            case "feature_requests" -> requested(s, evidence);
            case "ux_issues" -> {
                String title = v.label() != null ? v.label() : "User frustrated: " + words(evidence, 7);
                yield new Analysis(true, title, (evidence.isEmpty() ? "The user was unhappy with the exchange." : "The user wrote: \"" + cut(evidence, 200) + "\".")
                        + (s.feedback().isEmpty() ? "" : " Feedback: " + cut(String.join("; ", s.feedback()), 200) + "."),
                        s.feedback().isEmpty() ? "medium" : "high", title);
            }
            case "success_patterns" -> success(s, SuccessPattern.of(s));
            case "unhappy_users" -> {
                Analysis rules = unhappy(s);
                yield rules.themeRelevant() ? rules : new Analysis(true, "User unhappy: " + words(evidence, 7),
                        "The user wrote: \"" + cut(evidence, 200) + "\".", "medium");
            }
            default -> new Analysis(true, theme.name() + ": " + words(evidence, 8),
                    "The user wrote: \"" + cut(evidence, 240) + "\", which matches the theme.", "low");
        };
    }

    /**
     * A feature request titled by the capability it asks for, in the catalogue's plain English whatever the user's
     * language and wording ("Asks for spreadsheet export"), and embedded as that title, so that one capability is one
     * point for clustering. The evidence sentence is matched first, then the whole message it came from (the
     * capability is often named in the sentence before the ask). A capability the catalogue does not know is named
     * from the user's own words and embedded as their masked key phrase.
     */
    private static Analysis requested(TraceSignals s, String evidence) {
        String message = s.userTexts().stream().filter(t -> !evidence.isEmpty() && t.contains(evidence)).findFirst().orElse(evidence);
        return request(evidence, message, s.declined(), Capabilities.active());
    }

    /** A feature request's analysis from its evidence sentence and the user's message that holds it. */
    static Analysis request(String evidence, String message, boolean declined, Capabilities catalogue) {
        java.util.Optional<Capabilities.Capability> capability = catalogue.match(evidence).or(() -> catalogue.match(message));
        String refusal = declined ? " The assistant said it could not do it." : "";
        if (capability.isPresent()) {
            String title = "Asks for " + capability.get().name();
            return new Analysis(true, title, "The user asked for " + capability.get().name() + ": \"" + cut(evidence, 240) + "\"." + refusal,
                    "medium", Masking.mask(title));
        }
        RequestPhrase r = RequestPhrase.of(evidence);
        return new Analysis(true, r.title(), "The user asked: \"" + cut(evidence, 240) + "\"." + refusal, "medium", Masking.mask(r.canonical()));
    }

    private static Analysis errors(TraceSignals s) {
        if (s.errors().isEmpty()) {
            return Analysis.none();
        }
        ErrorCause.Cause cause = rootCause(s);
        ErrorCause.Failure f = cause.failure();
        StringBuilder summary = new StringBuilder(cause.title()).append(": ");
        String where = f.kind().equals("generation") || f.kind().equals("embedding") ? "the " + f.kind() + " call"
                : f.kind().equals("trace") ? "the trace" : "the step";
        summary.append(where);
        if (f.step() != null && !f.step().isBlank()) {
            summary.append(" \"").append(cut(f.step(), 60)).append('"');
        }
        if (f.model() != null || f.provider() != null) {
            summary.append(" on ").append(f.model() != null ? f.model() : f.provider())
                    .append(f.model() != null && f.provider() != null ? " (" + f.provider() + ")" : "");
        }
        summary.append(" failed");
        if (cause.status() != null) {
            summary.append(" with HTTP ").append(cause.status());
        }
        String exception = ErrorCause.exceptionClass(f.error());
        if (exception != null && !cause.gist().contains(exception)) {
            summary.append(" (").append(exception).append(')');
        }
        if (!cause.gist().isEmpty()) {
            summary.append(": \"").append(cause.gist()).append('"');
        }
        // Chains, agents and the trace repeat a failure on its way up: only the calls and tools that failed are counted.
        long failing = s.failures().stream().filter(x -> !x.wrapper()).count();
        if (failing == 0) {
            failing = Math.max(s.failures().size(), s.errors().size());
        }
        summary.append(". ").append(failing == 1 ? "1 failing step" : failing + " failing steps").append(". ")
                .append(s.recovered() ? "Recovered: a later call succeeded, so the user still got an answer."
                        : "Not recovered: the user got no answer.");
        return new Analysis(true, cause.title(), summary.toString(), s.recovered() ? "medium" : "high", embedText(cause));
    }

    /** The cause of the trace's failures: from its failed events, else (an event-less rendering) from its error lines. */
    private static ErrorCause.Cause rootCause(TraceSignals s) {
        List<ErrorCause.Failure> failures = s.failures();
        if (failures.isEmpty()) {
            failures = s.errors().stream().map(line -> {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^ERROR \\(HTTP (\\d{3})\\)").matcher(line);
                return new ErrorCause.Failure("event", null, null, null, m.find() ? Integer.valueOf(m.group(1)) : null, strip(line));
            }).toList();
        }
        return ErrorCause.rootCause(failures, s.cutOff());
    }

    /** The cause, with the failing tool where that tells real causes apart (two tools down are two problems), masked. */
    private static String embedText(ErrorCause.Cause cause) {
        return Masking.mask(cause.component() == null ? cause.title() : cause.title() + " in tool " + cause.component());
    }

    private static Analysis performance(TraceSignals s, AssembledTrace trace) {
        if (!s.slow() && !s.expensive() && !PerformanceCause.looping(trace)) {
            return Analysis.none();
        }
        PerformanceCause.Verdict v = PerformanceCause.of(trace, s.slow(), s.latencySeconds(), s.costUsd(), s.tokens(),
                trace.aggregates().inputTokens());
        return new Analysis(true, v.title(), v.title() + ": " + String.join(", ", v.facts()) + ".",
                s.latencySeconds() >= 60 || s.costUsd() >= 2 ? "high" : "medium", Masking.mask(v.title()));
    }

    private static Analysis ux(TraceSignals s) {
        if (!s.frustrated()) {
            return Analysis.none();
        }
        String quote = !s.frustration().isEmpty() ? s.frustration().get(s.frustration().size() - 1) : s.feedback().get(0);
        return new Analysis(true, "User frustrated: " + words(quote, 7),
                "The user showed frustration: \"" + cut(quote, 200) + "\"."
                        + (s.feedback().isEmpty() ? "" : " Feedback: " + cut(String.join("; ", s.feedback()), 200) + "."),
                s.feedback().isEmpty() ? "medium" : "high");
    }

    private static Analysis requests(TraceSignals s) {
        if (s.requests().isEmpty()) {
            return Analysis.none();
        }
        return requested(s, s.requests().get(0));
    }

    private static Analysis success(TraceSignals s) {
        boolean unrecovered = !s.errors().isEmpty() && !s.recovered();
        if (!s.answered() || unrecovered || s.frustrated()) {
            return Analysis.none();
        }
        return success(s, SuccessPattern.of(s));
    }

    /** The pattern as the title and the embedded text; the task, the tools, the failure and thanks in the summary. */
    private static Analysis success(TraceSignals s, SuccessPattern pattern) {
        String ask = s.userTexts().isEmpty() ? "the request" : s.userTexts().get(0);
        StringBuilder summary = new StringBuilder(pattern.title).append(": the user asked \"").append(cut(ask, 160)).append('"');
        switch (pattern) {
            case RECOVERED -> summary.append("; after ").append(s.failures().isEmpty() && s.errors().isEmpty() ? "a failure"
                    : rootCause(s).title().toLowerCase(Locale.ROOT)).append(", a later call answered");
            case CLARIFIED -> summary.append("; the assistant asked a question back, then answered");
            case WITH_TOOLS -> summary.append("; the assistant answered after ")
                    .append(s.toolCalls() == 1 ? "1 tool call" : s.toolCalls() + " tool calls");
            case DIRECT -> summary.append("; the assistant answered without tools or errors");
        }
        summary.append(s.thanked() ? ", and the user thanked it." : ".");
        return new Analysis(true, pattern.title, summary.toString(), "low", pattern.canonical);
    }

    private static Analysis unhappy(TraceSignals s) {
        List<String> pains = new ArrayList<>();
        if (!s.errors().isEmpty() && !s.recovered()) {
            pains.add("a failure: " + rootCause(s).title());
        }
        if (s.frustrated()) {
            pains.add("frustration (\"" + cut(s.frustration().isEmpty() ? s.feedback().get(0) : s.frustration().get(0), 120) + "\")");
        }
        if (!s.requests().isEmpty()) {
            pains.add("a missing capability (\"" + cut(s.requests().get(0), 120) + "\")");
        }
        if (pains.isEmpty()) {
            return Analysis.none();
        }
        return new Analysis(true, "User hit " + words(pains.get(0), 7), "The user experienced " + String.join("; ", pains) + ".",
                pains.size() > 1 ? "high" : "medium");
    }

    /** Custom themes: relevant when the users' text or the errors share enough words with the theme's description. */
    private static Analysis custom(Theme theme, TraceSignals s) {
        Set<String> keywords = new LinkedHashSet<>();
        for (String w : (theme.name() + " " + theme.description()).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() >= 5) {
                keywords.add(w);
            }
        }
        String haystack = s.lowerText() + "\n" + String.join("\n", s.errors()).toLowerCase(Locale.ROOT);
        List<String> found = keywords.stream().filter(haystack::contains).toList();
        if (found.isEmpty()) {
            return Analysis.none();
        }
        String ask = s.userTexts().isEmpty() ? "" : s.userTexts().get(0);
        return new Analysis(true, theme.name() + ": " + String.join(", ", found.subList(0, Math.min(3, found.size()))),
                "The trace mentions " + String.join(", ", found) + (ask.isEmpty() ? "." : " (the user asked: \"" + cut(ask, 160) + "\")."), "low");
    }

    private static String strip(String errorLine) {
        return errorLine.replaceFirst("^ERROR( \\(HTTP \\d{3}\\))?: ", "");
    }

    private static String words(String text, int max) {
        String[] w = text.strip().split("\\s+");
        String joined = String.join(" ", java.util.Arrays.copyOf(w, Math.min(max, w.length)));
        return w.length > max ? joined + "…" : joined;
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
