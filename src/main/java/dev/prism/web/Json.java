package dev.prism.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.CaptureResult;
import dev.prism.bus.TraceAggregates;
import dev.prism.bus.TraceDetail;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceNode;
import dev.prism.bus.TracePage;
import dev.prism.bus.TraceSummary;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/** The JSON shapes of the HTTP API (contract v1, documented in the README). */
final class Json {

    static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private Json() {
    }

    static String write(Object node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode error(String error, String detail) {
        return MAPPER.createObjectNode().put("error", error).put("detail", detail);
    }

    static ObjectNode capture(CaptureResult r) {
        ObjectNode out = MAPPER.createObjectNode().put("status", 1).put("received", r.received()).put("accepted", r.accepted())
                .put("ignored", r.ignored());
        ArrayNode rejected = out.putArray("rejected");
        r.rejected().forEach(x -> rejected.addObject().put("index", x.index()).put("reason", x.reason()));
        return out;
    }

    static ObjectNode page(TracePage page) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        page.traces().forEach(t -> results.add(summary(t)));
        out.put("next_cursor", page.nextCursor());
        return out;
    }

    static ObjectNode summary(TraceSummary t) {
        ObjectNode out = MAPPER.createObjectNode().put("trace_id", t.traceId()).put("version", t.version()).put("status", t.status())
                .put("name", t.name()).put("first_seen", iso(t.firstSeen())).put("last_seen", iso(t.lastSeen()))
                .put("completed_at", iso(t.completedAt()));
        out.set("aggregates", aggregates(t.aggregates()));
        return out;
    }

    static ObjectNode aggregates(TraceAggregates a) {
        ObjectNode out = MAPPER.createObjectNode().put("event_count", a.eventCount()).put("tree_depth", a.depth())
                .put("latency_seconds", a.latencySeconds()).put("input_tokens", a.inputTokens()).put("output_tokens", a.outputTokens())
                .put("cost_usd", a.costUsd()).put("cost_estimated", a.costEstimated())
                .put("error_count", a.errorCount()).put("distinct_users", a.distinctUsers());
        ArrayNode models = out.putArray("models");
        a.models().forEach(models::add);
        return out;
    }

    static ObjectNode detail(TraceDetail d) {
        return detail(d, true);
    }

    /** {@code withEvents} false: the tree and aggregates only, no event's properties (GET …/events/{uuid} has them). */
    static ObjectNode detail(TraceDetail d, boolean withEvents) {
        ObjectNode out = summary(d.summary());
        AssembledTrace t = d.trace();
        // The stored row is current for completed traces; for pending ones the live assembly is the better figure.
        if (!"completed".equals(d.summary().status())) {
            out.set("aggregates", aggregates(t.aggregates()));
        }
        out.put("root_event", t.root() == null ? null : t.root().uuid());
        if (withEvents) {
            ArrayNode events = out.putArray("events");
            t.events().forEach(e -> events.add(event(e)));
        }
        ArrayNode tree = out.putArray("tree");
        // Iterative, so a deep tree cannot overflow the stack.
        Deque<Object[]> stack = new ArrayDeque<>();
        for (int i = t.nodes().size() - 1; i >= 0; i--) {
            stack.push(new Object[]{t.nodes().get(i), tree});
        }
        while (!stack.isEmpty()) {
            Object[] item = stack.pop();
            TraceNode n = (TraceNode) item[0];
            ObjectNode node = ((ArrayNode) item[1]).addObject()
                    .put("id", n.id()).put("parent_id", n.parentId()).put("depth", n.depth())
                    .put("event", n.event().event()).put("uuid", n.event().uuid())
                    .put("name", text(n.event(), "$ai_span_name")).put("model", text(n.event(), "$ai_model"))
                    // For the span tree's markers: failed by the one definition the trace's error_count uses.
                    .put("is_error", n.event().failed()).put("error", text(n.event(), "$ai_error"))
                    .put("latency_seconds", number(n.event(), "$ai_latency"));
            ArrayNode children = node.putArray("children");
            for (int i = n.children().size() - 1; i >= 0; i--) {
                stack.push(new Object[]{n.children().get(i), children});
            }
        }
        return out;
    }

