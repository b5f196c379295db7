package dev.prism.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.support.Fixtures;
import dev.prism.support.HttpApi;
import dev.prism.support.ServicePostgres;
import dev.prism.support.TestServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Capture through Kafka, against Kafka's own in-JVM KRaft cluster: events acknowledged over HTTP reach PostgreSQL through
 * the consumer group, offsets are committed only for stored events, a redelivered record is stored once, and two
 * instances sharing the group through a rebalance lose and double nothing.
 */
@DisplayName("Kafka ingestion")
class KafkaIngestionTest {

    private static final String TOPIC = "prism.events";
    private static KafkaClusterTestKit kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = dev.prism.support.KafkaKit.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, String> settings(Path dataDir, ServicePostgres pg) {
        Map<String, String> s = TestServer.defaults(dataDir);
        s.put("pg.url", pg.url());
        s.put("kafka.bootstrap", kafka.bootstrapServers());
        s.put("kafka.partitions", "4");
        s.put("kafka.maxPollEvents", "50");
        s.put("llm.provider", "offline");
        return s;
    }

    private static String jdbc(ServicePostgres pg) {
        return "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
    }

    private static long count(ServicePostgres pg, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc(pg), "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertAllCommitted() throws Exception {
        assertAllCommitted(TOPIC, "prism-store");
    }

