package dev.prism.bus;

import java.util.Map;

/**
 * A formatted trace version with its relevance score per built-in user-language theme (0 to 1), computed once and
 * stored. {@code relevance} is empty when scoring failed: dispatch then treats every score as 1, so no trace is lost.
 */
public record TraceScored(TraceFormatted formatted, Map<String, Double> relevance) {
}
