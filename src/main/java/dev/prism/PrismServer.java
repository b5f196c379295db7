package dev.prism;

import dev.prism.alert.AlertDeliveryVerticle;
import dev.prism.alert.AlertEvaluationVerticle;
import dev.prism.alert.AlertRulesVerticle;
import dev.prism.alert.AlertTicketPollVerticle;
import dev.prism.alert.Destination;
import dev.prism.bus.Codecs;
import dev.prism.cluster.ClusterQueryVerticle;
import dev.prism.cluster.ClusterVerticle;
import dev.prism.config.PrismConfig;
import dev.prism.demo.DemoVerticle;
import dev.prism.embed.EmbedSearchVerticle;
import dev.prism.embed.EmbedVectorsVerticle;
import dev.prism.embed.EmbedWriterVerticle;
import dev.prism.embed.SharedEmbeddings;
import dev.prism.export.ExportVerticle;
import dev.prism.format.FormatVerticle;
import dev.prism.ingest.IngestVerticle;
import dev.prism.lifecycle.Quiescent;
import dev.prism.llm.AnalysisVerticle;
import dev.prism.metrics.Metrics;
import dev.prism.metrics.PipelineMetricsVerticle;
import dev.prism.project.ProjectVerticle;
import dev.prism.run.RunVerticle;
import dev.prism.share.ShareVerticle;
import dev.prism.store.Database;
import dev.prism.theme.DispatchSweepVerticle;
import dev.prism.theme.ThemeCrudVerticle;
import dev.prism.theme.ThemeDispatchVerticle;
import dev.prism.theme.ThemePreviewVerticle;
import dev.prism.trace.TraceAssemblyVerticle;
import dev.prism.web.HttpServerVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: starts the store, then deploys every feature's verticle, and undeploys them in reverse on
 * {@link #stop()} so the store closes last, after in-flight writes.
 */
public final class PrismServer {

    private static final Logger LOG = LoggerFactory.getLogger(PrismServer.class);

    private final Vertx vertx;
    private final Database database;
    private final List<String> deployments;
    private final List<Quiescent> quiescent;
    private final int httpPort;

    /** This build's version, as instances report it. */
    public static final String VERSION = "0.1.0";

    /** How often {@code /metrics} reads the analysis backlog: one grouped count over the analyses table. */
    static final long BACKLOG_METRICS_MILLIS = 15_000;

    private PrismServer(Vertx vertx, Database database, List<String> deployments, List<Quiescent> quiescent, int httpPort) {
        this.vertx = vertx;
        this.database = database;
        this.deployments = deployments;
        this.quiescent = quiescent;
        this.httpPort = httpPort;
    }

    public static Future<PrismServer> start(Vertx vertx, PrismConfig config, PrintStream console) {
        return start(vertx, config, console, pool -> alertDestinations(vertx, pool, config));
    }

    /** @param alertDestinations the destinations alert rules may name, one per type (tests bring their own) */
    public static Future<PrismServer> start(Vertx vertx, PrismConfig config, PrintStream console, List<Destination> alertDestinations) {
        return start(vertx, config, console, pool -> alertDestinations);
    }

    private static Future<PrismServer> start(Vertx vertx, PrismConfig config, PrintStream console,
                                             java.util.function.Function<io.vertx.sqlclient.Pool, List<Destination>> destinationsFor) {
        Codecs.register(vertx);
        Metrics metrics = new Metrics();
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        return Database.start(vertx, config.store()).compose(db -> {
            List<Destination> alertDestinations = destinationsFor.apply(db.pool());
            List<String> deployed = new ArrayList<>();
            List<Quiescent> quiescent = new java.util.concurrent.CopyOnWriteArrayList<>();
            HttpServerVerticle[] firstHttp = new HttpServerVerticle[1];
            SharedEmbeddings embeddings = new SharedEmbeddings(config.embed());
            Future<?> chain = deploy(vertx, deployed, remembered(quiescent, () -> new dev.prism.lifecycle.InstanceVerticle(db.pool(), VERSION)), 1)
                    .compose(v -> deploy(vertx, deployed, () -> new ProjectVerticle(db.pool(), config.auth(), console), 1))
                    // First, so it counts what every later stage publishes from their first event on.
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new PipelineMetricsVerticle(metrics, BACKLOG_METRICS_MILLIS)), 1))
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new TraceAssemblyVerticle(db.pool(), db.apiPool(), config.traces(), config.ingest())), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new FormatVerticle(config.format(), metrics, config.llm().maxTraceChars()), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new dev.prism.relevance.RelevanceVerticle(db.pool(), config.llm().maxTraceChars()), 1))
                    // Theme configuration first: it brings the built-in themes in step before anything reads them.
                    .compose(v -> deploy(vertx, deployed, () -> new ThemeCrudVerticle(db.pool(), db.apiPool()), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new ThemePreviewVerticle(db.pool(), db.apiPool(), config.llm().maxTraceChars(), config.llm().pricing()), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new ThemeDispatchVerticle(db.pool()), 1))
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new DispatchSweepVerticle(db.pool(), config.ingest())), 1))
                    // Embedding consumes what analysis publishes: it starts first and stops last so no summary finds it absent.
                    // Clustering consumes what embedding publishes, so it starts before it and stops after it.
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new ClusterVerticle(db.pool(), db.connectOptions(), config.cluster(), config.ingest(), metrics)), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new ClusterQueryVerticle(db.pool()), 1))
                    // One model, cache and set of indexes for the three: the writer loads and closes them, so it starts
                    // before and stops after the two that answer from them.
                    .compose(v -> deploy(vertx, deployed, () -> new EmbedWriterVerticle(db.pool(), config.embed(), config.ingest(), metrics, embeddings), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new EmbedSearchVerticle(embeddings), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new EmbedVectorsVerticle(db.pool(), config.embed(), metrics, embeddings), 1))
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new AnalysisVerticle(db.pool(), config.llm(), config.ingest(), config.format().redisUrl())), 1))
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new RunVerticle(db.pool(), config.runs())), 1))
                    .compose(v -> deploy(vertx, deployed, () -> new AlertRulesVerticle(db.apiPool(), alertDestinations), 1))
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new AlertDeliveryVerticle(db.pool(), alertDestinations, config.alerts())), 1))
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new AlertEvaluationVerticle(db.pool(), config.alerts(), config.dashboard())), 1))
                    .compose(v -> deploy(vertx, deployed, remembered(quiescent, () -> new AlertTicketPollVerticle(db.pool(), alertDestinations, config.alerts())), 1))
                    .compose(v -> deploy(vertx, deployed, ExportVerticle::new, 1))
                    .compose(v -> deploy(vertx, deployed, () -> new ShareVerticle(db.pool()), 1))
                    // Before capture: with Kafka on, this instance's member of the group that stores what capture produces.
                    .compose(v -> config.kafka().enabled()
                            ? deploy(vertx, deployed, () -> new dev.prism.ingest.KafkaStoreVerticle(db.pool(), config, metrics), 1)
                            : Future.succeededFuture())
                    .compose(v -> deploy(vertx, deployed, () -> new IngestVerticle(db.pool(), config, metrics), cores))
                    .compose(v -> deploy(vertx, deployed, dev.prism.otel.OtlpVerticle.sharing(config.http().otlpBodyLimitBytes(), metrics,
                            config.http().otlpLogJoinMillis(), config.http().otlpLogRecordWaitMillis())::get, cores))
                    // With a PostgreSQL other instances may share, their WebSocket clients see this one's updates and back.
                    .compose(v -> db.shared()
                            ? deploy(vertx, deployed, () -> new dev.prism.web.LiveRelayVerticle(db.pool(), db.connectOptions(), metrics), 1)
                            : Future.succeededFuture())
                    .compose(v -> deploy(vertx, deployed, () -> {
                        HttpServerVerticle http = new HttpServerVerticle(config.http(), db.pool(), metrics, config.dashboard());
                        if (firstHttp[0] == null) {
                            firstHttp[0] = http;
                        }
                        return http;
                    }, cores))
                    .compose(v -> config.demo().enabled()
                            ? deploy(vertx, deployed, () -> new DemoVerticle(ProjectVerticle.DEFAULT_PROJECT, config.demo().tracesPerSecond(),
                                    System.nanoTime()), 1)
                            : Future.succeededFuture());
            return chain
                    .map(v -> new PrismServer(vertx, db, deployed, quiescent, firstHttp[0].actualPort()))
                    .onSuccess(s -> LOG.info("Prism listening on http://{}:{} ({})", config.http().host(), s.httpPort, db.description()))
                    .recover(e -> quiesceAll(quiescent).eventually(() -> undeployAll(vertx, deployed)).eventually(() -> db.close(vertx)).transform(ignored -> Future.failedFuture(e)));
        });
    }

    /** Slack, signed webhooks, Linear and GitHub, calling out through the address policy {@code alerts.allowPrivateDestinations}. */
    private static List<Destination> alertDestinations(Vertx vertx, io.vertx.sqlclient.Pool pool, PrismConfig config) {
        String allow = config.alerts().allowPrivateDestinations().strip();
        Object allowed = allow.isEmpty() || allow.equalsIgnoreCase("false") ? Boolean.FALSE : allow.equalsIgnoreCase("true") ? Boolean.TRUE : allow;
        return dev.prism.alert.AlertDestinations.all(vertx, pool, new io.vertx.core.json.JsonObject()
                .put("allowPrivateDestinations", allowed)
                .put("destinationTimeoutMillis", config.alerts().sendTimeoutSeconds() * 1000L));
    }

    private static Future<Void> deploy(Vertx vertx, List<String> deployed, java.util.function.Supplier<io.vertx.core.Deployable> factory, int instances) {
        return vertx.deployVerticle(factory, new DeploymentOptions().setInstances(instances)).onSuccess(deployed::add).mapEmpty();
    }

    /** Every instance the factory makes that has timers or sweeps is remembered, to be quiesced on stop. */
    private static java.util.function.Supplier<io.vertx.core.Deployable> remembered(List<Quiescent> quiescent,
                                                                                   java.util.function.Supplier<io.vertx.core.Deployable> factory) {
        return () -> {
            io.vertx.core.Deployable d = factory.get();
            if (d instanceof Quiescent q) {
                quiescent.add(q);
            }
            return d;
        };
    }

    private static Future<Void> quiesceAll(List<Quiescent> quiescent) {
        List<Future<Void>> all = quiescent.stream().map(q -> q.quiesce().otherwiseEmpty()).toList();
        return Future.join(all).<Void>mapEmpty().otherwiseEmpty();
    }

    private static Future<Void> undeployAll(Vertx vertx, List<String> deployed) {
        Future<Void> chain = Future.succeededFuture();
        for (int i = deployed.size() - 1; i >= 0; i--) {
            String id = deployed.get(i);
            chain = chain.eventually(() -> vertx.undeploy(id));
        }
        return chain;
    }

    public int httpPort() {
        return httpPort;
    }

    /**
     * Quiesces every feature's timers and sweeps first (a sweep must not call a feature already undeployed), then
     * undeploys the features (newest first), then closes the store.
     */
    public Future<Void> stop() {
        return quiesceAll(quiescent).eventually(() -> undeployAll(vertx, deployments)).eventually(() -> database.close(vertx));
    }
}
