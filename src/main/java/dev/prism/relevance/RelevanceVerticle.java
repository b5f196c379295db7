package dev.prism.relevance;

import dev.prism.bus.Addresses;
import dev.prism.bus.Failure;
import dev.prism.bus.RelevanceBackfill;
import dev.prism.bus.RelevanceQuery;
import dev.prism.bus.SentenceVectors;
import dev.prism.bus.TraceDetail;
import dev.prism.bus.TraceFormatted;
import dev.prism.bus.TraceQuery;
import dev.prism.bus.TraceScored;
import dev.prism.bus.TraceText;
import dev.prism.bus.TraceTextQuery;
import dev.prism.store.OutageLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores traces with the offline {@link RelevanceModel}. Every formatted trace version is scored once for the built-in
 * user-language themes, its scores stored ({@code trace_relevance}, read by the filter key
 * {@code trace.relevance.<theme_id>}) and published for theme dispatch; on any failure (embedding model busy or
 * absent, store away) the trace is published without scores, which dispatch reads as "relevant": a trace is never
 * held back because it could not be scored. Sentence vectors come from the embed feature over the bus, so the server
 * runs one model.
 *
 * <p>Consumes {@value Addresses#TRACE_FORMATTED}, {@value Addresses#RELEVANCE_SCORE} and
 * {@value Addresses#RELEVANCE_BACKFILL}; sends {@value Addresses#EMBED_SENTENCES}, {@value Addresses#TRACE_GET} and
 * {@value Addresses#FORMAT_TEXT}; publishes {@value Addresses#TRACE_SCORED}. Bounded: at most
 * {@value #MAX_IN_FLIGHT} traces are being scored and {@value #MAX_WAITING} wait; beyond that (a burst larger than
 * the model keeps up with) a trace is left to the dispatch sweep, which scores it and queues its analyses once it has
 * settled: published unscored it would pass every pre-filter, and with a paid provider a burst would buy the calls the
 * pre-filter exists to save (a single instance took 800 to 1,800 extra analyses of 3,000 traces that way in
 * {@code bench scale}). Parsing and scoring run on worker threads.
 */
public final class RelevanceVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(RelevanceVerticle.class);
    static final int MAX_IN_FLIGHT = 8;
    static final int MAX_WAITING = 2_000;
    private static final String UPSERT = """
            INSERT INTO trace_relevance (project_id, trace_id, trace_version, theme_id, score)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (project_id, trace_id, trace_version, theme_id) DO UPDATE SET score = EXCLUDED.score""";

    private final Pool pool;
    private final int analysisChars;
    private final OutageLog storeLog = new OutageLog(LOG, "Storing relevance scores");
    private RelevanceModel model;
    private final Deque<TraceFormatted> waiting = new ArrayDeque<>();
    private final int maxWaiting;
    private long leftToSweep;
    private int inFlight;
    private long unscored;

    /** @param pool where scores are stored; null keeps them in the published messages only (tests of this stage) */
    public RelevanceVerticle(Pool pool) {
        this(pool, 0);
    }

    /**
     * @param analysisChars the analysis text budget ({@code llm.maxTraceChars}): a backfilled trace is scored on the same
     *                      text streaming scores, the one a prompt carries (0: the whole text)
     */
    public RelevanceVerticle(Pool pool, int analysisChars) {
        this(pool, analysisChars, MAX_WAITING);
    }

    /** @param maxWaiting traces kept waiting for a scoring slot before later ones are left to the sweep */
    RelevanceVerticle(Pool pool, int analysisChars, int maxWaiting) {
        this.pool = pool;
        this.analysisChars = analysisChars;
        this.maxWaiting = maxWaiting;
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(RelevanceModel::load, false).onSuccess(m -> {
            model = m;
            vertx.eventBus().<TraceFormatted>consumer(Addresses.TRACE_FORMATTED, msg -> accept(msg.body()));
            vertx.eventBus().<RelevanceQuery>consumer(Addresses.RELEVANCE_SCORE, this::query);
            vertx.eventBus().<RelevanceBackfill>consumer(Addresses.RELEVANCE_BACKFILL, this::backfill);
        });
    }

    /**
     * Scores a stored version the streaming path never scored, from the trace and its analysis text as the other
     * features serve them, and stores the scores; replies empty scores when the trace has completed another version
     * since (that one is scored on its own way). Fails as scoring does (503 while the embedding model stays busy).
     */
    private void backfill(Message<RelevanceBackfill> msg) {
        RelevanceBackfill b = msg.body();
        TraceQuery query = new TraceQuery(b.projectId(), b.traceId());
        vertx.eventBus().<TraceDetail>request(Addresses.TRACE_GET, query).compose(detail -> {
            if (detail.body().summary().version() != b.version()) {
                return Future.succeededFuture(Map.<String, Double>of());
            }
            return vertx.eventBus().<TraceText>request(Addresses.FORMAT_TEXT, new TraceTextQuery(b.projectId(), b.traceId(), false, analysisChars))
                    .compose(text -> {
                        if (text.body().version() != b.version()) {
                            return Future.succeededFuture(Map.<String, Double>of());
                        }
                        TraceFormatted t = new TraceFormatted(b.projectId(), b.traceId(), b.version(), detail.body().trace(), text.body().text(), null);
                        return scoredSoon(t, 0).compose(scores -> store(t, scores).map(scores));
                    });
        }).onSuccess(scores -> msg.reply(new RelevanceBackfill.Scored(scores))).onFailure(e -> Failure.reply(msg, e));
    }

    private void accept(TraceFormatted t) {
        if (inFlight < MAX_IN_FLIGHT) {
            scoreAndPublish(t);
        } else if (waiting.size() < maxWaiting) {
            waiting.add(t);
        } else if (leftToSweep++ % 1_000 == 0) {
            LOG.info("Trace {} v{} left to the dispatch sweep ({} so far): {} traces wait to be scored", t.traceId(), t.version(), leftToSweep,
                    waiting.size());
        }
    }

    private void scoreAndPublish(TraceFormatted t) {
        inFlight++;
        scoredSoon(t, 0).compose(scores -> store(t, scores).map(scores))
                .onSuccess(scores -> publish(t, scores))
                .onFailure(e -> {
                    if (unscored++ % 1_000 == 0) {
                        LOG.warn("Trace {} dispatched without relevance scores ({} so far): {}", t.traceId(), unscored, e.toString());
                    }
                    publish(t, Map.of());
                })
                .onComplete(ar -> {
                    inFlight--;
                    TraceFormatted next = waiting.poll();
                    if (next != null) {
                        scoreAndPublish(next);
                    }
                });
    }

    /**
     * Scores, asking again while the embedding model is only busy or not loaded yet (a 503 or no handler: at start,
     * or in a burst): an unscored trace passes every pre-filter, which with a paid provider means paid calls the
     * pre-filter exists to save. After {@value #BUSY_RETRIES} tries (about half a minute) it is dispatched unscored.
     */
    private Future<Map<String, Double>> scoredSoon(TraceFormatted t, int attempt) {
        return builtIn(t).recover(e -> {
            boolean busy = e instanceof io.vertx.core.eventbus.ReplyException r
                    && (r.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS || r.failureCode() == 503);
            if (!busy || attempt + 1 >= BUSY_RETRIES) {
                return Future.failedFuture(e);
            }
            long delay = Math.min(4_000, 250L << attempt);
            io.vertx.core.Promise<Map<String, Double>> later = io.vertx.core.Promise.promise();
            vertx.setTimer(delay, id -> scoredSoon(t, attempt + 1).onComplete(later));
            return later.future();
        });
    }

    private static final int BUSY_RETRIES = 10;


    private void publish(TraceFormatted t, Map<String, Double> scores) {
        vertx.eventBus().publish(Addresses.TRACE_SCORED, new TraceScored(t, scores));
    }

    /** The built-in themes' probabilities for one trace. */
    private Future<Map<String, Double>> builtIn(TraceFormatted t) {
        return vertx.executeBlocking(() -> TraceView.of(t.trace(), t.text()), false)
                .compose(view -> vectors(view, List.of()).map(v -> {
                    Map<String, Double> out = new LinkedHashMap<>();
                    for (RelevanceModel.Score s : model.score(view, v.user(), v.assistant())) {
                        out.put(s.themeId(), Math.round(s.probability() * 10_000) / 10_000.0);
                    }
                    out.put(RelevanceModel.PERFORMANCE, RelevanceModel.loopScore(t.trace()));
                    return out;
                }));
    }

    private Future<Void> store(TraceFormatted t, Map<String, Double> scores) {
        if (pool == null || scores.isEmpty()) {
            return Future.succeededFuture();
        }
        List<Tuple> rows = new ArrayList<>();
        scores.forEach((theme, score) -> rows.add(Tuple.of(t.projectId(), t.traceId(), t.version(), theme, score)));
        return pool.preparedQuery(UPSERT).executeBatch(rows)
                .onSuccess(r -> storeLog.succeeded())
                .onFailure(storeLog::failed)
                .mapEmpty();
    }

    private record Vectors(List<float[]> user, List<float[]> assistant, List<List<float[]>> themes) {
    }

    /** One request for the user's, the assistant's and the themes' sentences. */
    private Future<Vectors> vectors(TraceView view, List<List<String>> themeSentences) {
        List<String> user = view.userSentences();
        List<String> assistant = view.assistantSentences();
        List<String> all = new ArrayList<>(user);
        all.addAll(assistant);
        themeSentences.forEach(all::addAll);
        if (all.isEmpty()) {
            return Future.succeededFuture(new Vectors(List.of(), List.of(), themeSentences.stream().map(s -> List.<float[]>of()).toList()));
        }
        return vertx.eventBus().<SentenceVectors.Vectors>request(Addresses.EMBED_SENTENCES, new SentenceVectors(all)).compose(reply -> {
            SentenceVectors.Vectors v = reply.body();
            if (!v.model().equals(model.embeddingModel())) {
                return Future.failedFuture(new Failure(503, "relevance_model_mismatch", "the relevance model was trained on "
                        + model.embeddingModel() + ", the server embeds with " + v.model()).exception());
            }
            List<float[]> vectors = v.vectors();
            int at = user.size() + assistant.size();
            List<List<float[]>> themes = new ArrayList<>();
            for (List<String> s : themeSentences) {
                themes.add(vectors.subList(at, at + s.size()));
                at += s.size();
            }
            return Future.succeededFuture(new Vectors(vectors.subList(0, user.size()), vectors.subList(user.size(), user.size() + assistant.size()), themes));
        });
    }

    private void query(Message<RelevanceQuery> msg) {
        RelevanceQuery q = msg.body();
        vertx.executeBlocking(() -> TraceView.of(q.trace(), q.text()), false).compose(view -> {
            List<RelevanceQuery.ThemeText> custom = q.themes().stream().filter(t -> !t.builtIn()).toList();
            List<List<String>> customSentences = custom.stream().map(t -> RelevanceModel.themeSentences(t.name(), t.description(), t.prompt())).toList();
            return vectors(view, customSentences).compose(v -> {
                List<String> asked = q.themes().stream().filter(RelevanceQuery.ThemeText::builtIn).map(RelevanceQuery.ThemeText::themeId).toList();
                List<RelevanceModel.Score> scores = model.score(view, v.user(), v.assistant()).stream().filter(s -> asked.contains(s.themeId())).toList();
                RelevanceModel.Score ux = scores.stream().filter(s -> s.themeId().equals(UX) && s.relevant()).findFirst().orElse(null);
                Future<String> friction = ux == null ? Future.succeededFuture(null) : frictionTitle(q.text(), ux);
                return friction.map(title -> {
                    List<RelevanceQuery.Verdict> out = new ArrayList<>();
                    for (RelevanceModel.Score s : scores) {
                        out.add(new RelevanceQuery.Verdict(s.themeId(), s.probability(), s.relevant(), s.evidence(), s == ux ? title : null));
                    }
                    List<String> sentences = view.userSentences();
                    for (int i = 0; i < custom.size(); i++) {
                        RelevanceModel.Score s = model.custom(custom.get(i).themeId(), sentences, v.user(), v.themes().get(i));
                        out.add(new RelevanceQuery.Verdict(s.themeId(), s.probability(), s.relevant(), s.evidence(), null));
                    }
                    return new RelevanceQuery.Verdicts(out);
                });
            });
        }).onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e));
    }

    private static final String UX = "ux_issues";
    private Future<Friction> friction;

    /** The friction types with their centroids, embedded once (again after a failure: the embedding model may be busy). */
    private Future<Friction> friction() {
        if (friction == null) {
            Friction.Types types = Friction.load();
            friction = embed(types.exemplars()).map(v -> new Friction(types, types.centroids(v)));
            friction.onFailure(e -> friction = null);
        }
        return friction;
    }

    /**
     * The kind of friction of a relevant UX trace: the complaint is the sentence the UX head scores highest among the
     * user's replies to the assistant (the first request cannot be one), the cues come from the assistant's turns
     * before it. Without a reply to the assistant, the verdict's evidence stands for the complaint.
     */
    private Future<String> frictionTitle(String text, RelevanceModel.Score ux) {
        return friction().compose(f -> vertx.executeBlocking(() -> Friction.turns(text), false).compose(turns -> {
            List<String> candidates = Friction.complaintCandidates(turns);
            return embed(candidates).compose(vectors -> {
                int at = model.strongest(UX, vectors);
                String complaint = at < 0 ? ux.evidence() : candidates.get(at);
                float[] vector = at < 0 ? ux.evidenceVector() : vectors.get(at);
                return embed(Friction.priorSentences(turns, complaint))
                        .map(prior -> f.title(vector, Friction.cues(turns, complaint, model.declines(prior))));
            });
        }));
    }

    /** Sentence vectors from the embed feature, refused when they come from another model than the one trained on. */
    private Future<List<float[]>> embed(List<String> sentences) {
        if (sentences.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        return vertx.eventBus().<SentenceVectors.Vectors>request(Addresses.EMBED_SENTENCES, new SentenceVectors(sentences)).compose(reply -> {
            SentenceVectors.Vectors v = reply.body();
            if (!v.model().equals(model.embeddingModel())) {
                return Future.failedFuture(new Failure(503, "relevance_model_mismatch", "the relevance model was trained on "
                        + model.embeddingModel() + ", the server embeds with " + v.model()).exception());
            }
            return Future.succeededFuture(v.vectors());
        });
    }
}
