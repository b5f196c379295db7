package dev.prism.embed;

import dev.prism.bus.EmbeddingCreated;
import dev.prism.store.PgArrays;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The {@code embeddings} table: idempotent upserts of a batch, and the paged reload at startup. */
final class EmbeddingStore {

    static final int PAGE = 2_000;

    /** One vector to store, or one read back. */
    record Stored(String projectId, String themeId, String traceId, int traceVersion, int promptVersion, String model, String textHash,
                  float[] vector, Instant createdAt) {
    }

    /**
     * A replay (same trace version, prompt version and text) writes nothing; a later prompt version, or the same one
     * with another text, replaces the vector; an earlier prompt version arriving late is ignored.
     */
    private static final String UPSERT = """
            INSERT INTO embeddings (project_id, namespace, theme_id, trace_id, trace_version, prompt_version, model, text_hash, vector)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (project_id, theme_id, trace_id, trace_version, model) DO UPDATE
               SET prompt_version = EXCLUDED.prompt_version, text_hash = EXCLUDED.text_hash, vector = EXCLUDED.vector,
                   created_at = now()
             WHERE embeddings.prompt_version < EXCLUDED.prompt_version
                OR (embeddings.prompt_version = EXCLUDED.prompt_version AND embeddings.text_hash <> EXCLUDED.text_hash)
            RETURNING created_at""";

    private static final String PAGE_QUERY = """
            SELECT id, project_id, theme_id, trace_id, trace_version, prompt_version, text_hash, vector, created_at
              FROM embeddings WHERE model = $1 AND id > $2 ORDER BY id LIMIT $3""";

    private final Pool pool;

    EmbeddingStore(Pool pool) {
        this.pool = pool;
    }

    /** Deletes the trace's vectors of versions before {@code version} (every model). @return how many */
    Future<Integer> deleteBefore(String projectId, String themeId, String traceId, int version) {
        return pool.preparedQuery("DELETE FROM embeddings WHERE project_id = $1 AND theme_id = $2 AND trace_id = $3 AND trace_version < $4")
                .execute(Tuple.of(projectId, themeId, traceId, version)).map(r -> r.rowCount());
    }

    /** Upserts every row in one round trip; answers, per row, when it was written, or null when nothing changed. */
    Future<List<Instant>> store(List<Stored> rows) {
        if (rows.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        List<Tuple> tuples = new ArrayList<>(rows.size());
        for (Stored s : rows) {
            tuples.add(Tuple.of(s.projectId(), EmbeddingCreated.namespace(s.themeId()), s.themeId(), s.traceId(), s.traceVersion(),
                    s.promptVersion(), s.model(), s.textHash()).addArrayOfFloat(PgArrays.boxed(s.vector())));
        }
        return pool.preparedQuery(UPSERT).executeBatch(tuples).map(first -> {
            List<Instant> written = new ArrayList<>(rows.size());
            for (RowSet<Row> rs = first; rs != null; rs = rs.next()) {
                written.add(rs.size() > 0 ? rs.iterator().next().getOffsetDateTime(0).toInstant() : null);
            }
            return written;
        });
    }

    /** A trace's vector in a theme, by its latest version. */
    record ThemeVector(String traceId, int traceVersion, float[] vector) {
    }

    /** The theme's vectors of {@code model}, one per trace (its latest version), in trace id order. */
    Future<List<ThemeVector>> theme(String projectId, String themeId, String model) {
        return pool.preparedQuery("""
                        SELECT DISTINCT ON (trace_id) trace_id, trace_version, vector FROM embeddings
                         WHERE project_id = $1 AND theme_id = $2 AND model = $3 ORDER BY trace_id, trace_version DESC""")
                .execute(Tuple.of(projectId, themeId, model)).map(rows -> {
                    List<ThemeVector> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new ThemeVector(r.getString(0), r.getInteger(1), PgArrays.unboxed(r.getArrayOfFloats(2))));
                    }
                    return out;
                });
    }

    /** Streams every stored vector of {@code model} to {@code sink}, oldest first, a page at a time. */
    Future<Long> load(String model, Consumer<Stored> sink) {
        return page(model, 0, 0, sink);
    }

    private Future<Long> page(String model, long after, long loaded, Consumer<Stored> sink) {
        return pool.preparedQuery(PAGE_QUERY).execute(Tuple.of(model, after, PAGE)).compose(rows -> {
            long last = after;
            for (Row r : rows) {
                last = r.getLong("id");
                OffsetDateTime created = r.getOffsetDateTime("created_at");
                sink.accept(new Stored(r.getString("project_id"), r.getString("theme_id"), r.getString("trace_id"), r.getInteger("trace_version"),
                        r.getInteger("prompt_version"), model, r.getString("text_hash"), PgArrays.unboxed(r.getArrayOfFloats("vector")), created.toInstant()));
            }
            long total = loaded + rows.size();
            return rows.size() < PAGE ? Future.succeededFuture(total) : page(model, last, total, sink);
        });
    }
}
