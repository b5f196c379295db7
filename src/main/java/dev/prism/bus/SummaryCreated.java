package dev.prism.bus;

import java.time.Instant;

/**
 * A theme's analysis of a trace version, stored: the {@code $ai_trace_summary} of DESIGN.md §3.
 *
 * @param supersededByVersion the later version of the trace whose summary counts instead of this one, or null when this
 *                            one counts (what is published on the bus always counts)
 * @param embedText the text clustering embeds for it (a canonical cause, or the masked title), or null for an analysis
 *                  stored before there was one: its title and summary are embedded then
 */
public record SummaryCreated(String projectId, String themeId, String traceId, int traceVersion, int promptVersion,
                             boolean themeRelevant, String title, String summary, String severity, String model,
                             long inputTokens, long outputTokens, double costUsd, long latencyMillis, Instant createdAt,
                             Integer supersededByVersion, String embedText) {

    /** A current summary with a text of its own to embed. */
    public SummaryCreated(String projectId, String themeId, String traceId, int traceVersion, int promptVersion,
                          boolean themeRelevant, String title, String summary, String severity, String model,
                          long inputTokens, long outputTokens, double costUsd, long latencyMillis, Instant createdAt,
                          String embedText) {
        this(projectId, themeId, traceId, traceVersion, promptVersion, themeRelevant, title, summary, severity, model, inputTokens,
                outputTokens, costUsd, latencyMillis, createdAt, null, embedText);
    }

    /** A current summary without a text of its own to embed. */
    public SummaryCreated(String projectId, String themeId, String traceId, int traceVersion, int promptVersion,
                          boolean themeRelevant, String title, String summary, String severity, String model,
                          long inputTokens, long outputTokens, double costUsd, long latencyMillis, Instant createdAt) {
        this(projectId, themeId, traceId, traceVersion, promptVersion, themeRelevant, title, summary, severity, model, inputTokens,
                outputTokens, costUsd, latencyMillis, createdAt, null, null);
    }

    public boolean superseded() {
        return supersededByVersion != null;
    }

    /** The properties of its {@code $ai_trace_summary} event, as the API serves it and as it is forwarded to PostHog. */
    public java.util.Map<String, Object> eventProperties() {
        java.util.Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("$ai_trace_id", traceId);
        p.put("$ai_trace_version", traceVersion);
        p.put("$ai_analysis_theme_id", themeId);
        p.put("$ai_theme_relevant", themeRelevant);
        p.put("$ai_summary_title", title);
        p.put("$ai_summary", summary);
        p.put("$ai_summary_severity", severity);
        p.put("$ai_model", model);
        p.put("$ai_input_tokens", inputTokens);
        p.put("$ai_output_tokens", outputTokens);
        p.put("$ai_total_cost_usd", costUsd);
        p.put("$ai_latency", latencyMillis / 1000.0);
        p.put("$ai_prompt_version", promptVersion);
        return p;
    }
}
