package dev.prism.llm;

import dev.prism.bus.AssembledTrace;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code offline} provider: a deterministic analyzer that needs no network. It reads structured signals (errors,
 * HTTP status, latency, cost, tokens, recovery) and the users' own words (frustration, repetition, requests for missing
 * capabilities, thanks), decides whether the trace is relevant to a theme, and writes an extractive title and summary
 * from what the trace itself says. It does not understand meaning: it cannot judge whether an answer was right, and
 * custom themes only match traces whose text shares words with the theme's description. Pure.
 */
public final class OfflineAnalyzer {

    /**
     * The answer contract of DESIGN.md §3.
     *
     * @param embedText what clustering should embed in place of title and summary: the request or the friction in
     *                  canonical words, without names or numbers; null when the title and summary serve
     */
    public record Analysis(boolean themeRelevant, String title, String summary, String severity, String embedText) {

        public Analysis(boolean themeRelevant, String title, String summary, String severity) {
            this(themeRelevant, title, summary, severity, null);
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
            case "performance_issues" -> performance(s);
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
            case "feature_requests" -> {
                RequestPhrase r = RequestPhrase.of(evidence);
                yield new Analysis(true, r.title(), "The user asked: \"" + cut(evidence, 240) + "\"."
                        + (s.declined() ? " The assistant said it could not do it." : ""), "medium", r.canonical());
            }
            case "ux_issues" -> {
                String title = v.label() != null ? v.label() : "User frustrated: " + words(evidence, 7);
                yield new Analysis(true, title, (evidence.isEmpty() ? "The user was unhappy with the exchange." : "The user wrote: \"" + cut(evidence, 200) + "\".")
                        + (s.feedback().isEmpty() ? "" : " Feedback: " + cut(String.join("; ", s.feedback()), 200) + "."),
                        s.feedback().isEmpty() ? "medium" : "high", title);
            }
            case "success_patterns" -> {
                String ask = s.userTexts().isEmpty() ? "the request" : s.userTexts().get(0);
                yield new Analysis(true, "Completed: " + words(ask, 7),
                        "The assistant answered \"" + cut(ask, 160) + "\"" + (s.recovered() ? " after recovering from an error" : s.errors().isEmpty() ? " without errors" : "")
                                + (s.thanked() ? ", and the user thanked it." : "."), "low");
            }
            case "unhappy_users" -> {
                Analysis rules = unhappy(s);
                yield rules.themeRelevant() ? rules : new Analysis(true, "User unhappy: " + words(evidence, 7),
                        "The user wrote: \"" + cut(evidence, 200) + "\".", "medium");
            }
            default -> new Analysis(true, theme.name() + ": " + words(evidence, 8),
                    "The user wrote: \"" + cut(evidence, 240) + "\", which matches the theme.", "low");
        };
    }

    private static Analysis errors(TraceSignals s) {
        if (s.errors().isEmpty()) {
            return Analysis.none();
        }
        String first = s.errors().get(0);
        String kind = errorKind(first);
        String outcome = s.recovered() ? "A later call succeeded, so the user still got an answer." : "Nothing recovered: the user got no answer.";
        return new Analysis(true, kind + (s.recovered() ? ", recovered by retry or fallback" : ""),
                s.errors().size() + (s.errors().size() == 1 ? " failing step: " : " failing steps; first: ") + cut(strip(first), 240) + ". " + outcome,
                s.recovered() ? "medium" : "high");
    }

    static String errorKind(String error) {
        String e = error.toLowerCase(Locale.ROOT);
        String status = e.matches("(?s).*\\(http (\\d{3})\\).*") ? e.replaceAll("(?s).*\\(http (\\d{3})\\).*", "$1") : null;
        if (e.contains("quota")) {
            return "Provider quota exceeded" + (status == null ? "" : " (HTTP " + status + ")");
        }
        if (e.contains("rate limit") || e.contains("rate_limit") || "429".equals(status)) {
            return "Provider rate limit (HTTP 429)";
        }
        if (e.contains("timeout") || e.contains("timed out") || e.contains("deadline")) {
            return "Provider call timed out";
        }
        if (status != null && status.startsWith("5")) {
            return "Provider server error (HTTP " + status + ")";
        }
        java.util.regex.Matcher ex = java.util.regex.Pattern.compile("\\b([A-Z][A-Za-z]+(?:Error|Exception))\\b").matcher(error);
        if (ex.find()) {
            return ex.group(1) + " in a tool or framework step";
        }
        return status != null ? "Request failed (HTTP " + status + ")" : "Step failed with an error";
    }

    private static Analysis performance(TraceSignals s) {
        if (!s.slow() && !s.expensive()) {
            return Analysis.none();
        }
        List<String> facts = new ArrayList<>();
        if (s.slow()) {
            facts.add(String.format(Locale.ROOT, "the trace took %.1f s", s.latencySeconds()));
            if (s.slowestCallSeconds() >= 20) {
                facts.add(String.format(Locale.ROOT, "its slowest call took %.1f s%s", s.slowestCallSeconds(),
                        s.slowestModel() == null ? "" : " on " + s.slowestModel()));
            }
        }
        if (s.costUsd() >= 0.5) {
            facts.add(String.format(Locale.ROOT, "it cost $%.2f", s.costUsd()));
        }
        if (s.tokens() >= 100_000) {
            facts.add(String.format(Locale.ROOT, "it used %,d tokens", s.tokens()));
        }
        String what = s.slow() && s.expensive() ? "Slow and expensive" : s.slow() ? "Slow" : "Expensive";
        String title = what + (s.slowestModel() != null && (s.slowestCallSeconds() >= 20 || s.expensive()) ? " " + s.slowestModel() + " call" : " trace");
        return new Analysis(true, title, capitalise(String.join(", ", facts)) + ".", s.latencySeconds() >= 60 || s.costUsd() >= 2 ? "high" : "medium");
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
        String request = s.requests().get(0);
        return new Analysis(true, "Request: " + words(request, 8), "The user asked: \"" + cut(request, 240) + "\".", "medium");
    }

    private static Analysis success(TraceSignals s) {
        boolean unrecovered = !s.errors().isEmpty() && !s.recovered();
        if (!s.answered() || unrecovered || s.frustrated()) {
            return Analysis.none();
        }
        String ask = s.userTexts().isEmpty() ? "the request" : s.userTexts().get(0);
        return new Analysis(true, "Completed: " + words(ask, 7),
                "The assistant answered \"" + cut(ask, 160) + "\"" + (s.recovered() ? " after recovering from an error" : " without errors")
                        + (s.thanked() ? ", and the user thanked it." : "."), "low");
    }

    private static Analysis unhappy(TraceSignals s) {
        List<String> pains = new ArrayList<>();
        if (!s.errors().isEmpty() && !s.recovered()) {
            pains.add("a failure: " + errorKind(s.errors().get(0)));
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

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
