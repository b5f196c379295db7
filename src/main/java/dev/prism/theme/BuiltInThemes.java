package dev.prism.theme;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

/**
 * The themes every project starts with. Read-only (users clone them to change them); each has a focused prompt with
 * a "Look for:" list and cheap pre-filters that let through only the traces likely to be relevant, which is where most
 * of the LLM savings come from.
 */
final class BuiltInThemes {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    /** One built-in theme's definition. {@code themeFilters} is PostHog filter JSON (a list, or an OR group). */
    record Definition(String themeId, String name, String description, String lookFor, JsonNode themeFilters, double sampleRate) {

        String prompt() {
            return frame(lookFor);
        }
    }

    /**
     * The answer contract and the fence are the same for every built-in prompt; only the "Look for" list differs. The
     * trace comes first: every theme's request for one trace version then begins with the same bytes (the provider's
     * fixed system message, then the fenced trace), which OpenAI-compatible servers and Gemini cache on their own and
     * Anthropic caches where Prism marks it, so the second and later themes pay the cached-input price for the trace.
     * The theme's own instructions follow the trace.
     */
    static String frame(String lookFor) {
        return """
                {{trace_text}}

                Review the trace above for the analysis theme "{{theme_name}}": {{theme_description}}

                Look for:
                %s

                Reply with one JSON object and nothing else, {"theme_relevant": true or false, "title": "...", "summary": "...", "severity": "low" | "medium" | "high"}: a title of at most 8 words naming the underlying cause or request in plain words, the same whatever the SDK, exception class, model, language or wording (e.g. "Provider rate limit (429)", "Asks for CSV export"), with no ids, names or figures from this trace in the title; the specifics in the summary; "theme_relevant" false, with an empty title and summary, when the trace shows nothing for this theme.
                """.formatted(lookFor.strip());
    }

    static final String CUSTOM_PROMPT = frame("""
            - anything in the trace that fits the theme's description above
            - the evidence: the user's words, the tool calls, errors or figures that show it
            """);

    /**
     * The pre-filter of a user-language theme: the offline relevance model's score of the trace version, at the low
     * threshold its training chose to keep nearly every true trace ({@code prefilter} in {@code relevance/model.json}).
     * It replaced keyword regexes that missed most requests and complaints worded otherwise.
     */
    private static JsonNode relevance(String themeId) {
        double threshold = PREFILTER.path(themeId).asDouble(Double.NaN);
        if (Double.isNaN(threshold)) {
            throw new IllegalStateException("relevance/model.json has no pre-filter threshold for " + themeId);
        }
        return json("""
                [{"key": "trace.relevance.%s", "operator": "gte", "value": %s, "type": "trace"}]""".formatted(themeId, threshold));
    }

    private static final JsonNode PREFILTER = prefilterThresholds();

    private static JsonNode prefilterThresholds() {
        try (java.io.InputStream in = BuiltInThemes.class.getResourceAsStream("/relevance/model.json")) {
            if (in == null) {
                throw new IllegalStateException("relevance/model.json is missing from the classpath (prism train-relevance writes it)");
            }
            return MAPPER.readTree(in).path("prefilter");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final List<Definition> ALL = List.of(
            new Definition("error_analysis", "Errors and failures",
                    "What failed in the trace, where, why, and whether it recovered.", """
                    - provider or API errors: rate limits (429), quota, 5xx, timeouts, invalid requests
                    - tool or function exceptions and their root cause (the telling line of the stack trace)
                    - framework, parsing or validation errors; truncated or interrupted outputs
                    - retries and fallbacks, and whether the user finally got an answer
                    - what the failure cost the user
                    """,
                    json("""
                            {"type": "OR", "values": [
                              [{"key": "trace.error_count", "operator": "gte", "value": 1, "type": "trace"}],
                              [{"key": "$ai_http_status", "operator": "gte", "value": 400, "type": "event"}]
                            ]}"""), 1.0),
            new Definition("ux_issues", "UX friction",
                    "Where users were confused, frustrated or had to work around the assistant.", """
                    - the user repeating or rephrasing a request, correcting the assistant, rejecting an answer or a refusal
                    - complaints, sarcasm, signs of annoyance, negative feedback or low ratings
                    - the assistant ignoring a constraint the user gave, or misunderstanding the request
                    - dead ends: the user gives up or is sent elsewhere
                    - for the title, the kind of friction in plain words, where one fits: ignored the user's instruction, same wrong answer repeated, lost track of the conversation, answer too long, refused a harmless request, misunderstood the request, answer too slow, wrong language or format
                    """,
                    relevance("ux_issues"), 1.0),
            new Definition("feature_requests", "Feature requests",
                    "Capabilities users ask for that the product does not have.", """
                    - the user asking for something the assistant cannot do (export, integrations, scheduling, formats)
                    - "I wish", "it would be great if", "can you also …" followed by a refusal or a workaround
                    - the capability asked for, in general terms, and why the user wanted it
                    - title it "Asks for <capability>" in plain English whatever language the user wrote in, naming the
                      capability rather than the user's words (e.g. "Asks for spreadsheet export", "Asks for calendar
                      integration", "Asks for voice input"), so that the same request worded differently gets the same title
                    """,
                    relevance("feature_requests"), 1.0),
            new Definition("performance_issues", "Performance and cost",
                    "Slow or expensive traces and what made them so.", """
                    - calls or whole traces that took 30 s or more, timeouts, slow time to first token
                    - expensive traces (about $0.50 or more) or very large prompts and outputs
                    - avoidable work: repeated calls, oversized context, retries that multiplied cost
                    """,
                    json("""
                            {"type": "OR", "values": [
                              [{"key": "trace.latency", "operator": "gte", "value": 30, "type": "trace"}],
                              [{"key": "trace.cost_usd", "operator": "gte", "value": 0.5, "type": "trace"}],
                              [{"key": "trace.tokens", "operator": "gte", "value": 100000, "type": "trace"}],
                              [{"key": "$ai_latency", "operator": "gte", "value": 20, "type": "event"}],
                              [{"key": "trace.relevance.performance_issues", "operator": "gte", "value": 0.5, "type": "trace"}]
                            ]}"""), 1.0),
            new Definition("success_patterns", "Success patterns",
                    "What went well: requests fully and efficiently fulfilled, and how.", """
                    - the user's request fulfilled by the end of the trace, and the steps that made it work
                    - good tool use, helpful clarifying questions, concise correct answers
                    - explicit thanks or positive feedback
                    - for this theme the title names HOW it succeeded, not the task: the pattern in plain words, such as "Answered directly in one turn", "Resolved with tool calls", "Recovered after a failed call" or "Resolved after a clarifying question"; the summary says the task, the tools used and what failed before the recovery
                    """,
                    relevance("success_patterns"), 0.25),
            new Definition("unhappy_users", "Unhappy users",
                    "Pain points, frustrations and product limits users actually ran into (or none).", """
                    - pain points the user experienced: failures, wrong answers, refusals, slowness
                    - frustration in the user's words or feedback
                    - limits of the product the user hit (missing capabilities, policies)
                    - only what the user actually experienced, not what might go wrong
                    """,
                    relevance("unhappy_users"), 1.0));

    static boolean isBuiltIn(String themeId) {
        return ALL.stream().anyMatch(d -> d.themeId().equals(themeId));
    }

    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Built-in theme filter is not JSON: " + text, e);
        }
    }
}
