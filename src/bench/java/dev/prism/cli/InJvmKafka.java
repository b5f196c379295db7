package dev.prism.cli;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * For the Kafka benchmarks: Kafka's own in-JVM KRaft cluster (one combined broker and controller, the test kit the
 * Kafka tests use), unless a bootstrap address is given; and how far a consumer group is behind the end of a topic.
 */
final class InJvmKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final String bootstrap;
    private final Admin admin;

    private InJvmKafka(KafkaClusterTestKit cluster, String bootstrap) {
        this.cluster = cluster;
        this.bootstrap = bootstrap;
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    /** @param bootstrap an existing cluster's bootstrap servers, or null for an in-JVM one */
    static InJvmKafka start(String bootstrap) throws Exception {
        if (bootstrap != null) {
            return new InJvmKafka(null, bootstrap);
        }
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build())
                // One broker: the group's offsets topic cannot have the default three replicas.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        return new InJvmKafka(kit, kit.bootstrapServers());
    }

    String bootstrap() {
        return bootstrap;
    }

    /** Events of the topic the group has not committed as stored (0 before the topic exists). */
    long lag(String topic, String group) throws Exception {
        if (!admin.listTopics().names().get().contains(topic)) {
            return 0;
        }
        Set<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toSet());
        var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long lag = 0;
        for (TopicPartition p : partitions) {
            OffsetAndMetadata c = committed.get(p);
            lag += ends.get(p).offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** Events the group has committed as stored, over every partition of the topic. */
    long committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(o -> o == null ? 0 : o.offset()).sum();
    }

    @Override
    public void close() throws Exception {
        admin.close();
        if (cluster != null) {
            cluster.close();
        }
    }
}
