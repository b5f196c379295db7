package dev.prism.cluster;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusteringConfigTest {

    @Test
    @DisplayName("an empty object gives k-means with automatic k by silhouette and the documented defaults")
    void defaults() {
        ClusteringConfig c = ClusteringConfig.fromMap(Map.of());

        assertThat(c.method()).isEqualTo(ClusteringConfig.Method.KMEANS);
        assertThat(c.k()).isNull();
        assertThat(c.autoK()).isEqualTo(ClusteringConfig.AutoK.SILHOUETTE);
        assertThat(c.kMin()).isEqualTo(2);
        assertThat(c.kMax()).isEqualTo(30);
        assertThat(c.minClusterSize()).isEqualTo(5);
        assertThat(c.minDistinctUsers()).isEqualTo(2);
        assertThat(c.minSamples()).isEqualTo(5);
        assertThat(c.maxDistance()).isEqualTo(0.4);
        assertThat(c).isEqualTo(ClusteringConfig.DEFAULTS);
    }

    @Test
    @DisplayName("the built-in themes' clustering_config parses")
    void builtInShape() {
        ClusteringConfig c = ClusteringConfig.fromMap(Map.of("method", "kmeans", "min_cluster_size", 5, "min_distinct_users", 2));
        assertThat(c.minClusterSize()).isEqualTo(5);
    }

    @Test
    @DisplayName("every field is read, numbers of any Number type, whole doubles as integers")
    void allFields() {
        Map<String, Object> map = new HashMap<>();
        map.put("method", "HDBSCAN");
        map.put("k", 12);
        map.put("auto_k", "size");
        map.put("k_min", 3L);
        map.put("k_max", 40.0);
        map.put("expected_cluster_size", 50);
        map.put("min_cluster_size", 8);
        map.put("min_distinct_users", 3);
        map.put("min_samples", 4);
        map.put("seed", 1234567890123L);
        map.put("max_iterations", 50);
        map.put("max_distance", 0.25);
        ClusteringConfig c = ClusteringConfig.fromMap(map);

        assertThat(c).isEqualTo(new ClusteringConfig(ClusteringConfig.Method.HDBSCAN, 12, ClusteringConfig.AutoK.SIZE, 3, 40, 50,
                8, 3, 4, 1234567890123L, 50, 0.25));
        assertThat(ClusteringConfig.fromMap(Map.of("k", "auto")).k()).isNull();
        assertThat(ClusteringConfig.fromMap(Map.of("method", "k-means")).method()).isEqualTo(ClusteringConfig.Method.KMEANS);
        assertThat(ClusteringConfig.fromMap(Map.of("min_cluster_size", 9)).minSamples()).as("follows min_cluster_size").isEqualTo(9);
    }

    @Test
    @DisplayName("each bad field is named in one message, with what was expected and what came")
    void problemsNameTheirFields() {
        Map<String, Object> map = new HashMap<>();
        map.put("method", "dbscan");
        map.put("k", "many");
        map.put("k_min", 2.5);
        map.put("min_cluster_size", 1);
        map.put("max_distance", "far");
        map.put("min_clustersize", 5);

        assertThatThrownBy(() -> ClusteringConfig.fromMap(map))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("min_clustersize: unknown field; known: auto_k, expected_cluster_size, k,")
                .hasMessageContaining("method: must be \"kmeans\" or \"hdbscan\", got \"dbscan\"")
                .hasMessageContaining("k: must be \"auto\" or an integer >= 1, got \"many\"")
                .hasMessageContaining("k_min: must be an integer >= 1, got 2.5")
                .hasMessageContaining("max_distance: must be a cosine distance from 0 to 2, got \"far\"")
                .hasMessageContaining("min_cluster_size: must be an integer >= 2, got 1");
    }

    @Test
    @DisplayName("ranges are checked: k ≥ 1, k_max ≥ k_min, max_distance within 0..2")
    void ranges() {
        assertThatThrownBy(() -> ClusteringConfig.fromMap(Map.of("k", 0))).hasMessage("k: must be \"auto\" or an integer >= 1, got 0");
        assertThatThrownBy(() -> ClusteringConfig.fromMap(Map.of("k_min", 10, "k_max", 5)))
                .hasMessage("k_max: must be at least k_min (10), got 5");
        assertThatThrownBy(() -> ClusteringConfig.fromMap(Map.of("max_distance", 2.5)))
                .hasMessage("max_distance: must be a cosine distance from 0 to 2, got 2.5");
        assertThat(ClusteringConfig.fromMap(Map.of("k_min", 40)).kMax()).as("default k_max follows a larger k_min").isEqualTo(40);
    }

    @Test
    @DisplayName("a sampled theme's minimum cluster size is scaled to its sample, never below 3 nor above the configured value")
    void sampledMinimum() {
        ClusteringConfig five = ClusteringConfig.DEFAULTS;
        assertThat(five.sampled(1.0).minClusterSize()).isEqualTo(5);
        assertThat(five.sampled(0.25).minClusterSize()).as("5 × 25 % rounds up to 2, held at 3").isEqualTo(3);
        assertThat(five.sampled(0.9).minClusterSize()).as("5 × 90 % = 4.5, rounded up").isEqualTo(5);
        assertThat(five.sampled(0.7).minClusterSize()).isEqualTo(4);
        ClusteringConfig twenty = ClusteringConfig.fromMap(Map.of("min_cluster_size", 20));
        assertThat(twenty.sampled(0.5).minClusterSize()).isEqualTo(10);
        assertThat(twenty.sampled(0.5).minSamples()).as("HDBSCAN's smoothing keeps its value").isEqualTo(20);
        assertThat(twenty.sampled(0.5).minDistinctUsers()).as("users in the sample are not scaled").isEqualTo(2);
        ClusteringConfig two = ClusteringConfig.fromMap(Map.of("min_cluster_size", 2));
        assertThat(two.sampled(0.25).minClusterSize()).as("never above the configured value").isEqualTo(2);
        assertThat(five.sampled(0).minClusterSize()).as("a rate of 0 (nothing sampled) changes nothing").isEqualTo(5);
    }
}
