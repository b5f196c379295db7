package dev.prism;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * DESIGN.md §2 and §6, as rules by pattern so that a new package or class is covered without being listed: every
 * package under {@code dev.prism} is a feature unless it is one of the shared ones; features talk only through the bus;
 * Vert.x is for adapters, recognised by their name, and everything else is pure logic.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.prism");

    /** What every feature may use: the bus vocabulary, configuration, the store's infrastructure and shared facts. */
    private static final String[] SHARED = {"dev.prism.bus..", "dev.prism.config..", "dev.prism.store..", "dev.prism.metrics..",
            "dev.prism.pricing..", "dev.prism.lifecycle..", "dev.prism.text..", "dev.prism.common..", "dev.prism.http.."};

    /** Tools that wire features together (the command line, the quality benchmark): they may use any feature. */
    private static final String[] TOOLS = {"dev.prism.cli..", "dev.prism.eval.."};

    /**
     * Where Vert.x belongs: verticles, the adapters to the outside (stores, routes, providers, destinations, caches,
     * sinks, clients) and the asynchronous plumbing they share. A class named otherwise is pure logic.
     */
    private static final String ADAPTER_NAME = ".*\\.[A-Za-z0-9]*(Verticle|Repository|Store|Routes|Providers?|Destinations?|DestinationConfig"
            + "|Embedder|Cache|Http|Sink|Writer|Forwarder|Loader|Tickets|Tasks|ProviderAnalyzer|Flow|Sequence|Counters|Limits)(\\$.*)?";

    /** Packages that are infrastructure themselves, where Vert.x is the point. */
    private static final String[] VERTX_INFRASTRUCTURE = {"dev.prism", "dev.prism.bus..", "dev.prism.store..", "dev.prism.web..",
            "dev.prism.http..", "dev.prism.lifecycle..", "dev.prism.cli.."};

    @Test
    @DisplayName("no benchmark is in the server's classes (they live in src/bench/java)")
    void benchmarksStayOutOfTheServer() {
        noClasses().should().haveSimpleNameEndingWith("Bench").check(CLASSES);
    }

    @Test
    @DisplayName("no feature package uses another feature's classes (every package not shared is a feature)")
    void featuresTalkThroughTheBus() {
        DescribedPredicate<JavaClass> sharedOrTool = resideInAnyPackage(SHARED).or(resideInAnyPackage(TOOLS));
        slices().matching("dev.prism.(*)..").namingSlices("feature $1")
                .should().notDependOnEachOther()
                .ignoreDependency(resideInAnyPackage(TOOLS), DescribedPredicate.alwaysTrue())
                .ignoreDependency(DescribedPredicate.alwaysTrue(), sharedOrTool)
                .because("features communicate only through records on the event bus")
                .check(CLASSES);
    }

    @Test
    @DisplayName("the shared packages do not depend on features")
    void sharedPackagesAreLeaves() {
        noClasses().that().resideInAnyPackage(SHARED)
                .should().dependOnClassesThat(resideOutsideOf(SHARED))
                .check(CLASSES);
    }

    @Test
    @DisplayName("pure logic imports nothing from Vert.x: only verticles, adapters and infrastructure may")
    void pureLogic() {
        noClasses().that().resideOutsideOfPackages(VERTX_INFRASTRUCTURE)
                .and().haveNameNotMatching(ADAPTER_NAME)
                .should().dependOnClassesThat().resideInAPackage("io.vertx..")
                .because("pure logic is tested without an event loop (DESIGN.md §6)")
                .check(CLASSES);
    }

    @Test
    @DisplayName("shared facts (the common package) and the quality benchmark import nothing from Vert.x")
    void commonAndEvaluationArePure() {
        noClasses().that().resideInAnyPackage("dev.prism.common..", "dev.prism.eval..", "dev.prism.config..")
                .and().haveNameNotMatching(ADAPTER_NAME)
                .should().dependOnClassesThat().resideInAPackage("io.vertx..")
                .check(CLASSES);
    }

    private static DescribedPredicate<JavaClass> resideOutsideOf(String[] packages) {
        return DescribedPredicate.not(resideInAnyPackage(packages)).and(resideInAnyPackage("dev.prism.."));
    }
}
