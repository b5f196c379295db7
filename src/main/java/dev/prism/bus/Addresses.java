package dev.prism.bus;

/**
 * Every event-bus address. Commands (request/reply) are {@code prism.<feature>.<verb>}; events are past tense.
 */
public final class Addresses {

    private Addresses() {
    }

    /** {@link CaptureRequest} → {@link CaptureResult}: decode, validate and store one ingestion request. */
    public static final String INGEST_CAPTURE = "prism.ingest.capture";

    /** {@link OtlpExport} → {@link OtlpExport.Accepted}: map OTLP spans to {@code $ai_*} events and capture them. */
    public static final String OTEL_EXPORT = "prism.otel.export";
    /** {@link OtlpExport} of a logs request → {@link OtlpExport.Accepted}: join message records to spans, capture evaluations. */
    public static final String OTEL_LOGS = "prism.otel.logs";

    /** {@link EventsStored}, published after each group commit. */
    public static final String EVENTS_STORED = "prism.events.stored";
    /** How busy each ingestion writer was lately ({@link IngestLoad}), published twice a second; later stages yield to it. */
    public static final String INGEST_LOAD = "prism.ingest.load";

    /** {@link IngestTokenLookup} → project id; fails with 401 for an unknown token. */
    public static final String PROJECT_RESOLVE_TOKEN = "prism.project.resolve-token";
    /**
     * {@link ApiAccess} → project id; fails with 401 (bad key), 403 (the key lacks the scope or covers another project),
     * 404 (unknown project) or 429 (too many failures from this client).
     */
    public static final String PROJECT_AUTHORIZE = "prism.project.authorize";
    /** {@link KeyCommand} → {@link KeyCommand.Key} or {@link KeyCommand.Keys}. */
    public static final String PROJECT_KEYS = "prism.project.keys";
    /** {@link ProjectsQuery} → {@link ProjectsQuery.Projects}, by id. */
    public static final String PROJECT_LIST = "prism.project.list";

    /** {@link TraceListQuery} → {@link TracePage}. */
    public static final String TRACE_LIST = "prism.trace.list";
    /** {@link TraceQuery} → {@link TraceDetail}; fails with 404 when the trace is unknown. */
    public static final String TRACE_GET = "prism.trace.get";
    /** {@link TraceQuery} → {@link TraceSummary} (no events); fails with 404 when the trace is unknown. */
    public static final String TRACE_SUMMARY = "prism.trace.summary";
    /** {@link TraceFacts} → {@link TraceFacts.Facts}: user, latency, cost and errors of many traces at once. */
    public static final String TRACE_FACTS = "prism.trace.facts";
    /** {@link TraceCompleted}, published when a trace version completes. */
    public static final String TRACE_COMPLETED = "prism.trace.completed";

    /** {@link AnalysisRequest}, published by theme dispatch for each completed trace some themes selected. */
    public static final String ANALYSIS_REQUESTED = "prism.analysis.requested";
    /** {@link SummaryCreated}, published once an analysis is stored. */
    public static final String SUMMARY_CREATED = "prism.summary.created";
    /** {@link DeadLetters} → {@link DeadLetters.Listed} or {@link DeadLetters.Requeued}. */
    public static final String DEAD_LETTERS = "prism.analysis.dead-letters";
    /** {@link SummaryQuery} → {@link SummaryQuery.Summaries}. */
    public static final String SUMMARY_LIST = "prism.summary.list";
    /** {@link ThemeShare} → {@link ThemeShare.Counts}: a theme's relevant and analysed traces per window, for alerts. */
    public static final String THEME_SHARE = "prism.analysis.theme-share";
    /** {@link SummaryScan} → {@link SummaryScan.Page}: relevant summaries oldest first, for the embed sweep. */
    public static final String SUMMARY_SCAN = "prism.summary.scan";

    /** {@link ScheduledThemes.Query} → {@link ScheduledThemes.Result}. */
    public static final String THEME_SCHEDULED = "prism.theme.scheduled";

