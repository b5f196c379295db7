package dev.prism.bus;

/**
 * A request to the run feature. Replies: {@link Run} for {@code Start}, {@link Runs} for {@code List} and {@code Latest}, {@link Tested}
 * for {@code Test}. Failures carry 404 (unknown theme or run) and 409 (the theme already has a run in progress).
 */
public sealed interface RunCommand {

    String projectId();

    /**
     * Starts a run of one theme over a window now.
     *
     * @param dateFrom ISO-8601 or relative ({@code -7d}); null for the theme's own date range
     * @param dateTo   ISO-8601 or relative; null for now
     */
    record Start(String projectId, String themeId, String dateFrom, String dateTo) implements RunCommand {
    }

    /**
     * The project's runs, newest first; {@code themeId} null for every theme.
     *
     * @param beforeId only runs older than this id (the previous page's {@code next_cursor}); null for the newest
     */
    record List(String projectId, String themeId, int limit, Long beforeId) implements RunCommand {
    }

    record Get(String projectId, long runId) implements RunCommand {
    }

    /** Each theme's newest run, one per theme that has any (the themes page in one request). Replies {@link Runs}. */
    record Latest(String projectId) implements RunCommand {
    }

    /** Analyses up to {@code traces} of the theme's most recent selected traces now and returns the results unstored. */
    record Test(String projectId, String themeId, int traces) implements RunCommand {
    }

    record Runs(java.util.List<Run> runs) {
    }

    record Tested(String themeId, int promptVersion, java.util.List<Analyzed> results) {
    }
}
