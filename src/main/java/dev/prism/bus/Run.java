package dev.prism.bus;

import java.time.Instant;

/**
 * One run of a theme over a window, as recorded and as published on {@code prism.run.progress} while it goes.
 *
 * @param trigger         {@code manual} or {@code schedule}
 * @param status          {@code running}, {@code completed} or {@code failed}
 * @param tracesInRange   completed traces in the window: what the naive plan would analyse
 * @param matched         traces passing the base and theme filters
 * @param sampled         of those, the ones sampled in: the LLM calls this theme makes for the window
 * @param queued          analyses this run queued (null until queued); the rest were already analysed or queued
 * @param analysed        of the run's analyses, the finished ones
 * @param failed          of the run's analyses, the dead-lettered ones
 */
public record Run(long id, String projectId, String themeId, String trigger, String status, Instant windowFrom, Instant windowTo,
                  int promptVersion, long tracesInRange, long matched, long sampled, Long queued, long analysed, long relevant,
                  long failed, long inputTokens, long outputTokens, double costUsd, String error, Instant startedAt,
                  Instant finishedAt) {

    /** The run's analyses not yet finished or dead. */
    public long pending() {
        return queued == null ? sampled : Math.max(0, queued - analysed - failed);
    }
}
