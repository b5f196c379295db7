package dev.prism.llm;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which projects (or, keyed by {@link #themeKey}, which themes) spent their daily LLM budget. Spend comes from two sources that must not undo each other: the
 * periodic reading of the database, and each result counted the moment it is stored (so a budget stops claims within
 * the calls in flight, not at the next reading). A reading may predate results counted meanwhile, so within a UTC day
 * and for an unchanged budget the larger spend wins; a new day or a changed budget takes the reading as it is. A budget
 * whose rest cannot hold a call's estimated cost pauses its project too, before the spend reaches it. Pure and
 * single-threaded.
 */
final class BudgetGuard {

    /**
     * The key of a theme's own budget in a guard of themes (a second instance, so a theme that spent its budget pauses
     * only itself): the project's length keeps (a:b, c) and (a, b:c) apart.
     */
    static String themeKey(String projectId, String themeId) {
        return projectId.length() + ":" + projectId + ":" + themeId;
    }

    /** The (project, theme) a {@link #themeKey} names. */
    static String[] theme(String key) {
        int colon = key.indexOf(':');
        int length = Integer.parseInt(key.substring(0, colon));
        return new String[]{key.substring(colon + 1, colon + 1 + length), key.substring(colon + 2 + length)};
    }

    /** A project's budget and what it spent since midnight UTC. */
    record Budget(double dailyUsd, double spentTodayUsd) {
        boolean reached() {
            return spentTodayUsd >= dailyUsd;
        }
    }

    private Map<String, Budget> budgets = new HashMap<>();
    private LocalDate day;
    private final Set<String> paused = new HashSet<>();
    /** Projects whose budget had no room left for a call's estimate, with the day and the budget that was under. */
    private final Map<String, Exhausted> exhausted = new HashMap<>();

    private record Exhausted(LocalDate day, double dailyUsd) {
    }

    /** @return the projects newly paused by this reading */
    Set<String> read(Map<String, Budget> found, LocalDate today) {
        Map<String, Budget> merged = new HashMap<>();
        found.forEach((project, budget) -> {
            Budget known = budgets.get(project);
            merged.put(project, known != null && today.equals(day) && known.dailyUsd() == budget.dailyUsd()
                    ? new Budget(budget.dailyUsd(), Math.max(budget.spentTodayUsd(), known.spentTodayUsd())) : budget);
        });
        budgets = merged;
        day = today;
        Set<String> newly = new HashSet<>();
        // A budget without room for the next call stays paused for its day, unless it is changed.
        exhausted.entrySet().removeIf(e -> !e.getValue().day().equals(today) || !merged.containsKey(e.getKey())
                || merged.get(e.getKey()).dailyUsd() != e.getValue().dailyUsd());
        paused.removeIf(p -> !merged.containsKey(p) || !merged.get(p).reached() && !exhausted.containsKey(p));
        merged.forEach((project, budget) -> {
            if (budget.reached() && paused.add(project)) {
                newly.add(project);
            }
        });
        return newly;
    }

    /**
     * Counts a stored result's cost.
     *
     * @param defaultBudget the server's default budget, for a project the last reading did not know
     * @return true when the project is paused by this cost
     */
    boolean spent(String projectId, double costUsd, Double defaultBudget) {
        if (costUsd <= 0) {
            return false;
        }
        Budget b = budgets.get(projectId);
        if (b == null) {
            if (defaultBudget == null) {
                return false;
            }
            b = new Budget(defaultBudget, 0); // a lower bound until the next reading has the real figure
        }
        Budget now = new Budget(b.dailyUsd(), b.spentTodayUsd() + costUsd);
        budgets.put(projectId, now);
        return now.reached() && paused.add(projectId);
    }

    /**
     * Pauses, until the end of {@code today} or a change of its budget, a project whose budget had no room left for a
     * call (the instances together reserved or spent it).
     *
     * @return true when newly paused
     */
    boolean exhausted(String projectId, double dailyUsd, LocalDate today) {
        exhausted.put(projectId, new Exhausted(today, dailyUsd));
        return paused.add(projectId);
    }

    boolean paused(String projectId) {
        return paused.contains(projectId);
    }

    /** The paused projects, for the claim query; a live view, read on the same thread. */
    Set<String> pausedProjects() {
        return java.util.Collections.unmodifiableSet(paused);
    }
}
