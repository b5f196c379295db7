package dev.prism.lifecycle;

import dev.prism.bus.Addresses;
import dev.prism.bus.Failure;
import dev.prism.bus.Instances;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership among the instances sharing the database: a row written at start, a heartbeat every
 * {@value #HEARTBEAT_MILLIS} ms, the row removed on a clean stop (a crashed instance's row simply stops being fresh, and
 * is removed a day later by whoever beats then). Answers {@value Addresses#INSTANCES} with the instances seen within
 * {@value #FRESH_SECONDS} s.
 */
public final class InstanceVerticle extends VerticleBase implements Quiescent {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceVerticle.class);
    static final long HEARTBEAT_MILLIS = 10_000;
    static final int FRESH_SECONDS = 30;

    private final Pool pool;
    private final String version;
    private final String id = UUID.randomUUID().toString();
    private long timer = -1;

    public InstanceVerticle(Pool pool, String version) {
        this.pool = pool;
        this.version = version;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<Instances>consumer(Addresses.INSTANCES, m -> members().onSuccess(m::reply).onFailure(e -> Failure.reply(m, e)));
        String host = hostName();
        long pid = ProcessHandle.current().pid();
        Instant now = Instant.now();
        return pool.preparedQuery("""
                        INSERT INTO instances (id, host, pid, version, started_at, last_seen) VALUES ($1, $2, $3, $4, $5, $5)""")
                .execute(Tuple.of(id, host, pid, version, now.atOffset(ZoneOffset.UTC)))
                .onSuccess(r -> timer = vertx.setPeriodic(HEARTBEAT_MILLIS, t -> beat()))
                .mapEmpty();
    }

    private void beat() {
        pool.preparedQuery("""
                        WITH mine AS (UPDATE instances SET last_seen = now() WHERE id = $1)
                        DELETE FROM instances WHERE last_seen < now() - interval '1 day'""")
                .execute(Tuple.of(id))
                .onFailure(e -> LOG.debug("Instance heartbeat not written: {}", e.toString()));
    }

    private Future<Instances.Members> members() {
        return pool.preparedQuery("SELECT id, host, pid, version, started_at, last_seen FROM instances"
                        + " WHERE last_seen > now() - make_interval(secs => $1) ORDER BY started_at, id")
                .execute(Tuple.of(FRESH_SECONDS))
                .map(rows -> {
                    List<Instances.Member> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Instances.Member(r.getString("id"), r.getString("host"), r.getLong("pid"), r.getString("version"),
                                r.getOffsetDateTime("started_at").toInstant(), r.getOffsetDateTime("last_seen").toInstant(), id.equals(r.getString("id"))));
                    }
                    return new Instances.Members(out);
                });
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }

    @Override
    public Future<Void> quiesce() {
        return Quiescent.onContext(context, () -> {
            vertx.cancelTimer(timer);
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        // A clean stop leaves the membership at once; the store may already be unreachable, which changes nothing.
        return pool.preparedQuery("DELETE FROM instances WHERE id = $1").execute(Tuple.of(id)).otherwiseEmpty();
    }
}
