package dev.prism.bus;

/** The text of a trace's current version, rendered with these options. {@code maxLength} 0 means unlimited. */
public record TraceTextQuery(String projectId, String traceId, boolean lineNumbers, int maxLength) {
}
