package dev.prism;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** DESIGN.md §2 and §6: features talk only through the bus; pure logic has no Vert.x. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.prism");

    /** Packages every feature may use: the bus vocabulary, configuration and the store's infrastructure. */
    private static final List<String> FEATURES = List.of("ingest", "project", "trace", "format", "theme", "llm", "run", "embed", "web", "demo", "cluster", "relevance", "alert",
            "export", "share", "otel");

    @Test
    @DisplayName("no benchmark is in the server's classes (they live in src/bench/java)")
    void benchmarksStayOutOfTheServer() {
        noClasses().should().haveSimpleNameEndingWith("Bench").check(CLASSES);
    }

    @Test
    @DisplayName("no feature package uses another feature's classes")
    void featuresTalkThroughTheBus() {
        for (String feature : FEATURES) {
            String[] others = FEATURES.stream().filter(f -> !f.equals(feature)).map(f -> "dev.prism." + f + "..").toArray(String[]::new);
            ArchRule rule = noClasses().that().resideInAPackage("dev.prism." + feature + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("features communicate only through records on the event bus");
            rule.check(CLASSES);
        }
    }

    @Test
    @DisplayName("the bus, configuration records and pure logic do not depend on features")
    void busIsALeaf() {
        noClasses().that().resideInAnyPackage("dev.prism.bus..", "dev.prism.config..", "dev.prism.store..", "dev.prism.metrics..", "dev.prism.pricing..", "dev.prism.lifecycle..", "dev.prism.text..", "dev.prism.common..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES.stream().map(f -> "dev.prism." + f + "..").toArray(String[]::new))
                .check(CLASSES);
    }

    @Test
    @DisplayName("pure logic classes import nothing from Vert.x")
    void pureLogic() {
        noClasses().that().haveSimpleNameEndingWith("Assembler").or().haveSimpleNameEndingWith("Parser")
                .or().haveSimpleNameEndingWith("Decoder").or().haveSimpleName("DemoTraffic").or().haveSimpleName("PrismConfig")
                .or().haveSimpleName("ConfigSource").or().haveSimpleName("Tokens").or().haveSimpleName("TraceFormatter").or().haveSimpleName("OfflineAnalyzer")
                .or().haveSimpleName("TraceFilter").or().haveSimpleName("FilterSql").or().haveSimpleName("Reanalysis").or().haveSimpleName("Sampler")
                .or().haveSimpleName("PromptTemplate").or().haveSimpleName("VectorIndex").or().haveSimpleName("Vectors").or().haveSimpleName("OnnxMiniLm").or().haveSimpleName("FlowControl").or().haveSimpleName("AnswerParser")
                .or().haveSimpleName("RelevanceModel").or().haveSimpleName("RelevanceTraining").or().haveSimpleName("TraceView").or().haveSimpleName("Sentences")
                .or().haveSimpleName("Logistic").or().haveSimpleName("SpanMapper").or().haveSimpleName("Conventions")
                .or().haveSimpleName("OtlpJsonReader").or().haveSimpleName("OtlpProtoReader").or().haveSimpleName("OtlpAnswer").or().haveSimpleName("OtlpStatus").or().haveSimpleName("RequestPhrase")
                .or().haveSimpleName("CsvExport").or().haveSimpleName("JsonExport").or().haveSimpleName("MarkdownExport").or().haveSimpleName("NotebookExport").or().haveSimpleName("ThemeExport").or().haveSimpleName("MarkdownText").or().haveSimpleName("ThemeReport")
                .or().haveSimpleName("Masking").or().haveSimpleName("ErrorCause").or().haveSimpleName("PerformanceCause")
                .or().haveSimpleName("AlertEvaluator").or().haveSimpleName("Backoff").or().haveSimpleName("NoticeJson").or().haveSimpleName("ClusterLifecycle")
                .or().haveSimpleName("CoalescingBuffer").or().haveSimpleName("IngestPressure").or().haveSimpleName("Subscriptions").or().haveSimpleName("LiveProtocol")
                .should().dependOnClassesThat().resideInAPackage("io.vertx..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("the clustering core imports nothing from Vert.x; only its verticle and repository may")
    void clusteringCoreIsPure() {
        noClasses().that().resideInAPackage("dev.prism.cluster..")
                .and().haveNameNotMatching(".*(Verticle|Repository)(\\$.*)?")
                .should().dependOnClassesThat().resideInAPackage("io.vertx..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("shared facts (the common package) import nothing from Vert.x")
    void commonIsPure() {
        noClasses().that().resideInAPackage("dev.prism.common..")
                .should().dependOnClassesThat().resideInAPackage("io.vertx..")
                .check(CLASSES);
    }

    @Test
    @DisplayName("the quality benchmark's corpus and metrics import nothing from Vert.x")
    void evaluationIsPure() {
        noClasses().that().resideInAPackage("dev.prism.eval..")
                .should().dependOnClassesThat().resideInAPackage("io.vertx..")
                .check(CLASSES);
    }
}