    static ObjectNode themes(java.util.List<AnalysisTheme> themes) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        themes.forEach(t -> results.add(theme(t)));
        out.putNull("next_cursor"); // every theme fits one page; the field keeps list answers alike
        return out;
    }

    static ObjectNode theme(AnalysisTheme t) {
        ObjectNode out = MAPPER.createObjectNode().put("theme_id", t.themeId()).put("name", t.name()).put("description", t.description());
        out.set("base_filters", t.baseFilters());
        out.set("theme_filters", t.themeFilters());
        out.put("sample_rate", t.sampleRate()).put("sample_seed", t.sampleSeed()).put("prompt", t.prompt())
                .put("prompt_version", t.promptVersion());
        out.set("date_range", t.dateRange());
        out.set("clustering_config", t.clusteringConfig());
        out.set("schedule", t.schedule());
        out.set("llm", t.llm());
        out.put("enabled", t.enabled()).put("built_in", t.builtIn()).put("created_at", iso(t.createdAt())).put("updated_at", iso(t.updatedAt()));
        return out;
    }

    static ObjectNode preview(dev.prism.bus.ThemeCommand.Preview p) {
        ObjectNode out = MAPPER.createObjectNode().put("date_from", iso(p.dateFrom())).put("date_to", iso(p.dateTo()))
                .put("traces_in_range", p.tracesInRange()).put("matching_base_filters", p.matchingBaseFilters())
                .put("matching_theme_filters", p.matchingThemeFilters()).put("sampled", p.sampled())
                .put("estimated_llm_calls", p.estimatedLlmCalls()).put("estimated_input_tokens", p.estimatedInputTokens())
                .put("estimated_output_tokens", p.estimatedOutputTokens()).put("estimated_cost_usd", p.estimatedCostUsd())
                .put("model", p.model());
        out.putObject("naive").put("llm_calls", p.naiveLlmCalls()).put("input_tokens", p.naiveInputTokens())
                .put("output_tokens", p.naiveOutputTokens()).put("cost_usd", p.naiveCostUsd());
        out.put("savings_share", p.savingsShare()).put("elapsed_ms", p.elapsedMillis());
        return out;
    }

    /** Summaries as {@code $ai_trace_summary} events (DESIGN.md §3). */
    static ObjectNode summaries(java.util.List<dev.prism.bus.SummaryCreated> list) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        for (dev.prism.bus.SummaryCreated s : list) {
            results.add(summaryEvent(s));
        }
        return out;
    }

    /** One summary as a {@code $ai_trace_summary} event: an element of {@link #summaries}, and a WebSocket update's data. */
    static ObjectNode summaryEvent(dev.prism.bus.SummaryCreated s) {
        ObjectNode e = MAPPER.createObjectNode().put("event", "$ai_trace_summary").put("timestamp", iso(s.createdAt()));
        e.set("properties", MAPPER.valueToTree(s.eventProperties()));
        // Outside the event's properties: whether it counts is Prism's bookkeeping, not part of what PostHog receives.
        e.put("superseded", s.superseded());
        if (s.superseded()) {
            e.put("superseded_by_version", s.supersededByVersion());
        }
        return e;
    }

    static ObjectNode run(dev.prism.bus.Run r) {
        ObjectNode out = MAPPER.createObjectNode().put("id", r.id()).put("theme_id", r.themeId()).put("trigger", r.trigger())
                .put("status", r.status()).put("window_from", iso(r.windowFrom())).put("window_to", iso(r.windowTo()))
                .put("prompt_version", r.promptVersion()).put("traces_in_range", r.tracesInRange()).put("matched", r.matched())
                .put("sampled", r.sampled());
        if (r.queued() == null) {
            out.putNull("queued");
        } else {
            out.put("queued", r.queued()).put("already_analysed", r.sampled() - r.queued());
        }
        out.put("analysed", r.analysed()).put("relevant", r.relevant()).put("failed", r.failed()).put("pending", r.pending())
                .put("input_tokens", r.inputTokens()).put("output_tokens", r.outputTokens()).put("cost_usd", r.costUsd())
                .put("llm_call_share", r.tracesInRange() == 0 ? 0 : (double) r.sampled() / r.tracesInRange())
                .put("error", r.error()).put("started_at", iso(r.startedAt())).put("finished_at", iso(r.finishedAt()));
        Instant end = r.finishedAt() != null ? r.finishedAt() : Instant.now();
        out.put("duration_ms", java.time.Duration.between(r.startedAt(), end).toMillis());
        return out;
    }

    static ObjectNode llmStatus(dev.prism.bus.LlmSettings.Status s) {
        ObjectNode out = MAPPER.createObjectNode().put("provider", s.provider()).put("model", s.model())
                .put("provider_source", s.providerOwn() ? "project" : "server");
        if (s.dailyBudgetUsd() == null) {
            out.putNull("daily_budget_usd");
        } else {
            out.put("daily_budget_usd", s.dailyBudgetUsd());
        }
        out.put("budget_source", s.budgetOwn() ? "project" : "server").put("spent_today_usd", s.spentTodayUsd())
                .put("other_spent_today_usd", s.otherSpendTodayUsd())
                .put("status", s.state()).put("status_reason", s.reason()).put("resumes_at", iso(s.resumesAt()));
        if (s.price() == null) {
            out.putNull("price");
        } else {
            out.set("price", price(s.price()));
        }
        s.providers().forEach(out.putArray("providers_available")::add);
        ArrayNode themes = out.putArray("themes");
        for (dev.prism.bus.LlmSettings.ThemeSpend t : s.themes()) {
            themes.addObject().put("theme_id", t.themeId()).put("provider", t.provider()).put("model", t.model())
                    .put("status", t.state()).put("status_reason", t.reason())
                    .put("analyses", t.analyses()).put("relevant", t.relevant())
                    .put("input_tokens", t.inputTokens()).put("output_tokens", t.outputTokens()).put("cost_usd", t.costUsd())
                    .put("cost_today_usd", t.costTodayUsd()).put("daily_budget_usd", t.dailyBudgetUsd())
                    .put("spent_today_usd", t.costTodayUsd());
        }
        return out;
    }

    /** USD per million tokens. */
    static ObjectNode price(dev.prism.pricing.Pricing.Price p) {
        return MAPPER.createObjectNode().put("input", p.input()).put("output", p.output()).put("cache_read", p.cacheRead())
                .put("cache_write", p.cacheWrite());
    }

    /**
     * @param limit the page size asked for: a full page (the run feature serves at most 500) has a {@code next_cursor},
     *              the last run's id, so a client pages on until a page comes back short
     */
    static ObjectNode runs(java.util.List<dev.prism.bus.Run> runs, int limit) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        runs.forEach(r -> results.add(run(r)));
        boolean full = !runs.isEmpty() && runs.size() >= Math.max(1, Math.min(limit, 500));
        out.put("next_cursor", full ? String.valueOf(runs.get(runs.size() - 1).id()) : null);
        return out;
    }

    static ObjectNode tested(dev.prism.bus.RunCommand.Tested t) {
        ObjectNode out = MAPPER.createObjectNode().put("theme_id", t.themeId()).put("prompt_version", t.promptVersion());
        ArrayNode results = out.putArray("results");
        for (dev.prism.bus.Analyzed a : t.results()) {
            results.addObject().put("trace_id", a.traceId()).put("trace_version", a.traceVersion()).put("theme_relevant", a.themeRelevant())
                    .put("title", a.title()).put("summary", a.summary()).put("severity", a.severity()).put("provider", a.provider())
                    .put("model", a.model()).put("input_tokens", a.inputTokens()).put("output_tokens", a.outputTokens())
                    .put("cost_usd", a.costUsd()).put("latency_ms", a.latencyMillis());
        }
        return out;
    }

    /** @param limit the page size served: a full page's {@code next_cursor} is its last entry's id */
    static ObjectNode deadLetters(java.util.List<dev.prism.bus.DeadLetters.Entry> entries, int limit) {
        ObjectNode out = MAPPER.createObjectNode();
        out.put("next_cursor", !entries.isEmpty() && entries.size() >= Math.max(1, limit)
                ? String.valueOf(entries.get(entries.size() - 1).id()) : null);
        ArrayNode results = out.putArray("results");
        for (dev.prism.bus.DeadLetters.Entry d : entries) {
            results.addObject().put("id", d.id()).put("theme_id", d.themeId()).put("trace_id", d.traceId())
                    .put("trace_version", d.traceVersion()).put("prompt_version", d.promptVersion()).put("attempts", d.attempts())
                    .put("last_error", d.lastError()).put("raw_reply", d.rawReply());
        }
        return out;
    }

    static ObjectNode event(TraceEvent e) {
        ObjectNode out = MAPPER.createObjectNode().put("uuid", e.uuid()).put("event", e.event()).put("distinct_id", e.distinctId())
                .put("timestamp", iso(e.timestamp())).put("received_at", iso(e.receivedAt()));
        out.set("properties", e.properties());
        return out;
    }

    private static String text(TraceEvent e, String key) {
        var v = e.properties().get(key);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /** A finite number, also from a numeric string as some SDKs send it; null otherwise. */
    private static Double number(TraceEvent e, String key) {
        var v = e.properties().get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        double d = v.isNumber() ? v.asDouble() : v.isTextual() ? parse(v.asText().strip()) : Double.NaN;
        return Double.isFinite(d) ? d : null;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    // ---- clusters (README "Clusters")

    static ObjectNode clusters(dev.prism.bus.ClusterCommand.Clusters c) {
        ObjectNode out = MAPPER.createObjectNode().put("project_id", c.projectId()).put("theme_id", c.themeId())
                .put("theme_summaries", c.themeMembers()).put("unassigned", c.unassigned());
        ArrayNode results = out.putArray("results");
        c.clusters().forEach(x -> results.add(cluster(x)));
        out.putNull("next_cursor"); // a theme's clusters are one page; the field keeps list answers alike
        out.set("last_run", c.lastRun() == null ? null : clusterRun(c.lastRun()));
        if (c.trend() != null) {
            ObjectNode trend = out.putObject("trend");
            var series = new java.util.LinkedHashMap<String, java.util.List<dev.prism.bus.ClusterCommand.ThemePoint>>();
            series.put("hourly", c.trend().hourly());
            series.put("daily", c.trend().daily());
            series.put("weekly", c.trend().weekly());
            series.forEach((name, points) -> {
                ArrayNode buckets = trend.putArray(name);
                points.forEach(p -> buckets.addObject().put("start", iso(p.start())).put("relevant", p.relevant()).put("clusters", p.clusters()));
            });
        }
        return out;
    }

    /** Points rounded to 4 decimals: the map is 900 px wide, and 2,000 points stay small. */
    static ObjectNode clusterMap(dev.prism.bus.ClusterCommand.MapPoints m) {
        ObjectNode out = MAPPER.createObjectNode().put("project_id", m.projectId()).put("theme_id", m.themeId())
                .put("members", m.members()).put("placed", m.placed()).put("shown", m.points().size())
                .put("sampled", m.points().size() < m.placed());
        ArrayNode points = out.putArray("points");
        m.points().forEach(p -> points.addObject().put("trace_id", p.traceId()).put("cluster_id", p.clusterId())
                .put("x", Math.round(p.x() * 1e4) / 1e4).put("y", Math.round(p.y() * 1e4) / 1e4));
        return out;
    }

    static ObjectNode cluster(dev.prism.bus.ClusterCommand.Cluster c) {
        ObjectNode out = MAPPER.createObjectNode().put("id", c.clusterId()).put("theme_id", c.themeId()).put("title", c.title())
                .put("description", c.description()).put("size", c.size()).put("status", c.status()).put("x", c.x()).put("y", c.y())
                .put("growth", c.trend().growth()).put("lifecycle", c.lifecycle()).put("created_at", iso(c.createdAt())).put("updated_at", iso(c.updatedAt()))
                .put("named_at", iso(c.namedAt()));
        ObjectNode trend = out.putObject("trend").put("last_day", c.trend().current()).put("previous_day", c.trend().previous())
                .put("share_last_day", c.trend().share()).put("share_previous_day", c.trend().previousShare());
        ArrayNode hourly = trend.putArray("hourly");
        c.trend().hourly().forEach(b -> hourly.addObject().put("start", iso(b.start())).put("count", b.count()));
        ArrayNode daily = trend.putArray("daily");
        c.trend().daily().forEach(b -> daily.addObject().put("start", iso(b.start())).put("count", b.count()));
        ArrayNode weekly = trend.putArray("weekly");
        c.trend().weekly().forEach(b -> weekly.addObject().put("start", iso(b.start())).put("count", b.count()));
        var m = c.metrics();
        out.putObject("metrics").put("share_of_theme", m.shareOfTheme()).put("avg_latency_seconds", m.avgLatencySeconds())
                .put("avg_cost_usd", m.avgCostUsd()).put("error_rate", m.errorRate()).put("distinct_users", m.distinctUsers());
        return out;
    }

    static ObjectNode clusterDetail(dev.prism.bus.ClusterCommand.Detail d) {
        ObjectNode out = cluster(d.cluster());
        ArrayNode members = out.putArray("members");
        d.members().forEach(m -> members.add(clusterMember(m)));
        ArrayNode reps = out.putArray("representatives");
        d.representatives().forEach(m -> reps.add(clusterMember(m)));
        ArrayNode history = out.putArray("lineage");
        d.history().forEach(l -> {
            ObjectNode h = history.addObject().put("run_id", l.runId()).put("cluster_id", l.clusterId()).put("event", l.event())
                    .put("size", l.size()).put("into", l.into()).put("title", l.title()).put("renamed", l.renamed()).put("at", iso(l.at()));
            l.sources().forEach(h.putArray("sources")::add);
        });
        return out;
    }

    private static ObjectNode clusterMember(dev.prism.bus.ClusterCommand.Member m) {
        ObjectNode out = MAPPER.createObjectNode().put("trace_id", m.traceId()).put("trace_version", m.traceVersion())
                .put("distance", Double.isNaN(m.distance()) ? null : m.distance()).put("at", iso(m.at()));
        if (m.title() != null || m.summary() != null) {
            out.put("title", m.title()).put("summary", m.summary());
        }
        out.put("latency_seconds", m.latencySeconds()).put("cost_usd", m.costUsd()).put("error_count", m.errorCount());
        return out;
    }

    static ObjectNode traceClusters(dev.prism.bus.ClusterCommand.TraceClusters t) {
        ObjectNode out = MAPPER.createObjectNode().put("project_id", t.projectId()).put("trace_id", t.traceId());
        ArrayNode results = out.putArray("results");
        t.memberships().forEach(m -> results.addObject().put("theme_id", m.themeId()).put("cluster_id", m.clusterId())
                .put("title", m.title()).put("status", m.status()).put("trace_version", m.traceVersion()));
        out.putNull("next_cursor"); // one row per theme: one page
        return out;
    }

    static ObjectNode clusterRun(dev.prism.bus.ClusterCommand.RunResult r) {
        ObjectNode out = MAPPER.createObjectNode().put("run_id", r.runId()).put("theme_id", r.themeId()).put("items", r.items())
                .put("clusters", r.clusters()).put("outliers", r.outliers()).put("renamed", r.renamed())
                .put("elapsed_ms", r.elapsedMillis()).put("detail", r.detail()).put("at", iso(r.at()));
        ObjectNode lineage = out.putObject("lineage");
        r.lineage().forEach((k, v) -> lineage.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return out;
    }

    /** A search hit with its summary's title and text when still listed. */
    static ObjectNode searchHit(dev.prism.bus.EmbedSearch.Hit h, dev.prism.bus.SummaryCreated s) {
        return MAPPER.createObjectNode().put("trace_id", h.traceId()).put("trace_version", h.traceVersion()).put("theme_id", h.themeId())
                .put("score", h.score()).put("title", s == null ? null : s.title()).put("summary", s == null ? null : s.summary());
    }

    // ---- share links (README "Share links")

    /** A share link as listed; {@code token} and {@code url} only in the answer that created it. */
    static ObjectNode share(dev.prism.bus.ShareCommand.Share s, String publicUrl) {
        ObjectNode out = MAPPER.createObjectNode().put("id", s.id()).put("theme_id", s.themeId()).put("display", s.display())
                .put("created_at", iso(s.createdAt())).put("expires_at", iso(s.expiresAt())).put("revoked_at", iso(s.revokedAt()));
        if (s.token() != null) {
            String base = publicUrl == null ? "" : publicUrl.replaceAll("/+$", "");
            out.put("token", s.token()).put("url", base + "/#/shared/" + s.token()).put("api_url", base + "/api/shared/" + s.token());
        }
        return out;
    }

    static ObjectNode shares(java.util.List<dev.prism.bus.ShareCommand.Share> shares, String publicUrl) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        shares.forEach(s -> results.add(share(s, publicUrl)));
        out.putNull("next_cursor"); // a theme's links are one page; the field keeps list answers alike
        return out;
    }

    /** What a share link reads: the theme's name and description and its clusters, without the project's other settings. */
    static ObjectNode sharedTheme(dev.prism.bus.AnalysisTheme theme, dev.prism.bus.ShareCommand.Share share, dev.prism.bus.ClusterCommand.Clusters c) {
        ObjectNode out = clusters(c);
        out.remove("project_id");
        out.putObject("theme").put("id", theme.themeId()).put("name", theme.name()).put("description", theme.description());
        out.putObject("share").put("id", share.id()).put("expires_at", iso(share.expiresAt()));
        return out;
    }

    /** A key as listed; {@code key} (the secret) only in the answer that created it. */
    static ObjectNode key(dev.prism.bus.KeyCommand.Key k) {
        ObjectNode out = MAPPER.createObjectNode().put("id", k.id()).put("project", k.projectId()).put("name", k.name());
        ArrayNode scopes = out.putArray("scopes");
        k.scopes().stream().sorted().forEach(s -> scopes.add(s.wire()));
        out.put("display", k.display()).put("created_at", iso(k.createdAt())).put("revoked_at", iso(k.revokedAt()));
        if (k.secret() != null) {
            out.put("key", k.secret());
        }
        return out;
    }

    static ObjectNode projects(java.util.List<dev.prism.bus.ProjectsQuery.Project> projects) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        projects.forEach(p -> results.addObject().put("id", p.id()).put("name", p.name()).put("created_at", iso(p.createdAt())));
        out.putNull("next_cursor");
        return out;
    }

    static ObjectNode keys(java.util.List<dev.prism.bus.KeyCommand.Key> keys) {
        ObjectNode out = MAPPER.createObjectNode();
        ArrayNode results = out.putArray("results");
        keys.forEach(k -> results.add(key(k)));
        return out;
    }

    /** {@code {"name": "...", "scopes": ["read", ...]}}; unknown scopes are refused rather than dropped. */
    static dev.prism.bus.KeyCommand.Create keyCreate(String projectId, com.fasterxml.jackson.databind.JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new dev.prism.bus.Failure(400, "invalid_body", "Send {\"name\": \"...\", \"scopes\": [\"ingest\" | \"read\" | \"admin\", ...]}").exception();
        }
        java.util.Set<dev.prism.bus.KeyScope> scopes = java.util.EnumSet.noneOf(dev.prism.bus.KeyScope.class);
        com.fasterxml.jackson.databind.JsonNode list = json.get("scopes");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new dev.prism.bus.Failure(400, "invalid_scopes", "scopes must be a non-empty list of ingest, read, admin").exception();
        }
        for (com.fasterxml.jackson.databind.JsonNode s : list) {
            scopes.add(dev.prism.bus.KeyScope.parse(s.asText()).orElseThrow(() -> new dev.prism.bus.Failure(400, "invalid_scopes",
                    "Unknown scope '" + s.asText() + "'; scopes are ingest, read, admin").exception()));
        }
        return new dev.prism.bus.KeyCommand.Create(projectId, json.path("name").asText(""), scopes);
    }
}
