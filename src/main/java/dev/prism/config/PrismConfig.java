package dev.prism.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed server configuration, parsed once at startup. Every key is listed in {@link #SETTINGS} with its
 * environment variable and default; an unusable value stops startup with a {@link ConfigException}.
 */
public record PrismConfig(Http http, Store store, Traces traces, Auth auth, Ingest ingest, Demo demo, Format format, Llm llm, Runs runs, Embed embed, Cluster cluster,
                          Alerts alerts, Dashboard dashboard, Kafka kafka) {

    /**
     * Ingestion through Kafka, on when {@code bootstrap} is set: capture produces every accepted event to {@code topic}
     * and answers once the broker acknowledged it; a consumer group stores them.
     *
     * @param partitions   of the topic when Prism creates it (an existing topic keeps its own)
     * @param maxPollEvents events one instance holds between reading them from Kafka and committing them as stored
     * @param ackTimeoutMillis how long a capture request waits for the broker's acknowledgement before it is answered 503
     *                         {@code kafka_unavailable}: below the SDKs' own request timeouts (PostHog's and OTLP's 10 s),
     *                         so a broker outage reaches them as a retryable answer, not as a timeout
     */
    public record Kafka(Optional<String> bootstrap, String topic, String group, int partitions, int maxPollEvents, long ackTimeoutMillis) {
        public boolean enabled() {
            return bootstrap.isPresent();
        }
    }

    /**
     * @param otlpBodyLimitBytes largest OTLP request body, compressed and decompressed (PostHog's OTLP route takes 4 MB)
     * @param otlpLogJoinMillis  how long a content-less generation span is held for its OTLP message log records (0:
     *                           joining off, message records are dropped and counted)
     * @param otlpLogRecordWaitMillis how long a message log record waits for its span
     */
    public record Http(String host, int port, long bodyLimitBytes, long otlpBodyLimitBytes, long otlpLogJoinMillis,
                       long otlpLogRecordWaitMillis, WebSocket webSocket) {
    }

    /**
     * Read once here and handed to every feature that writes a dashboard link (alert notices, exports, share answers).
     *
     * @param publicUrl where people open the dashboard, without a trailing slash; absent: alerts carry no links, exports
     *                  and share answers use links relative to this server
     */
    public record Dashboard(Optional<String> publicUrl) {
    }

    /**
     * The live WebSocket API ({@code /ws}).
     *
     * @param authTimeoutMillis   a client without an {@code Authorization} header must authenticate within this long
     * @param maxBufferedMessages updates held for one client whose connection cannot take more, at most
     * @param maxBufferedChars    characters of JSON held for one client, at most
     */
    public record WebSocket(long authTimeoutMillis, int maxBufferedMessages, long maxBufferedChars) {
    }

    /**
     * @param pgUrl                     absent: an embedded PostgreSQL is started with its data under {@code dataDir/postgres}
     * @param apiStatementTimeoutMillis longest a statement run for the REST API may take (0: no limit)
     */
    public record Store(Optional<String> pgUrl, Path dataDir, int poolSize, long apiStatementTimeoutMillis) {
        public static final long DEFAULT_API_STATEMENT_TIMEOUT_MILLIS = 30_000;

        public Store(Optional<String> pgUrl, Path dataDir, int poolSize) {
            this(pgUrl, dataDir, poolSize, DEFAULT_API_STATEMENT_TIMEOUT_MILLIS);
        }
    }

    public record Traces(int idleSeconds, long rootGraceMillis, long sweepMillis) {
    }

    /**
     * Secrets: never logged, never returned by the API. Absent values are generated at first start.
     *
     * @param tokenCacheMillis      how long an instance trusts an ingestion credential it already checked (bounds how
     *                              long a revoked ingest key keeps working on other instances)
     * @param maxFailuresPerMinute  failed authentications one address may make per minute before it gets 429 (0: no limit)
     */
    public record Auth(Optional<String> adminToken, Optional<String> projectToken, long tokenCacheMillis, int maxFailuresPerMinute) {
        @Override
        public String toString() {
            return "Auth[adminToken=" + (adminToken.isPresent() ? "<set>" : "<generated>")
                    + ", projectToken=" + (projectToken.isPresent() ? "<set>" : "<generated>")
                    + ", tokenCacheMillis=" + tokenCacheMillis + ", maxFailuresPerMinute=" + maxFailuresPerMinute + "]";
        }
    }

    /**
     * @param maxEventsPerWrite group commit: at most this many events in one database transaction
     * @param maxQueuedEvents   events waiting for the store beyond which ingestion answers 503 with Retry-After
     * @param maxQueuedBytes    the same bound in bytes of event properties
     * @param busyShare         ingestion counts as busy while it has requests in hand this share of the time
     *                          (1: never); later stages then yield
     * @param yieldMillis       while ingestion is busy, each later stage starts one unit of work per this long
     */
    public record Ingest(int maxEventsPerWrite, int maxQueuedEvents, long maxQueuedBytes, double busyShare, long yieldMillis) {
    }

    public record Demo(boolean enabled, double tracesPerSecond) {
    }

    /**
     * @param redisUrl        absent: rendered texts are cached in process
     * @param localCacheChars bound of the in-process cache, in characters of text
     */
    public record Format(Optional<String> redisUrl, int cacheTtlHours, long localCacheChars, long maxQueuedBytes) {
        @Override
        public String toString() {
            return "Format[redisUrl=" + redisUrl.map(u -> "<set>").orElse("<none>") + ", cacheTtlHours=" + cacheTtlHours
                    + ", localCacheChars=" + localCacheChars + ", maxQueuedBytes=" + maxQueuedBytes + "]";
        }
    }

    public static final Setting HTTP_HOST = new Setting("http.host", "PRISM_HTTP_HOST", "0.0.0.0", "Interface the HTTP server binds");
    public static final Setting HTTP_PORT = new Setting("http.port", "PRISM_HTTP_PORT", "8080", "HTTP port (0 picks a free one)");
    public static final Setting HTTP_BODY_LIMIT = new Setting("http.bodyLimitBytes", "PRISM_HTTP_BODY_LIMIT", "20971520",
            "Largest accepted request body, after decompression (413 beyond)");
    public static final Setting HTTP_OTLP_BODY_LIMIT = new Setting("http.otlpBodyLimitBytes", "PRISM_OTLP_BODY_LIMIT", "4194304",
            "Largest accepted OTLP (/v1/traces, /v1/logs) request body, compressed and after decompression (413 beyond)");
    public static final Setting HTTP_OTLP_LOG_JOIN = new Setting("http.otlpLogJoinMillis", "PRISM_OTLP_LOG_JOIN_MS", "3000",
            "How long a generation span without content is held for its OTLP GenAI message log records (0: joining off)");
    public static final Setting HTTP_OTLP_LOG_RECORD_WAIT = new Setting("http.otlpLogRecordWaitMillis", "PRISM_OTLP_LOG_RECORD_WAIT_MS",
            "10000", "How long an OTLP GenAI message log record waits for its span (SDK batch span processors export every 5 s)");
    public static final Setting WS_AUTH_TIMEOUT = new Setting("ws.authTimeoutMillis", "PRISM_WS_AUTH_TIMEOUT_MS", "5000",
            "A WebSocket client without an Authorization header must send its auth message within this long");
    public static final Setting WS_MAX_BUFFERED_MESSAGES = new Setting("ws.maxBufferedMessages", "PRISM_WS_MAX_BUFFERED_MESSAGES", "1000",
            "Updates held for one slow WebSocket client, at most (older summaries are dropped beyond)");
    public static final Setting WS_MAX_BUFFERED_CHARS = new Setting("ws.maxBufferedChars", "PRISM_WS_MAX_BUFFERED_CHARS", "8388608",
            "Characters of JSON held for one slow WebSocket client, at most");
    public static final Setting DATA_DIR = new Setting("dataDir", "PRISM_DATA_DIR", "./data", "Where embedded PostgreSQL keeps its data");
    public static final Setting PG_URL = new Setting("pg.url", "PRISM_PG_URL", null,
            "postgresql://user:password@host:port/database; absent starts embedded PostgreSQL");
    public static final Setting PG_POOL_SIZE = new Setting("pg.poolSize", "PRISM_PG_POOL_SIZE", "8", "PostgreSQL connections");
    public static final Setting PG_API_STATEMENT_TIMEOUT = new Setting("pg.apiStatementTimeoutMillis", "PRISM_PG_API_STATEMENT_TIMEOUT_MS",
            "30000", "Longest a database statement behind a REST API request may run (504 beyond; 0: no limit)");
    public static final Setting TRACE_IDLE_SECONDS = new Setting("trace.idleSeconds", "PRISM_TRACE_IDLE_SECONDS", "60",
            "A trace without an $ai_trace event completes after this many seconds without new events");
    public static final Setting TRACE_ROOT_GRACE = new Setting("trace.rootGraceMillis", "PRISM_TRACE_ROOT_GRACE_MS", "1000",
            "After its $ai_trace event, a trace completes once no event arrived for this long");
    public static final Setting TRACE_SWEEP = new Setting("trace.sweepMillis", "PRISM_TRACE_SWEEP_MS", "500",
            "How often pending traces are checked for completion");
    public static final Setting ADMIN_TOKEN = new Setting("auth.adminToken", "PRISM_ADMIN_TOKEN", null,
            "Admin API key for /api/**; generated and printed once at first start when absent");
    public static final Setting PROJECT_TOKEN = new Setting("auth.projectToken", "PRISM_PROJECT_TOKEN", null,
            "Ingestion token of the default project; generated and printed once at first start when absent");
    public static final Setting AUTH_TOKEN_CACHE = new Setting("auth.tokenCacheMillis", "PRISM_AUTH_TOKEN_CACHE_MS", "5000",
            "How long an instance trusts an ingestion token or ingest key it already checked; a revoked key stops working everywhere within this long");
    public static final Setting AUTH_MAX_FAILURES = new Setting("auth.maxFailuresPerMinute", "PRISM_AUTH_MAX_FAILURES_PER_MINUTE", "20",
            "Failed authentications one client address may make per minute; beyond, 429 with Retry-After (0: no limit)");
    public static final Setting INGEST_MAX_EVENTS_PER_WRITE = new Setting("ingest.maxEventsPerWrite", "PRISM_INGEST_MAX_EVENTS_PER_WRITE", "2000",
            "Group commit: most events written in one transaction");
    public static final Setting INGEST_MAX_QUEUED_EVENTS = new Setting("ingest.maxQueuedEvents", "PRISM_INGEST_MAX_QUEUED_EVENTS", "50000",
            "Events waiting for the store beyond which ingestion answers 503 with Retry-After");
    public static final Setting INGEST_MAX_QUEUED_BYTES = new Setting("ingest.maxQueuedBytes", "PRISM_INGEST_MAX_QUEUED_BYTES", "134217728",
            "Bytes of event properties waiting for the store beyond which ingestion answers 503 with Retry-After");
    public static final Setting INGEST_BUSY_SHARE = new Setting("ingest.busyShare", "PRISM_INGEST_BUSY_SHARE", "0.5",
            "Ingestion counts as busy while it has requests in hand this share of the time (1: never); later stages then yield");
    public static final Setting INGEST_YIELD = new Setting("ingest.yieldMillis", "PRISM_INGEST_YIELD_MS", "5000",
            "While ingestion is busy, each later stage (trace completion, dispatch sweep, analysis, embedding, re-clustering) starts one unit of work per this long");
    public static final Setting DEMO = new Setting("demo.enabled", "PRISM_DEMO", "false", "Feed synthetic traffic into the default project");
    public static final Setting DEMO_RATE = new Setting("demo.tracesPerSecond", "PRISM_DEMO_RATE", "2", "Synthetic traces per second with the demo on");

    /**
     * The analysis provider. {@code apiKey} is a secret: never logged, never returned.
     *
     * @param baseUrl empty: the provider's public API
     * @param model   empty: the provider's default model
     */
    public record Llm(String provider, Optional<String> baseUrl, Optional<String> apiKey, Optional<String> model, int maxConcurrent,
                      int requestsPerMinute, long tokensPerMinute, int timeoutSeconds, int maxAttempts,
                      java.util.Map<String, ProviderAccess> access, Optional<Double> dailyBudgetUsd, PostHog posthog, int maxTraceChars,
                      dev.prism.pricing.Pricing pricing, long contextCacheBytes) {
        @Override
        public String toString() {
            return "Llm[provider=" + provider + ", baseUrl=" + baseUrl.orElse("<default>") + ", apiKey=" + (apiKey.isPresent() ? "<set>" : "<none>")
                    + ", model=" + model.orElse("<default>") + ", maxConcurrent=" + maxConcurrent + ", requestsPerMinute=" + requestsPerMinute
                    + ", tokensPerMinute=" + tokensPerMinute + ", timeoutSeconds=" + timeoutSeconds + ", maxAttempts=" + maxAttempts
                    + ", access=" + access + ", dailyBudgetUsd=" + dailyBudgetUsd.map(String::valueOf).orElse("<none>")
                    + ", posthog=" + posthog + ", maxTraceChars=" + maxTraceChars + ", pricedModels=" + pricing.configured().keySet() + ", contextCacheBytes=" + contextCacheBytes + "]";
        }

        /**
         * Where to reach a provider and with which key: {@code llm.baseUrl}/{@code llm.apiKey} for the configured
         * provider, else that provider's own {@code llm.<provider>.*} settings (for projects and themes choosing it).
         */
        public ProviderAccess accessTo(String name) {
            ProviderAccess own = access.getOrDefault(name, new ProviderAccess(Optional.empty(), Optional.empty()));
            return name.equals(provider)
                    ? new ProviderAccess(baseUrl.or(own::baseUrl), apiKey.or(own::apiKey)) : own;
        }
    }

    /**
     * Where to forward summaries as {@code $ai_trace_summary} events: a PostHog host and project API key (a secret);
     * forwarding is off without a host.
     */
    public record PostHog(Optional<String> host, Optional<String> apiKey) {
        @Override
        public String toString() {
            return "PostHog[host=" + host.orElse("<off>") + ", apiKey=" + (apiKey.isPresent() ? "<set>" : "<none>") + "]";
        }
    }

    public static final Setting POSTHOG_HOST = new Setting("posthog.host", "PRISM_POSTHOG_HOST", null,
            "Forward every summary to this PostHog instance as a $ai_trace_summary event (e.g. https://us.i.posthog.com)");
    public static final Setting POSTHOG_API_KEY = new Setting("posthog.apiKey", "PRISM_POSTHOG_API_KEY", null,
            "The PostHog project API key summaries are sent with (secret)");

    /** A provider's base URL (empty: its public API) and key (a secret). */
    public record ProviderAccess(Optional<String> baseUrl, Optional<String> apiKey) {
        @Override
        public String toString() {
            return "ProviderAccess[baseUrl=" + baseUrl.orElse("<default>") + ", apiKey=" + (apiKey.isPresent() ? "<set>" : "<none>") + "]";
        }
    }

    public static final Setting LLM_OPENAI_URL = new Setting("llm.openai.baseUrl", "PRISM_LLM_OPENAI_BASE_URL", null,
            "OpenAI-compatible base URL for projects or themes choosing openai while llm.provider is another");
    public static final Setting LLM_OPENAI_KEY = new Setting("llm.openai.apiKey", "PRISM_LLM_OPENAI_API_KEY", null,
            "OpenAI key for projects or themes choosing openai (secret)");
    public static final Setting LLM_ANTHROPIC_URL = new Setting("llm.anthropic.baseUrl", "PRISM_LLM_ANTHROPIC_BASE_URL", null,
            "Anthropic base URL for projects or themes choosing anthropic");
    public static final Setting LLM_ANTHROPIC_KEY = new Setting("llm.anthropic.apiKey", "PRISM_LLM_ANTHROPIC_API_KEY", null,
            "Anthropic key for projects or themes choosing anthropic (secret)");
    public static final Setting LLM_GEMINI_URL = new Setting("llm.gemini.baseUrl", "PRISM_LLM_GEMINI_BASE_URL", null,
            "Gemini base URL for projects or themes choosing gemini");
    public static final Setting LLM_GEMINI_KEY = new Setting("llm.gemini.apiKey", "PRISM_LLM_GEMINI_API_KEY", null,
            "Gemini key for projects or themes choosing gemini (secret)");
    public static final Setting LLM_MAX_TRACE_CHARS = new Setting("llm.maxTraceChars", "PRISM_LLM_MAX_TRACE_CHARS", "60000",
            "Trace text sent to an LLM per analysis, at most; longer traces are sampled evenly by line, under a header saying what share is shown");
    public static final Setting LLM_PRICES = new Setting("llm.prices", "PRISM_LLM_PRICES", null,
            "Prices of models missing from the built-in table, or overriding it: model=input/output[/cacheRead[/cacheWrite]] in USD per "
                    + "million tokens, comma-separated; a model with no price does not run paid analyses");
    public static final Setting LLM_CONTEXT_CACHE_BYTES = new Setting("llm.contextCacheBytes", "PRISM_LLM_CONTEXT_CACHE_BYTES", "67108864",
            "Bytes of traces and texts kept for queued analyses at most; beyond, a task fetches its trace and text when it runs");
    public static final Setting LLM_DAILY_BUDGET = new Setting("llm.dailyBudgetUsd", "PRISM_LLM_DAILY_BUDGET_USD", null,
            "Default daily LLM budget per project in USD (projects may set their own); reached, analyses wait until midnight UTC");

    /**
     * @param schedulerSeconds how often themes' schedules are checked for a run to start; 0: no scheduled runs
     * @param progressMillis   how often running runs count their progress and publish it
     */
    public record Runs(int schedulerSeconds, long progressMillis) {
    }

    public static final Setting RUN_SCHEDULER = new Setting("run.schedulerSeconds", "PRISM_RUN_SCHEDULER_SECONDS", "30",
            "How often theme schedules are checked for a run to start (0: scheduled runs off)");
    public static final Setting RUN_PROGRESS = new Setting("run.progressMillis", "PRISM_RUN_PROGRESS_MS", "1000",
            "How often running runs count and publish their progress");

    public static final Setting LLM_PROVIDER = new Setting("llm.provider", "PRISM_LLM_PROVIDER", "offline",
            "offline (no network), openai (any OpenAI-compatible server), anthropic or gemini");
    public static final Setting LLM_BASE_URL = new Setting("llm.baseUrl", "PRISM_LLM_BASE_URL", null,
            "Provider base URL, e.g. http://localhost:11434/v1 for Ollama; absent: the provider's public API");
    public static final Setting LLM_API_KEY = new Setting("llm.apiKey", "PRISM_LLM_API_KEY", null, "Provider API key (secret)");
    public static final Setting LLM_MODEL = new Setting("llm.model", "PRISM_LLM_MODEL", null,
            "Model; absent: gpt-4o-mini, claude-3-5-haiku-latest or gemini-2.5-flash");
    public static final Setting LLM_MAX_CONCURRENT = new Setting("llm.maxConcurrent", "PRISM_LLM_MAX_CONCURRENT", "8", "Calls in flight");
    public static final Setting LLM_RPM = new Setting("llm.requestsPerMinute", "PRISM_LLM_REQUESTS_PER_MINUTE", "500", "Request budget");
    public static final Setting LLM_TPM = new Setting("llm.tokensPerMinute", "PRISM_LLM_TOKENS_PER_MINUTE", "2000000", "Token budget");
    public static final Setting LLM_TIMEOUT = new Setting("llm.timeoutSeconds", "PRISM_LLM_TIMEOUT_SECONDS", "60", "Hard deadline per call");
    public static final Setting LLM_MAX_ATTEMPTS = new Setting("llm.maxAttempts", "PRISM_LLM_MAX_ATTEMPTS", "5",
            "Attempts before an analysis is dead-lettered");

    /**
     * Embedding of relevant summaries. {@code apiKey} is a secret: never logged, never returned.
     *
     * @param provider        {@code local} (all-MiniLM-L6-v2 in process) or {@code openai} (any OpenAI-compatible server)
     * @param baseUrl         empty: {@code https://api.openai.com/v1}
     * @param model           empty: the provider's default ({@code all-minilm-l6-v2-q}, {@code text-embedding-3-small})
     * @param batchSize       texts per batch (and per request to the provider) at most
     * @param batchWaitMillis a batch that is not full leaves this long after its first text
     * @param intraOpThreads  ONNX threads one local embedding call may use
     * @param workers         worker threads for the local model; 0: one per core
     * @param cacheBytes      vectors cached by text hash, at most this many bytes
     * @param maxPendingBytes texts waiting for a batch, at most this many bytes; beyond, the sweep embeds them later
     * @param sweepSeconds    how often relevant summaries without a vector are looked for (and how old they must be)
     * @param vectorHeapBytes vectors of the search and clustering indexes kept on the heap; beyond, in memory-mapped pages
     */
    public record Embed(String provider, Optional<String> baseUrl, Optional<String> apiKey, Optional<String> model, int batchSize,
                        long batchWaitMillis, int intraOpThreads, int workers, int timeoutSeconds, int maxAttempts, long cacheBytes,
                        long maxPendingBytes, int sweepSeconds, long vectorHeapBytes) {
        @Override
        public String toString() {
            return "Embed[provider=" + provider + ", baseUrl=" + baseUrl.orElse("<default>") + ", apiKey=" + (apiKey.isPresent() ? "<set>" : "<none>")
                    + ", model=" + model.orElse("<default>") + ", batchSize=" + batchSize + ", batchWaitMillis=" + batchWaitMillis
                    + ", intraOpThreads=" + intraOpThreads + ", workers=" + workers + ", timeoutSeconds=" + timeoutSeconds
                    + ", maxAttempts=" + maxAttempts + ", cacheBytes=" + cacheBytes + ", maxPendingBytes=" + maxPendingBytes
                    + ", sweepSeconds=" + sweepSeconds + ", vectorHeapBytes=" + vectorHeapBytes + "]";
        }
    }

    public static final Setting EMBED_PROVIDER = new Setting("embed.provider", "PRISM_EMBED_PROVIDER", "local",
            "local (all-MiniLM-L6-v2 in process, offline) or openai (any OpenAI-compatible /v1/embeddings)");
    public static final Setting EMBED_BASE_URL = new Setting("embed.baseUrl", "PRISM_EMBED_BASE_URL", null,
            "Embedding server base URL, e.g. http://localhost:11434/v1; absent: https://api.openai.com/v1");
    public static final Setting EMBED_API_KEY = new Setting("embed.apiKey", "PRISM_EMBED_API_KEY", null, "Embedding provider API key (secret)");
    public static final Setting EMBED_MODEL = new Setting("embed.model", "PRISM_EMBED_MODEL", null,
            "Embedding model of the openai provider; absent: text-embedding-3-small");
    public static final Setting EMBED_BATCH_SIZE = new Setting("embed.batchSize", "PRISM_EMBED_BATCH_SIZE", "64",
            "Texts per embedding batch (and per provider request) at most");
    public static final Setting EMBED_BATCH_WAIT = new Setting("embed.batchWaitMillis", "PRISM_EMBED_BATCH_WAIT_MS", "100",
            "A batch that is not full is embedded this long after its first text");
    public static final Setting EMBED_INTRA_OP_THREADS = new Setting("embed.intraOpThreads", "PRISM_EMBED_INTRA_OP_THREADS", "1",
            "ONNX threads one local embedding call may use");
    public static final Setting EMBED_WORKERS = new Setting("embed.workers", "PRISM_EMBED_WORKERS", "0",
            "Worker threads running the local model; 0: one per core");
    public static final Setting EMBED_TIMEOUT = new Setting("embed.timeoutSeconds", "PRISM_EMBED_TIMEOUT_SECONDS", "30",
            "Hard deadline per embedding request to the provider");
    public static final Setting EMBED_MAX_ATTEMPTS = new Setting("embed.maxAttempts", "PRISM_EMBED_MAX_ATTEMPTS", "5",
            "Attempts per embedding request (429 and 5xx are retried with backoff)");
    public static final Setting EMBED_CACHE_BYTES = new Setting("embed.cacheBytes", "PRISM_EMBED_CACHE_BYTES", "16777216",
            "Bytes of vectors kept by text hash and model to skip embedding identical texts again");
    public static final Setting EMBED_MAX_PENDING_BYTES = new Setting("embed.maxPendingBytes", "PRISM_EMBED_MAX_PENDING_BYTES", "16777216",
            "Bytes of summary text waiting to be embedded at most; beyond, the sweep embeds them later from the database");
    public static final Setting EMBED_SWEEP_SECONDS = new Setting("embed.sweepSeconds", "PRISM_EMBED_SWEEP_SECONDS", "60",
            "How often relevant summaries without a vector (a failed batch, a crash) are looked for and embedded");
    public static final Setting EMBED_VECTOR_HEAP_BYTES = new Setting("embed.vectorHeapBytes", "PRISM_EMBED_VECTOR_HEAP_BYTES", "268435456",
            "Bytes of vectors kept on the heap for search and clustering; beyond, vectors live in memory-mapped pages");

    /**
     * Clustering of each theme's summary embeddings.
     *
     * @param refreshMinutes re-cluster every theme that received summaries since its last run this often; 0: never on a timer
     * @param refreshAfter   re-cluster a theme once this many new summaries arrived since its last run; 0: never by count
     */
    /**
     * @param refreshMinutes     re-cluster themes with new summaries this often (0: not on a timer)
     * @param refreshAfter       at least this many new summaries before a theme re-clusters by count (0: not by count)
     * @param refreshShare       ... and at least this share of the theme's size at its last run
     * @param minIntervalSeconds automatic runs of one theme at least this far apart, and at least nine times the last run's
     *                           duration (so re-clustering takes at most a tenth of the time of any theme)
     * @param threads            threads one re-clustering computes on
     */
    public record Cluster(int refreshMinutes, int refreshAfter, double refreshShare, int minIntervalSeconds, int threads) {
    }

    public static final Setting CLUSTER_REFRESH_MINUTES = new Setting("cluster.refreshMinutes", "PRISM_CLUSTER_REFRESH_MINUTES", "30",
            "Re-cluster every theme with new summaries this often (0: not on a timer)");
    public static final Setting CLUSTER_REFRESH_AFTER = new Setting("cluster.refreshAfter", "PRISM_CLUSTER_REFRESH_AFTER", "50",
            "Re-cluster a theme once this many new summaries arrived since its last run (0: not by count)");

    public static final Setting CLUSTER_REFRESH_SHARE = new Setting("cluster.refreshShare", "PRISM_CLUSTER_REFRESH_SHARE", "0.2",
            "...and only once the new summaries are at least this share of the theme's size at its last run");
    public static final Setting CLUSTER_MIN_INTERVAL = new Setting("cluster.minIntervalSeconds", "PRISM_CLUSTER_MIN_INTERVAL_SECONDS", "60",
            "Automatic re-clusterings of one theme at least this far apart (and at least 9 times the last run's duration)");
    public static final Setting CLUSTER_THREADS = new Setting("cluster.threads", "PRISM_CLUSTER_THREADS", "1",
            "Threads one re-clustering computes on (one run at a time; the rest of the cores stay with ingestion)");

    /**
     * @param maxAttempts      attempts per delivery before it is dead
     * @param evaluateSeconds  every theme with rules is evaluated this often besides on every cluster update (0: only on updates)
     * @param backoffMillis    wait before the second attempt; doubles per attempt, jittered between half and all of that (common/Backoff), at most an hour
     * @param sendTimeoutSeconds hard deadline of one attempt
     * @param pollMillis       how often the delivery worker looks for due rows (queued rows wake it at once)
     * @param allowPrivateDestinations {@code false}, {@code true}, or a comma-separated list of CIDRs and host names that
     *                 alert destinations may resolve to although private, loopback or link-local
     * @param ticketPollSeconds how often the Linear and GitHub issues kept for clusters are asked whether they were closed (0: never)
     */
    public record Alerts(int maxAttempts, int evaluateSeconds, long backoffMillis, int sendTimeoutSeconds, long pollMillis,
                         String allowPrivateDestinations, int ticketPollSeconds) {
    }

    public static final Setting ALERTS_MAX_ATTEMPTS = new Setting("alerts.maxAttempts", "PRISM_ALERTS_MAX_ATTEMPTS", "5",
            "Attempts per alert delivery before it is dead (retries on 5xx, 429 and timeouts)");
    public static final Setting ALERTS_EVALUATE_SECONDS = new Setting("alerts.evaluateSeconds", "PRISM_ALERTS_EVALUATE_SECONDS", "60",
            "Evaluate every theme's alert rules this often, besides on each cluster update (0: only on updates)");
    public static final Setting ALERTS_BACKOFF = new Setting("alerts.backoffMillis", "PRISM_ALERTS_BACKOFF_MS", "2000",
            "Wait before retrying a failed delivery; doubles per attempt with jitter, at most an hour");
    public static final Setting ALERTS_SEND_TIMEOUT = new Setting("alerts.sendTimeoutSeconds", "PRISM_ALERTS_SEND_TIMEOUT_SECONDS", "10",
            "Hard deadline of one delivery attempt");
    public static final Setting ALERTS_POLL = new Setting("alerts.pollMillis", "PRISM_ALERTS_POLL_MS", "1000",
            "How often the delivery worker looks for due deliveries");
    public static final Setting ALERTS_ALLOW_PRIVATE = new Setting("alerts.allowPrivateDestinations", "PRISM_ALERTS_ALLOW_PRIVATE_DESTINATIONS", "false",
            "Alert destinations on private, loopback or link-local addresses: false, true, or a comma-separated list of CIDRs and hosts");
    public static final Setting ALERTS_TICKET_POLL = new Setting("alerts.ticketPollSeconds", "PRISM_ALERTS_TICKET_POLL_SECONDS", "300",
            "Ask Linear and GitHub this often whether the issues kept for clusters were closed, so a cluster that grows after its issue was closed counts as regressed (0: never)");
    public static final Setting DASHBOARD_PUBLIC_URL = new Setting("dashboard.publicUrl", "PRISM_DASHBOARD_PUBLIC_URL", null,
            "The dashboard's URL as people and alert receivers reach it (https://prism.example.com), for links in alerts, exports and share links");

    public static final Setting REDIS_URL = new Setting("redis.url", "PRISM_REDIS_URL", null,
            "redis://[:password@]host:port[/db]; absent keeps caches in process");
    public static final Setting FORMAT_CACHE_TTL = new Setting("format.cacheTtlHours", "PRISM_FORMAT_CACHE_TTL_HOURS", "24",
            "How long rendered trace texts stay cached");
    public static final Setting FORMAT_LOCAL_CACHE = new Setting("format.localCacheChars", "PRISM_FORMAT_LOCAL_CACHE_CHARS", "67108864",
            "Bound of the in-process text cache, in characters (used without Redis)");
    public static final Setting FORMAT_MAX_QUEUED_BYTES = new Setting("format.maxQueuedBytes", "PRISM_FORMAT_MAX_QUEUED_BYTES", "67108864",
            "Bytes of completed traces waiting to be rendered at most; beyond, the dispatch sweep picks them up from the database");

    public static final Setting KAFKA_BOOTSTRAP = new Setting("kafka.bootstrap", "PRISM_KAFKA_BOOTSTRAP", null,
            "Kafka bootstrap servers (host:port,...); set, capture goes through Kafka; absent, events are written directly");
    public static final Setting KAFKA_TOPIC = new Setting("kafka.topic", "PRISM_KAFKA_TOPIC", "prism.events", "Topic of captured events");
    public static final Setting KAFKA_GROUP = new Setting("kafka.group", "PRISM_KAFKA_GROUP", "prism-store",
            "Consumer group of the instances that store events");
    public static final Setting KAFKA_PARTITIONS = new Setting("kafka.partitions", "PRISM_KAFKA_PARTITIONS", "6",
            "Partitions of the events topic when Prism creates it");
    public static final Setting KAFKA_MAX_POLL_EVENTS = new Setting("kafka.maxPollEvents", "PRISM_KAFKA_MAX_POLL_EVENTS", "2000",
            "Events an instance reads from Kafka per poll and stores before it commits and reads more");
    public static final Setting KAFKA_ACK_TIMEOUT = new Setting("kafka.ackTimeoutMillis", "PRISM_KAFKA_ACK_TIMEOUT_MILLIS", "8000",
            "How long capture waits for Kafka's acknowledgement before answering 503 kafka_unavailable");

    public static final List<Setting> SETTINGS = List.of(HTTP_HOST, HTTP_PORT, HTTP_BODY_LIMIT, HTTP_OTLP_BODY_LIMIT, HTTP_OTLP_LOG_JOIN, HTTP_OTLP_LOG_RECORD_WAIT,
            WS_AUTH_TIMEOUT, WS_MAX_BUFFERED_MESSAGES, WS_MAX_BUFFERED_CHARS, DATA_DIR, PG_URL, PG_POOL_SIZE, PG_API_STATEMENT_TIMEOUT,
            TRACE_IDLE_SECONDS, TRACE_ROOT_GRACE, TRACE_SWEEP, ADMIN_TOKEN, PROJECT_TOKEN, AUTH_TOKEN_CACHE, AUTH_MAX_FAILURES,
            INGEST_MAX_EVENTS_PER_WRITE, INGEST_MAX_QUEUED_EVENTS, INGEST_MAX_QUEUED_BYTES, INGEST_BUSY_SHARE, INGEST_YIELD, DEMO, DEMO_RATE, REDIS_URL,
            FORMAT_CACHE_TTL, FORMAT_LOCAL_CACHE, FORMAT_MAX_QUEUED_BYTES,
            LLM_PROVIDER, LLM_BASE_URL, LLM_API_KEY, LLM_MODEL, LLM_MAX_CONCURRENT, LLM_RPM, LLM_TPM, LLM_TIMEOUT, LLM_MAX_ATTEMPTS,
            LLM_OPENAI_URL, LLM_OPENAI_KEY, LLM_ANTHROPIC_URL, LLM_ANTHROPIC_KEY, LLM_GEMINI_URL, LLM_GEMINI_KEY, LLM_DAILY_BUDGET, LLM_MAX_TRACE_CHARS, LLM_PRICES, LLM_CONTEXT_CACHE_BYTES,
            POSTHOG_HOST, POSTHOG_API_KEY, RUN_SCHEDULER, RUN_PROGRESS,

            EMBED_PROVIDER, EMBED_BASE_URL, EMBED_API_KEY, EMBED_MODEL, EMBED_BATCH_SIZE, EMBED_BATCH_WAIT, EMBED_INTRA_OP_THREADS, EMBED_WORKERS,
            EMBED_TIMEOUT, EMBED_MAX_ATTEMPTS, EMBED_CACHE_BYTES, EMBED_MAX_PENDING_BYTES, EMBED_SWEEP_SECONDS,
            EMBED_VECTOR_HEAP_BYTES, CLUSTER_REFRESH_MINUTES, CLUSTER_REFRESH_AFTER, CLUSTER_REFRESH_SHARE, CLUSTER_MIN_INTERVAL, CLUSTER_THREADS,
            ALERTS_MAX_ATTEMPTS, ALERTS_EVALUATE_SECONDS, ALERTS_BACKOFF, ALERTS_SEND_TIMEOUT, ALERTS_POLL, ALERTS_ALLOW_PRIVATE, ALERTS_TICKET_POLL, DASHBOARD_PUBLIC_URL,
            KAFKA_BOOTSTRAP, KAFKA_TOPIC, KAFKA_GROUP, KAFKA_PARTITIONS, KAFKA_MAX_POLL_EVENTS, KAFKA_ACK_TIMEOUT);

    public static PrismConfig from(ConfigSource source) {
        Reader r = new Reader(source);
        return new PrismConfig(
                new Http(r.string(HTTP_HOST), (int) r.integer(HTTP_PORT, 0, 65535), r.integer(HTTP_BODY_LIMIT, 1024, Integer.MAX_VALUE),
                        r.integer(HTTP_OTLP_BODY_LIMIT, 1024, Integer.MAX_VALUE), r.integer(HTTP_OTLP_LOG_JOIN, 0, 600_000),
                        r.integer(HTTP_OTLP_LOG_RECORD_WAIT, 100, 600_000),
                        new WebSocket(r.integer(WS_AUTH_TIMEOUT, 10, 600_000), (int) r.integer(WS_MAX_BUFFERED_MESSAGES, 1, 1_000_000),
                                r.integer(WS_MAX_BUFFERED_CHARS, 1_024, Integer.MAX_VALUE))),
                new Store(r.optional(PG_URL).map(url -> validPgUrl(url, source)), Path.of(r.string(DATA_DIR)),
                        (int) r.integer(PG_POOL_SIZE, 1, 1000), r.integer(PG_API_STATEMENT_TIMEOUT, 0, 86_400_000)),
                new Traces((int) r.integer(TRACE_IDLE_SECONDS, 1, 86_400 * 7), r.integer(TRACE_ROOT_GRACE, 0, 3_600_000),
                        r.integer(TRACE_SWEEP, 10, 60_000)),
                new Auth(r.optional(ADMIN_TOKEN).map(t -> validToken(t, ADMIN_TOKEN)),
                        r.optional(PROJECT_TOKEN).map(t -> validToken(t, PROJECT_TOKEN)),
                        r.integer(AUTH_TOKEN_CACHE, 0, 3_600_000), (int) r.integer(AUTH_MAX_FAILURES, 0, 1_000_000)),
                new Ingest((int) r.integer(INGEST_MAX_EVENTS_PER_WRITE, 1, 100_000), (int) r.integer(INGEST_MAX_QUEUED_EVENTS, 100, 10_000_000),
                        r.integer(INGEST_MAX_QUEUED_BYTES, 1_048_576, Long.MAX_VALUE / 4),
                        r.decimal(INGEST_BUSY_SHARE, 0.01, 1), r.integer(INGEST_YIELD, 10, 600_000)),
                new Demo(r.bool(DEMO), r.decimal(DEMO_RATE, 0.01, 10_000)),
                new Format(r.optional(REDIS_URL).map(PrismConfig::validRedisUrl), (int) r.integer(FORMAT_CACHE_TTL, 1, 24 * 365),
                        r.integer(FORMAT_LOCAL_CACHE, 0, Long.MAX_VALUE / 4), r.integer(FORMAT_MAX_QUEUED_BYTES, 0, Long.MAX_VALUE / 4)),
                new Llm(r.choice(LLM_PROVIDER, "offline", "openai", "anthropic", "gemini"), r.optional(LLM_BASE_URL), r.optional(LLM_API_KEY),
                        r.optional(LLM_MODEL), (int) r.integer(LLM_MAX_CONCURRENT, 1, 1_024), (int) r.integer(LLM_RPM, 1, 1_000_000),
                        r.integer(LLM_TPM, 1_000, 1_000_000_000), (int) r.integer(LLM_TIMEOUT, 1, 3_600), (int) r.integer(LLM_MAX_ATTEMPTS, 1, 100),
                        java.util.Map.of("openai", new ProviderAccess(r.optional(LLM_OPENAI_URL), r.optional(LLM_OPENAI_KEY)),
                                "anthropic", new ProviderAccess(r.optional(LLM_ANTHROPIC_URL), r.optional(LLM_ANTHROPIC_KEY)),
                                "gemini", new ProviderAccess(r.optional(LLM_GEMINI_URL), r.optional(LLM_GEMINI_KEY))),
                        r.optional(LLM_DAILY_BUDGET).isEmpty() ? Optional.empty() : Optional.of(r.decimal(LLM_DAILY_BUDGET, 0, 1e9)),
                        new PostHog(r.optional(POSTHOG_HOST), r.optional(POSTHOG_API_KEY)), (int) r.integer(LLM_MAX_TRACE_CHARS, 1_000, 10_000_000),
                        new dev.prism.pricing.Pricing(r.parse(LLM_PRICES, dev.prism.pricing.Pricing::parse, "expected model=input/output[/cacheRead[/cacheWrite]], ...")),
                        r.integer(LLM_CONTEXT_CACHE_BYTES, 0, Long.MAX_VALUE / 4)),
                new Runs((int) r.integer(RUN_SCHEDULER, 0, 86_400), r.integer(RUN_PROGRESS, 50, 60_000)),

                new Embed(r.choice(EMBED_PROVIDER, "local", "openai"), r.optional(EMBED_BASE_URL), r.optional(EMBED_API_KEY), r.optional(EMBED_MODEL),
                        (int) r.integer(EMBED_BATCH_SIZE, 1, 2_048), r.integer(EMBED_BATCH_WAIT, 0, 60_000), (int) r.integer(EMBED_INTRA_OP_THREADS, 1, 256),
                        (int) r.integer(EMBED_WORKERS, 0, 256), (int) r.integer(EMBED_TIMEOUT, 1, 3_600), (int) r.integer(EMBED_MAX_ATTEMPTS, 1, 100),
                        r.integer(EMBED_CACHE_BYTES, 0, Long.MAX_VALUE / 4), r.integer(EMBED_MAX_PENDING_BYTES, 65_536, Long.MAX_VALUE / 4),
                        (int) r.integer(EMBED_SWEEP_SECONDS, 1, 86_400), r.integer(EMBED_VECTOR_HEAP_BYTES, 0, Long.MAX_VALUE / 4)),
                new Cluster((int) r.integer(CLUSTER_REFRESH_MINUTES, 0, 7 * 24 * 60), (int) r.integer(CLUSTER_REFRESH_AFTER, 0, 10_000_000),
                        r.decimal(CLUSTER_REFRESH_SHARE, 0, 100), (int) r.integer(CLUSTER_MIN_INTERVAL, 0, 86_400), (int) r.integer(CLUSTER_THREADS, 1, 256)),
                new Alerts((int) r.integer(ALERTS_MAX_ATTEMPTS, 1, 100), (int) r.integer(ALERTS_EVALUATE_SECONDS, 0, 86_400),
                        r.integer(ALERTS_BACKOFF, 1, 3_600_000), (int) r.integer(ALERTS_SEND_TIMEOUT, 1, 600), r.integer(ALERTS_POLL, 10, 600_000),
                        r.string(ALERTS_ALLOW_PRIVATE), (int) r.integer(ALERTS_TICKET_POLL, 0, 86_400)),
                new Dashboard(r.optional(DASHBOARD_PUBLIC_URL).map(PrismConfig::validPublicUrl)),
                new Kafka(r.optional(KAFKA_BOOTSTRAP), r.string(KAFKA_TOPIC), r.string(KAFKA_GROUP), (int) r.integer(KAFKA_PARTITIONS, 1, 10_000),
                        (int) r.integer(KAFKA_MAX_POLL_EVENTS, 1, 1_000_000), r.integer(KAFKA_ACK_TIMEOUT, 1_000, 600_000)));
    }

    private static String validPgUrl(String url, ConfigSource source) {
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            // The URL may hold a password: name the key, not the value.
            throw new ConfigException("Invalid value for " + PG_URL.path() + " (" + PG_URL.env()
                    + "): expected a URL starting with postgresql://");
        }
        return url;
    }

    private static String validPublicUrl(String url) {
        if (!url.matches("(?i)https?://[^\\s/]+(/\\S*)?")) {
            throw new ConfigException("Invalid value for " + DASHBOARD_PUBLIC_URL.path() + " (" + DASHBOARD_PUBLIC_URL.env()
                    + "): expected an http:// or https:// URL such as https://prism.example.com");
        }
        return url.replaceAll("/+$", "");
    }

    private static String validRedisUrl(String url) {
        if (!url.startsWith("redis://") && !url.startsWith("rediss://") && !url.startsWith("unix://")) {
            throw new ConfigException("Invalid value for " + REDIS_URL.path() + " (" + REDIS_URL.env()
                    + "): expected a URL starting with redis://, rediss:// or unix://");
        }
        return url;
    }

    private static String validToken(String token, Setting setting) {
        if (token.length() < 16) {
            throw new ConfigException("Invalid value for " + setting.path() + " (" + setting.env()
                    + "): a token needs at least 16 characters");
        }
        return token;
    }

    /** Parses raw strings into typed values, naming key, origin and value when one does not fit. */
    private record Reader(ConfigSource source) {

        String string(Setting s) {
            return optional(s).orElseThrow(() -> new ConfigException("Missing value for " + s.path() + " (" + s.env() + ")"));
        }

        Optional<String> optional(Setting s) {
            Optional<ConfigSource.Raw> raw = source.lookup(s);
            if (raw.isPresent()) {
                String v = raw.get().value().trim();
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
            return Optional.ofNullable(s.defaultValue());
        }

        long integer(Setting s, long min, long max) {
            return parse(s, v -> {
                long n = Long.parseLong(v);
                if (n < min || n > max) {
                    throw new IllegalArgumentException("expected an integer from " + min + " to " + max);
                }
                return n;
            }, "expected an integer from " + min + " to " + max);
        }

        double decimal(Setting s, double min, double max) {
            return parse(s, v -> {
                double n = Double.parseDouble(v);
                if (!(n >= min && n <= max)) {
                    throw new IllegalArgumentException("expected a number from " + min + " to " + max);
                }
                return n;
            }, "expected a number from " + min + " to " + max);
        }

        String choice(Setting s, String... allowed) {
            return parse(s, v -> {
                for (String a : allowed) {
                    if (a.equalsIgnoreCase(v)) {
                        return a;
                    }
                }
                throw new IllegalArgumentException("expected one of " + String.join(", ", allowed));
            }, "expected one of " + String.join(", ", allowed));
        }

        boolean bool(Setting s) {
            return parse(s, v -> switch (v.toLowerCase()) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> throw new IllegalArgumentException("expected true or false");
            }, "expected true or false");
        }

        <T> T parse(Setting s, Function<String, T> parser, String expectation) {
            Optional<ConfigSource.Raw> raw = source.lookup(s);
            String value = raw.map(ConfigSource.Raw::value).map(String::trim).orElse(s.defaultValue());
            String origin = raw.map(ConfigSource.Raw::origin).orElse("default of " + s.path());
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException | NullPointerException e) {
                String why = e instanceof NumberFormatException || e.getMessage() == null ? expectation : e.getMessage();
                throw new ConfigException("Invalid value for " + s.path() + " from " + origin + ": '" + value + "' (" + why + ")");
            }
        }
    }
}
