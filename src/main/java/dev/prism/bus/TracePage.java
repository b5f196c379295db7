package dev.prism.bus;

import java.util.List;

/** @param nextCursor null on the last page */
public record TracePage(List<TraceSummary> traces, String nextCursor) {
}
