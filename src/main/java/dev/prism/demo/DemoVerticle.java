package dev.prism.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.prism.bus.Addresses;
import dev.prism.bus.CaptureRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds synthetic traces into a project through the same ingestion path as HTTP clients, so a fresh server shows
 * life at once ({@code serve --demo}). One trace in flight at a time: if ingestion slows, the demo slows with it.
 *
 * <p>Sends {@value Addresses#INGEST_CAPTURE}.
 */
public final class DemoVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(DemoVerticle.class);
    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private final String projectId;
    private final double tracesPerSecond;
    private final DemoTraffic traffic;
    private long timer = -1;
    private boolean inFlight;

    public DemoVerticle(String projectId, double tracesPerSecond, long seed) {
        this.projectId = projectId;
        this.tracesPerSecond = tracesPerSecond;
        this.traffic = new DemoTraffic(seed);
    }

    @Override
    public Future<?> start() {
        long interval = Math.max(1, (long) (1000 / tracesPerSecond));
        timer = vertx.setPeriodic(interval, id -> sendOne());
        LOG.info("Demo traffic: {} traces/s into project '{}'", tracesPerSecond, projectId);
        return Future.succeededFuture();
    }

    private void sendOne() {
        if (inFlight) {
            return;
        }
        inFlight = true;
        ArrayNode batch = MAPPER.createArrayNode();
        batch.addAll(traffic.nextTrace(Instant.now()));
        vertx.eventBus().request(Addresses.INGEST_CAPTURE, CaptureRequest.internal(Buffer.buffer(batch.toString()), projectId))
                .onComplete(ar -> {
                    inFlight = false;
                    if (ar.failed()) {
                        LOG.warn("Demo trace not ingested: {}", ar.cause().getMessage());
                    }
                });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        return Future.succeededFuture();
    }
}
