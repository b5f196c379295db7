package dev.prism.llm;

import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BudgetGuardTest {

    private static final LocalDate DAY = LocalDate.parse("2026-11-24");

    @Test
    @DisplayName("a project is paused by the reading that shows its budget spent, or by the result that spends it")
    void pausesWhenSpent() {
        BudgetGuard guard = new BudgetGuard();
        assertThat(guard.read(Map.of("p", new BudgetGuard.Budget(1.0, 0.4)), DAY)).isEmpty();
        assertThat(guard.spent("p", 0.5, null)).isFalse();
        assertThat(guard.spent("p", 0.2, null)).as("0.4 + 0.5 + 0.2 ≥ 1.0").isTrue();
        assertThat(guard.paused("p")).isTrue();
        assertThat(guard.pausedProjects()).containsExactly("p");
        assertThat(guard.read(Map.of("q", new BudgetGuard.Budget(0, 0)), DAY)).containsExactly("q");
    }

    @Test
    @DisplayName("a reading older than the results counted since does not lift a pause; a new day or a raised budget does")
    void staleReadingDoesNotUnpause() {
        BudgetGuard guard = new BudgetGuard();
        guard.read(Map.of("p", new BudgetGuard.Budget(1.0, 0.0)), DAY);
        assertThat(guard.spent("p", 1.0, null)).isTrue();
        guard.read(Map.of("p", new BudgetGuard.Budget(1.0, 0.3)), DAY);
        assertThat(guard.paused("p")).as("the database has not seen every result yet").isTrue();
        guard.read(Map.of("p", new BudgetGuard.Budget(5.0, 1.0)), DAY);
        assertThat(guard.paused("p")).as("budget raised").isFalse();
        assertThat(guard.spent("p", 4.0, null)).isTrue();
        guard.read(Map.of("p", new BudgetGuard.Budget(5.0, 0.0)), DAY.plusDays(1));
        assertThat(guard.paused("p")).as("a new day").isFalse();
        guard.read(Map.of(), DAY.plusDays(1));
        assertThat(guard.pausedProjects()).isEmpty();
    }

    @Test
    @DisplayName("without a reading, the server's default budget still counts; without any budget nothing pauses")
    void defaultBudget() {
        BudgetGuard guard = new BudgetGuard();
        assertThat(guard.spent("p", 10, null)).isFalse();
        assertThat(guard.spent("p", 0.6, 1.0)).isFalse();
        assertThat(guard.spent("p", 0.6, 1.0)).isTrue();
    }

    @Test
    @DisplayName("a budget without room for the next call stays paused that day, though its spend is below it; a changed budget or a new day lifts it")
    void exhaustedBeforeSpent() {
        BudgetGuard guard = new BudgetGuard();
        guard.read(Map.of("p", new BudgetGuard.Budget(1.0, 0.7)), DAY);
        assertThat(guard.exhausted("p", 1.0, DAY)).isTrue();
        guard.read(Map.of("p", new BudgetGuard.Budget(1.0, 0.7)), DAY);
        assertThat(guard.paused("p")).as("same day, same budget").isTrue();
        guard.read(Map.of("p", new BudgetGuard.Budget(2.0, 0.7)), DAY);
        assertThat(guard.paused("p")).as("budget raised").isFalse();
        assertThat(guard.exhausted("p", 2.0, DAY)).isTrue();
        guard.read(Map.of("p", new BudgetGuard.Budget(2.0, 0.0)), DAY.plusDays(1));
        assertThat(guard.paused("p")).as("a new day").isFalse();
    }

    @Test
    @DisplayName("themes' own budgets in a guard of their own: the theme that spent its budget is paused, its sibling is not, "
            + "and theme keys name their project and theme unambiguously")
    void themeBudgets() {
        BudgetGuard themes = new BudgetGuard();
        String errors = BudgetGuard.themeKey("p", "errors");
        String ux = BudgetGuard.themeKey("p", "ux");
        assertThat(themes.read(Map.of(errors, new BudgetGuard.Budget(0.02, 0.01), ux, new BudgetGuard.Budget(1.0, 0.01)), DAY)).isEmpty();
        assertThat(themes.spent(errors, 0.01, null)).isTrue();
        assertThat(themes.spent(ux, 0.01, null)).isFalse();
        assertThat(themes.paused(errors)).isTrue();
        assertThat(themes.paused(ux)).isFalse();
        assertThat(themes.pausedProjects().stream().map(BudgetGuard::theme).toList())
                .singleElement().satisfies(pt -> assertThat(pt).containsExactly("p", "errors"));
        assertThat(BudgetGuard.themeKey("a:b", "c")).isNotEqualTo(BudgetGuard.themeKey("a", "b:c"));
        assertThat(BudgetGuard.theme(BudgetGuard.themeKey("a:b", "c:d"))).containsExactly("a:b", "c:d");
        themes.read(Map.of(errors, new BudgetGuard.Budget(0.05, 0.02)), DAY);
        assertThat(themes.paused(errors)).as("its budget raised").isFalse();
    }
}
