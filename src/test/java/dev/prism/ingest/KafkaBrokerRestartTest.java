package dev.prism.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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
 * Capture through Kafka while the only broker is stopped and started again and a second instance joins and leaves the
 * consumer group, all under a continuous stream of {@code /batch/} requests: every event answered 200 is stored exactly
 * once, nothing is stored that was not sent, and the requests made while the broker was away got a retryable 503 with
 * Retry-After within the acknowledgement deadline rather than hanging. Its own KRaft cluster: the restart would disturb
 * {@link KafkaIngestionTest}'s.
 */
@DisplayName("Kafka ingestion through a broker restart and a rebalance")
class KafkaBrokerRestartTest {

    private static final String TOPIC = "prism.events.restart";
    private static final String GROUP = "prism-restart";
    /** The acknowledgement deadline the test configures; answers must come within it (plus scheduling slack). */
    private static final long ACK_MILLIS = 6_000;
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

    /** One answer the sender got. */
    record Answer(int status, String error, String retryAfter, long millis, int events) {
    }

    @Test
    @DisplayName("under load, the broker restarts and a second instance joins and leaves: every acknowledged event stored once, the outage answered 503 with Retry-After")
    void brokerRestartAndRebalanceUnderLoad(@TempDir Path dataDir) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        List<Vertx> vertxes = new ArrayList<>();
        List<TestServer> servers = new ArrayList<>();
        ServicePostgres pg = ServicePostgres.createDatabase();
        try {
            java.util.function.IntFunction<TestServer> start = i -> {
                try {
                    Map<String, String> s = TestServer.defaults(dataDir.resolve("instance-" + i));
                    s.put("pg.url", pg.url());
                    s.put("kafka.bootstrap", bootstrap);
                    s.put("kafka.topic", TOPIC);
                    s.put("kafka.group", GROUP);
                    s.put("kafka.partitions", "4");
                    s.put("kafka.maxPollEvents", "50");
                    s.put("kafka.ackTimeoutMillis", Long.toString(ACK_MILLIS));
                    s.put("llm.provider", "offline");
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
            Set<String> sent = ConcurrentHashMap.newKeySet();
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicLong ackCount = new AtomicLong();
            List<Answer> answers = new CopyOnWriteArrayList<>();
            AtomicBoolean sending = new AtomicBoolean(true);
            List<TestServer> targets = new CopyOnWriteArrayList<>(List.of(a));
            // Two senders, so a request is always in flight while the other waits for its answer.
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                int sender = s;
                Thread t = new Thread(() -> {
                    int batch = 0;
                    while (sending.get()) {
                        List<JsonNode> events = new ArrayList<>();
                        for (int i = 0; i < 20; i++) {
                            ObjectNode e = HttpApi.JSON.createObjectNode().put("event", "$ai_generation").put("distinct_id", "u" + (i % 3))
                                    .put("uuid", UUID.randomUUID().toString());
                            e.putObject("properties").put("$ai_trace_id", "br-" + sender + "-" + batch + "-" + (i % 4)).put("$ai_model", "m");
                            events.add(e);
                        }
                        List<String> uuids = events.stream().map(e -> e.get("uuid").asText()).toList();
                        sent.addAll(uuids);
                        TestServer target = targets.get(batch % targets.size());
                        long began = System.nanoTime();
                        try {
                            HttpApi.Response r = target.http.post("/batch/", HttpApi.batch(TestServer.PROJECT_TOKEN, events));
                            long millis = (System.nanoTime() - began) / 1_000_000;
                            answers.add(new Answer(r.status(), r.json().path("error").asText(null),
                                    r.headers().firstValue("Retry-After").orElse(null), millis, uuids.size()));
                            if (r.status() == 200 && r.json().get("accepted").asInt() == uuids.size()) {
                                acknowledged.addAll(uuids);
                                ackCount.addAndGet(uuids.size());
                            }
                        } catch (Exception e) {
                            // a request to the instance that is leaving, cut off: not acknowledged (its events may be
                            // stored all the same, as a client's retry would store them, once by uuid)
                        }
                        batch++;
                    }
                }, "kafka-restart-sender-" + s);
                t.start();
                senders.add(t);
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> ackCount.get() >= 400);

            // (a) The only broker stops: requests are answered 503 with Retry-After within the deadline, then it comes back.
            BrokerServer broker = kafka.brokers().values().iterator().next();
            int answeredBeforeOutage = answers.size();
            broker.shutdown();
            await().atMost(Duration.ofSeconds(60)).until(() -> answers.subList(answeredBeforeOutage, answers.size()).stream()
                    .filter(x -> x.status() == 503).count() >= 2);
            broker.startup();
            assertThat(kafka.bootstrapServers()).as("the broker listens where it did").isEqualTo(bootstrap);
            long afterRestart = ackCount.get();
            await().atMost(Duration.ofSeconds(90)).until(() -> ackCount.get() >= afterRestart + 400);
            List<Answer> outage = new ArrayList<>(answers.subList(answeredBeforeOutage, answers.size()));

            // (b) A second instance joins the group (the partitions are shared out again), takes requests, and leaves.
            TestServer b = start.apply(1);
            targets.add(b);
            long joinedAt = ackCount.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> assignments().equals(List.of(2, 2)));
            await().atMost(Duration.ofSeconds(90)).until(() -> ackCount.get() >= joinedAt + 400);
            targets.remove(b);
            b.stop();
            await().atMost(Duration.ofSeconds(60)).until(() -> assignments().equals(List.of(4)));
            long leftAt = ackCount.get();
            await().atMost(Duration.ofSeconds(90)).until(() -> ackCount.get() >= leftAt + 400);
            sending.set(false);
            for (Thread t : senders) {
                t.join();
            }

            await().atMost(Duration.ofSeconds(120)).until(() -> stored(pg).containsAll(acknowledged));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(KafkaBrokerRestartTest::assertAllCommitted);
            Set<String> stored = stored(pg);
            assertThat(stored).as("every acknowledged event stored").containsAll(acknowledged);
            assertThat(sent).as("nothing stored that was not sent").containsAll(stored);
            assertThat(count(pg, "SELECT count(*) FROM events WHERE trace_id LIKE 'br-%'")).as("each stored once").isEqualTo(stored.size());

            List<Answer> refused = outage.stream().filter(x -> x.status() != 200).toList();
            assertThat(refused).as("requests refused while the broker was away").isNotEmpty()
                    .allSatisfy(x -> {
                        assertThat(x.status()).isEqualTo(503);
                        assertThat(x.error()).isIn("kafka_unavailable", "overloaded");
                        assertThat(x.retryAfter()).as("Retry-After").isNotBlank();
                        assertThat(Integer.parseInt(x.retryAfter())).isPositive();
                    });
            long slowest = answers.stream().mapToLong(Answer::millis).max().orElse(0);
            assertThat(slowest).as("slowest answer (ms): no request hangs past the acknowledgement deadline").isLessThan(ACK_MILLIS + 5_000);
            System.out.printf("[kafka-restart] %d events acknowledged, %d stored (%d sent); %d requests, %d refused during the outage "
                            + "(%s), slowest answer %d ms%n", acknowledged.size(), stored.size(), sent.size(), answers.size(), refused.size(),
                    refused.stream().collect(Collectors.groupingBy(Answer::error, Collectors.counting())), slowest);
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

    private static String jdbc(ServicePostgres pg) {
        return "jdbc:" + pg.url().replace("postgresql://postgres@", "postgresql://");
    }

    private static long count(ServicePostgres pg, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc(pg), "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<String> stored(ServicePostgres pg) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbc(pg), "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT uuid FROM events WHERE trace_id LIKE 'br-%'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** How many partitions each member of the group holds, sorted. */
    private static List<Integer> assignments() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            return admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).members().stream()
                    .map(m -> m.assignment().topicPartitions().size()).sorted().toList();
        }
    }

    /** The group has committed every partition of the topic to its end. */
    private static void assertAllCommitted() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
            Set<TopicPartition> partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).collect(Collectors.toSet());
            var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
            for (TopicPartition p : partitions) {
                long at = committed.containsKey(p) ? committed.get(p).offset() : 0;
                assertThat(at).as("committed offset of " + p).isEqualTo(ends.get(p).offset());
            }
        }
    }
}
