package dev.prism.bus;

/** Asks how many analyses of every project are in each state (the LLM backlog lives in PostgreSQL). Replies {@link Counts}. */
public record AnalysisBacklog() {

    public record Counts(long queued, long running, long done, long dead) {
    }
}
