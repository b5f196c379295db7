package dev.prism.bus;

/** @param cached true when the text came from the cache rather than a fresh render */
public record TraceText(String traceId, int version, String text, boolean cached) {
}