    /** {@link RunCommand} → {@link Run}, {@link RunCommand.Runs} or {@link RunCommand.Tested}. */
    public static final String RUN_COMMAND = "prism.run.command";
    /** {@link Run}, published as a run starts, advances and ends. */
    public static final String RUN_PROGRESS = "prism.run.progress";
    /** {@link RunTasks.Enqueue} → the number of analyses newly queued for the run. */
    public static final String ANALYSIS_ENQUEUE = "prism.analysis.enqueue";
    /** {@link RunTasks.StatsQuery} → {@link RunTasks.Stats}. */
    public static final String ANALYSIS_RUN_STATS = "prism.analysis.run-stats";
    /** {@link AnalysisBacklog} → {@link AnalysisBacklog.Counts}: analyses by state, for benchmarks and operators. */
    public static final String ANALYSIS_BACKLOG = "prism.analysis.backlog";
    /** {@link RunTasks.AnalyzeNow} → {@link Analyzed}: one analysis now, not stored. */
    public static final String ANALYSIS_NOW = "prism.analysis.analyze-now";
    /** {@link EmbeddingCreated}, published once a relevant summary's vector is stored. */
    public static final String EMBEDDING_CREATED = "prism.embedding.created";
    /** {@link EmbeddingRemoved}, published once a superseded trace version's vector left its theme's index and table. */
    public static final String EMBEDDING_REMOVED = "prism.embedding.removed";
    /** {@link EmbedSearch} → {@link EmbedSearch.Hits}: nearest summaries to a text. */
    public static final String EMBED_SEARCH = "prism.embed.search";
    /** {@link SentenceVectors} → {@link SentenceVectors.Vectors}: vectors of short texts, for the relevance model. */
    public static final String EMBED_SENTENCES = "prism.embed.sentences";
    /** {@link RelevanceQuery} → {@link RelevanceQuery.Verdicts}: the offline relevance model's verdicts on one trace. */
    public static final String RELEVANCE_SCORE = "prism.relevance.score";
    /** {@link RelevanceBackfill} → {@link RelevanceBackfill.Scored}: score and store a trace version streaming never scored. */
    public static final String RELEVANCE_BACKFILL = "prism.relevance.backfill";
    /** {@link EmbedSnapshot} → {@link EmbedSnapshot.Vectors}: all vectors of a theme, for clustering. */
    public static final String EMBED_SNAPSHOT = "prism.embed.snapshot";

    /** {@link LlmSettings} → {@link LlmSettings.Status}: a project's provider, model, budget and spend. */
    public static final String LLM_SETTINGS = "prism.llm.settings";
    /** {@link LlmCompletion} → {@link LlmCompletion.Reply}: one model call that is not an analysis (cluster names). */
    public static final String LLM_COMPLETE = "prism.llm.complete";

    /**
     * A cluster's new state, published by clustering: a {@link LiveEvent}, a {@code JsonObject} or a record carrying
     * {@code project_id}/{@code projectId}, {@code theme_id}/{@code themeId} and {@code cluster_id}/{@code clusterId}.
     */
    public static final String CLUSTER_UPDATED = "prism.cluster.updated";
    /** {@link ClusterCommand.List} → {@link ClusterCommand.Clusters}: a theme's active clusters, largest first; 404 for an unknown theme. */
    public static final String CLUSTER_LIST = "prism.cluster.list";
    /** {@link ClusterCommand.Get} → {@link ClusterCommand.Detail}: one cluster with a page of members; 404 for an unknown cluster. */
    public static final String CLUSTER_GET = "prism.cluster.get";
    /** {@link ClusterCommand.OfTrace} → {@link ClusterCommand.TraceClusters}: a trace's cluster in every theme. */
    public static final String CLUSTER_OF_TRACE = "prism.cluster.of-trace";
    /** {@link ClusterCommand.MembersSince} → {@link ClusterCommand.MemberCounts}: members each cluster gained after a time. */
    public static final String CLUSTER_MEMBERS_SINCE = "prism.cluster.members-since";
    /** {@link ClusterCommand.MapQuery} → {@link ClusterCommand.MapPoints}: a theme's members on the 2-D map; 404 for an unknown theme. */
    public static final String CLUSTER_MAP = "prism.cluster.map";
    /**
     * {@link ClusterCommand.Refresh} → {@link ClusterCommand.RunResult} once the re-clustering is stored; 400 for an
     * unusable {@code clustering_config}, 404 for an unknown theme.
     */
    public static final String CLUSTER_REFRESH = "prism.cluster.refresh";
    /** An alert that fired, published by alerting: a {@link LiveEvent}, a {@code JsonObject} or a record, routed like clusters. */
    public static final String ALERT_FIRED = "prism.alert.fired";
    /** {@link AlertCommand.List} → {@link AlertCommand.Rules}. */
    public static final String ALERT_LIST = "prism.alert.list";
    /** {@link AlertCommand.Get} → {@link AlertCommand.Rule}; 404 for an unknown rule. */
    public static final String ALERT_GET = "prism.alert.get";
    /** {@link AlertCommand.Create} → {@link AlertCommand.Rule}; 400 names every invalid field. */
    public static final String ALERT_CREATE = "prism.alert.create";
    /** {@link AlertCommand.Replace} → {@link AlertCommand.Rule}. */
    public static final String ALERT_REPLACE = "prism.alert.replace";
    /** {@link AlertCommand.Patch} → {@link AlertCommand.Rule}. */
    public static final String ALERT_PATCH = "prism.alert.patch";
    /** {@link AlertCommand.Delete} → the deleted {@link AlertCommand.Rule}. */
    public static final String ALERT_DELETE = "prism.alert.delete";
    /** {@link AlertCommand.ListDeliveries} → {@link AlertCommand.Deliveries}. */
    public static final String ALERT_DELIVERIES = "prism.alert.deliveries";
    /** {@link AlertCommand.Test} → {@link AlertCommand.Tested}. */
    public static final String ALERT_TEST = "prism.alert.test";
    /** {@code AlertCommand.ClusterTickets}: the tracker issues opened for a cluster, for its page. */
    public static final String ALERT_TICKETS = "prism.alert.tickets";
    /** Deliveries were queued (a {@code Long}: how many): the delivery worker looks for due rows now instead of at its next poll. */
    public static final String ALERT_QUEUED = "prism.alert.queued";
    /** {@link LiveEvent}, published by any feature for WebSocket clients. */
    public static final String LIVE_EVENT = "prism.live.event";
    /** {@link Instances} → {@link Instances.Members}: the instances sharing the database, seen lately. */
    public static final String INSTANCES = "prism.instances";
    /** {@link LiveEvent}s another instance sent its WebSocket clients, relayed through PostgreSQL; only the live hubs consume them. */
    public static final String LIVE_REMOTE = "prism.live.remote";

