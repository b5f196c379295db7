package dev.prism.bus;

import java.time.Instant;
import java.util.List;

/**
 * Relevant stored summaries of every project, oldest first, strictly after the position ({@code afterTime},
 * {@code afterId}) and completed before {@code until}; only each trace version's latest prompt version. Lets the embed
 * sweep find summaries that have no vector without reading the analysis feature's tables. Replies {@link Page}.
 */
public record SummaryScan(Instant afterTime, long afterId, Instant until, int limit) {

    /** The start of the scan: before every summary. */
    public static final Instant START = Instant.EPOCH;

    /** @param id the summary's position together with {@link SummaryCreated#createdAt()} (its completion time) */
    public record Entry(SummaryCreated summary, long id) {
    }

    public record Page(List<Entry> entries) {
    }
}