    /** Committed offsets of the group against the end of every partition of the topic. */
    private static void assertAllCommitted(String TOPIC, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Set<TopicPartition> partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).collect(Collectors.toSet());
            Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get();
            for (TopicPartition p : partitions) {
                long end = ends.get(p).offset();
                long at = committed.containsKey(p) ? committed.get(p).offset() : 0;
                assertThat(at).as("committed offset of " + p).isEqualTo(end);
            }
        }
    }

    @Test
    @DisplayName("acknowledged events are stored through the group, traces complete, every offset is committed, a redelivered record is stored once")
    void capturedThroughKafka(@TempDir Path dataDir) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (ServicePostgres pg = ServicePostgres.createDatabase()) {
            TestServer server = TestServer.start(vertx, settings(dataDir, pg));
            try {
                long accepted = 0;
                Set<String> traces = new HashSet<>();
                // The fixtures whose every event is valid (not the malformed ones), so each acknowledged event must be stored.
                for (Fixtures.Fixture f : Fixtures.all().stream().filter(f -> !f.name().contains("malformed")).toList()) {
                    HttpApi.Response r = server.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, f.events()));
                    assertThat(r.status()).as(f.name()).isEqualTo(200);
                    assertThat(r.json().get("accepted").asInt()).as(f.name() + " accepted").isEqualTo(f.events().size());
                    accepted += f.events().size();
                    if (f.traceId() != null) {
                        traces.add(f.traceId());
                    }
                }
                long expected = accepted;
                await().atMost(Duration.ofSeconds(60)).until(() -> count(pg, "SELECT count(*) FROM events") >= expected);
                assertThat(count(pg, "SELECT count(*) FROM events")).isEqualTo(expected);
                await().atMost(Duration.ofSeconds(60)).until(() -> count(pg, "SELECT count(*) FROM traces WHERE status = 'completed'") >= traces.size());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(KafkaIngestionTest::assertAllCommitted);
                // The lag of every partition this (only) instance owns, read every 5 s: nothing left once all is stored.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    List<String> lag = server.http.get("/metrics", null).json().asText().lines()
                            .filter(l -> l.startsWith("prism_kafka_lag{")).toList();
                    assertThat(lag).hasSize(4).allMatch(l -> l.contains("topic=\"prism.events\"") && l.endsWith(" 0.0"));
                });

                // A record delivered again (a producer retry, a rebalance before the commit) and a new one behind it.
                String stored;
                String storedTrace;
                try (Connection c = DriverManager.getConnection(jdbc(pg), "postgres", "");
                     ResultSet rs = c.createStatement().executeQuery("SELECT uuid, trace_id FROM events LIMIT 1")) {
                    rs.next();
                    stored = rs.getString(1);
                    storedTrace = rs.getString(2);
                }
                String fresh = UUID.randomUUID().toString();
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(), new StringSerializer())) {
                    String copy;
                    try (Connection c = DriverManager.getConnection(jdbc(pg), "postgres", "");
                         ResultSet rs = c.createStatement().executeQuery("SELECT event FROM events WHERE uuid = '" + stored + "'")) {
                        rs.next();
                        copy = rs.getString(1);
                    }
                    var again = new EventParser.ParsedEvent(stored, copy, "someone", storedTrace, java.time.Instant.now(), "{}");
                    var later = new EventParser.ParsedEvent(fresh, "$ai_generation", "someone", "kafka-later", java.time.Instant.now(),
                            "{\"$ai_trace_id\": \"kafka-later\", \"$ai_model\": \"m\"}");
                    producer.send(new ProducerRecord<>(TOPIC, EventRecords.key("default", again), EventRecords.value("default", again))).get();
                    producer.send(new ProducerRecord<>(TOPIC, "not prism's", "{not json")).get();
                    producer.send(new ProducerRecord<>(TOPIC, EventRecords.key("default", later), EventRecords.value("default", later))).get();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> count(pg, "SELECT count(*) FROM events WHERE uuid = '" + fresh + "'") == 1);
                assertThat(count(pg, "SELECT count(*) FROM events WHERE uuid = '" + stored + "'")).isEqualTo(1);
                assertThat(count(pg, "SELECT count(*) FROM events")).isEqualTo(expected + 1);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(KafkaIngestionTest::assertAllCommitted);
            } finally {
                server.stop();
                await(vertx.close());
            }
        }
    }

    private static Set<String> storedUuids(ServicePostgres pg) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbc(pg), "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT uuid FROM events WHERE trace_id LIKE 'rb-%'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    @DisplayName("two instances share the group; one leaves and another joins while events flow: every acknowledged event is stored once")
    void rebalanceLosesNothing(@TempDir Path dataDir) throws Exception {
        String topic = "prism.events.rebalance";
        String group = "prism-rebalance";
        List<Vertx> vertxes = new ArrayList<>();
        List<TestServer> servers = new ArrayList<>();
        ServicePostgres pg = ServicePostgres.createDatabase();
        try {
            java.util.function.IntFunction<TestServer> start = i -> {
                try {
                    Map<String, String> s = settings(dataDir.resolve("instance-" + i), pg);
                    s.put("kafka.topic", topic);
                    s.put("kafka.group", group);
                    Vertx v = Vertx.vertx();
                    vertxes.add(v);
                    TestServer server = TestServer.start(v, s);
                    servers.add(server);
                    return server;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            TestServer a = start.apply(0);
            TestServer b = start.apply(1);
            java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
            Set<String> acknowledgedUuids = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Set<String> sentUuids = java.util.concurrent.ConcurrentHashMap.newKeySet();
            AtomicBoolean sending = new AtomicBoolean(true);
            List<TestServer> targets = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(a, b));
            Thread sender = new Thread(() -> {
                int batch = 0;
                while (sending.get()) {
                    List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        ObjectNode e = HttpApi.JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "u" + (i % 3))
                                .put("uuid", UUID.randomUUID().toString());
                        e.putObject("properties").put("$ai_trace_id", "rb-" + batch + "-" + (i % 4)).put("$ai_model", "m");
                        events.add(e);
                    }
                    TestServer target = targets.get(batch % targets.size());
                    List<String> uuids = events.stream().map(e -> e.get("uuid").asText()).toList();
                    sentUuids.addAll(uuids);
                    try {
                        HttpApi.Response r = target.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events));
                        if (r.status() == 200 && r.json().get("accepted").asInt() == uuids.size()) {
                            acknowledgedUuids.addAll(uuids);
                            acknowledged.addAndGet(uuids.size());
                        }
                    } catch (Exception e) {
                        // a request to an instance that is stopping: not acknowledged (its events may still be stored,
                        // which is what a client's retry of it would do, once, by uuid)
                    }
                    batch++;
                }
            }, "kafka-rebalance-sender");
            sender.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(pg, "SELECT count(*) FROM events WHERE trace_id LIKE 'rb-%'") >= 400);
            // One instance leaves the group (its partitions move to the other), then a third joins (they move again).
            targets.remove(b);
            b.stop();
            long leftAt = acknowledged.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= leftAt + 400);
            TestServer c = start.apply(2);
            targets.add(c);
            long joinedAt = acknowledged.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= joinedAt + 400);
            sending.set(false);
            sender.join();

            long expected = acknowledged.get();
            await().atMost(Duration.ofSeconds(90)).until(() -> storedUuids(pg).containsAll(acknowledgedUuids));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertAllCommitted(topic, group));
            Set<String> stored = storedUuids(pg);
            assertThat(stored).as("every acknowledged event stored").containsAll(acknowledgedUuids);
            assertThat(sentUuids).as("nothing stored that was not sent").containsAll(stored);
            assertThat(count(pg, "SELECT count(*) FROM events WHERE trace_id LIKE 'rb-%'")).as("each stored once").isEqualTo(stored.size());
            System.out.printf("[kafka] %d events acknowledged through two rebalances, %d stored (%d sent)%n", expected, stored.size(),
                    sentUuids.size());
        } finally {
            for (TestServer server : servers) {
                try {
                    server.stop();
                } catch (Exception ignored) {
                    // already stopped
                }
            }
            for (Vertx v : vertxes) {
                await(v.close());
            }
            pg.close(); // after the servers: they must not find their database gone
        }
    }
}