    /** {@link ThemeExport} → {@link ThemeExport.File}: a theme's clusters as Markdown, a notebook, CSV or JSON. */
    public static final String EXPORT_THEME = "prism.export.theme";
    /** {@link ShareCommand} → {@link ShareCommand.Share} or {@link ShareCommand.Shares}: read-only links to one theme's results. */
    public static final String SHARE_COMMAND = "prism.share.command";

    /** {@link ThemeCommand.List} → {@link ThemeCommand.Themes}. */
    public static final String THEME_LIST = "prism.theme.list";
    /** {@link ThemeCommand.Get} → {@link AnalysisTheme}; 404 for an unknown theme. */
    public static final String THEME_GET = "prism.theme.get";
    /** {@link ThemeCommand.Create} → {@link AnalysisTheme}; 400 names every invalid field, 409 for a taken id. */
    public static final String THEME_CREATE = "prism.theme.create";
    /** {@link ThemeCommand.Replace} → {@link AnalysisTheme}; 403 for a built-in theme beyond {@code enabled} and {@code llm}. */
    public static final String THEME_REPLACE = "prism.theme.replace";
    /** {@link ThemeCommand.Patch} → {@link AnalysisTheme}. */
    public static final String THEME_PATCH = "prism.theme.patch";
    /** {@link ThemeCommand.Delete} → the deleted {@link AnalysisTheme}. */
    public static final String THEME_DELETE = "prism.theme.delete";
    /** {@link ThemeCommand.ReadBaseFilters} → {@link ThemeCommand.BaseFilters}. */
    public static final String THEME_BASE_FILTERS = "prism.theme.base-filters";
    /** {@link ThemeCommand.SetBaseFilters} → {@link ThemeCommand.BaseFilters}; 400 names every invalid filter. */
    public static final String THEME_SET_BASE_FILTERS = "prism.theme.set-base-filters";
    /** {@link ThemeCommand.SuggestProperties} → {@link ThemeCommand.Properties}. */
    public static final String THEME_PROPERTIES = "prism.theme.properties";
    /** {@link ThemeCommand.PreviewDraft} → {@link ThemeCommand.Preview}: what a draft theme would select and cost. */
    public static final String THEME_PREVIEW = "prism.theme.preview";
    /** {@link ThemeCommand.SelectForRun} → {@link ThemeCommand.Selection}: the traces a run of a theme analyses. */
    public static final String THEME_SELECT = "prism.theme.select";
    /** {@link ThemeCommand.RenderPrompt} → {@link ThemeCommand.RenderedPrompt}: a theme's prompt for one trace. */
    public static final String THEME_RENDER_PROMPT = "prism.theme.render-prompt";
    /** {@link ThemeCommand.Changed}, published once a project's themes or base filters changed. */
    public static final String THEME_CHANGED = "prism.theme.changed";

    /** {@link TraceTextQuery} → {@link TraceText}: a trace rendered as text, from the cache when possible. */
    public static final String FORMAT_TEXT = "prism.format.text";
    /** {@link TraceFormatted}, published once a completed trace version has its text. */
    public static final String TRACE_FORMATTED = "prism.trace.formatted";
    /** {@link TraceScored}, published once a formatted trace version has its relevance scores (or scoring failed). */
    public static final String TRACE_SCORED = "prism.trace.scored";
}
