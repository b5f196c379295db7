package dev.prism.bus;

public record TraceQuery(String projectId, String traceId) {
}
