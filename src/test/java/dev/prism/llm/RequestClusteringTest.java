package dev.prism.llm;

import dev.prism.cluster.AdjustedRandIndex;
import dev.prism.cluster.Clustering;
import dev.prism.cluster.ClusteringConfig;
import dev.prism.cluster.Parallel;
import dev.prism.cluster.Vectors;
import dev.prism.embed.Embedder;
import dev.prism.embed.LocalEmbedder;
import dev.prism.eval.PhraseBank;
import dev.prism.eval.Split;
import dev.prism.relevance.Logistic;
import dev.prism.relevance.RelevanceModel;
import dev.prism.relevance.Sentences;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feature requests of the eval split (16 phrasings for each of six capabilities, several languages), analysed as the
 * offline analyzer does (the evidence sentence the relevance model's request head picks, then the catalogue), embedded
 * with the local model and clustered with the default settings: with the full catalogue, and with the six capabilities
 * removed from it, which is how requests for a capability nobody listed are grouped (from the users' own words).
 * {@code -Drequests.split=tune} measures the tune split instead.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Feature requests grouped by the capability they ask for")
class RequestClusteringTest {

    /** The catalogue entries of the eval corpus's six categories. */
    static final Set<String> CORPUS_CAPABILITIES = Set.of("spreadsheet export", "calendar integration", "team notifications",
            "voice input", "bulk import", "offline mode");

    private Embedder embedder;
    private final List<String> evidence = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private int[] truth;

    @BeforeAll
    void load(Vertx vertx) throws Exception {
        embedder = await(LocalEmbedder.create(vertx, 1, 2));
        Logistic head = RelevanceModel.load().weights().heads().get("feature_requests");
        List<Integer> categories = new ArrayList<>();
        List<PhraseBank.Category> all = PhraseBank.load().categories("feature_requests");
        for (int c = 0; c < all.size(); c++) {
            for (PhraseBank.Phrase p : all.get(c).phrasings()) {
                if (Split.of(p.id()) != Split.parse(System.getProperty("requests.split", "eval"))) {
                    continue;
                }
                List<String> sentences = Sentences.split(p.text());
                List<float[]> vectors = await(embedder.embed(sentences));
                int best = IntStream.range(0, sentences.size()).boxed()
                        .max((a, b) -> Double.compare(head.probability(vectors.get(a)), head.probability(vectors.get(b)))).orElseThrow();
                evidence.add(sentences.get(best));
                messages.add(p.text());
                categories.add(c);
            }
        }
        truth = categories.stream().mapToInt(Integer::intValue).toArray();
    }

    @AfterAll
    void close() throws Exception {
        await(embedder.close());
    }

    record Grouping(double ari, int clusters, List<String> titles, Map<String, Integer> sizes) {
    }

    private Grouping cluster(Capabilities catalogue) throws Exception {
        List<OfflineAnalyzer.Analysis> analyses = new ArrayList<>();
        for (int i = 0; i < evidence.size(); i++) {
            analyses.add(OfflineAnalyzer.request(evidence.get(i), messages.get(i), true, catalogue));
        }
        List<float[]> vectors = await(embedder.embed(analyses.stream().map(OfflineAnalyzer.Analysis::embedText).toList()));
        List<String> users = IntStream.range(0, vectors.size()).mapToObj(i -> "user-" + i).toList();
        Clustering.Outcome outcome = Clustering.run(Vectors.of(vectors), users, ClusteringConfig.DEFAULTS, Parallel.sequential());
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (int i = 0; i < outcome.labels().length; i++) {
            sizes.merge(outcome.labels()[i] < 0 ? "Other" : "cluster " + outcome.labels()[i], 1, Integer::sum);
        }
        return new Grouping(AdjustedRandIndex.of(truth, outcome.labels()), outcome.clusters(),
                analyses.stream().map(OfflineAnalyzer.Analysis::title).toList(), sizes);
    }

    @Test
    @DisplayName("with the catalogue: ARI ≥ 0.7 and 4-8 clusters for 6 capabilities, titled 'Asks for <capability>'")
    void withCatalogue() throws Exception {
        Grouping g = cluster(Capabilities.standard());
        System.out.println("requests, full catalogue: ARI " + g.ari() + ", " + g.clusters() + " clusters " + g.sizes());
        assertThat(g.ari()).isGreaterThanOrEqualTo(0.7);
        assertThat(g.clusters()).isBetween(4, 8);
        assertThat(g.titles().stream().filter(t -> t.startsWith("Asks for ")).count()).isGreaterThanOrEqualTo(g.titles().size() * 9 / 10);
    }

    @Test
    @DisplayName("with the six capabilities removed (an unseen capability): the fallback to the users' words groups them as well as before the catalogue, and titles stay phrases")
    void unseenCapabilities() throws Exception {
        Grouping before = cluster(new Capabilities(List.of()));
        Grouping g = cluster(Capabilities.standard().without(CORPUS_CAPABILITIES));
        System.out.println("requests, no catalogue: ARI " + before.ari() + ", " + before.clusters() + " clusters " + before.sizes());
        System.out.println("requests, six capabilities removed: ARI " + g.ari() + ", " + g.clusters() + " clusters " + g.sizes());
        g.titles().forEach(t -> System.out.println("  " + t));
        assertThat(g.ari()).as("ARI without the six entries, against no catalogue at all (%.2f)", before.ari())
                .isGreaterThanOrEqualTo(0.2).isGreaterThanOrEqualTo(before.ari());
        assertThat(g.clusters()).isGreaterThanOrEqualTo(3);
        assertThat(g.titles()).allSatisfy(t -> {
            assertThat(t).startsWith("Asks");
            assertThat(t.split("\\s+").length).isBetween(2, 12);
        });
    }
}
