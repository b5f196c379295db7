package dev.prism.pricing;

import java.util.Map;

/**
 * What an analysis costs: list prices in USD per million tokens for the models Prism talks to, and the token estimate
 * for a trace from the size of its stored events (rendered text is shorter than the JSON it comes from; about four
 * characters make a token). Pure.
 */
public final class Pricing {

    /** USD per million input and output tokens. */
    public record Price(double input, double output) {
    }

    public static final String DEFAULT_MODEL = "gpt-4o-mini";

    private static final Map<String, Price> PRICES = Map.ofEntries(
            Map.entry("offline", new Price(0, 0)),
            Map.entry("gpt-4o-mini", new Price(0.15, 0.60)),
            Map.entry("gpt-4o", new Price(2.50, 10.00)),
            Map.entry("gpt-4.1-nano", new Price(0.10, 0.40)),
            Map.entry("gpt-4.1-mini", new Price(0.40, 1.60)),
            Map.entry("gpt-4.1", new Price(2.00, 8.00)),
            Map.entry("gpt-5-mini", new Price(0.25, 2.00)),
            Map.entry("claude-3-5-haiku", new Price(0.80, 4.00)),
            Map.entry("claude-haiku-4-5", new Price(1.00, 5.00)),
            Map.entry("claude-sonnet-4", new Price(3.00, 15.00)),
            Map.entry("gemini-2.5-flash", new Price(0.30, 2.50)),
            Map.entry("gemini-2.5-flash-lite", new Price(0.10, 0.40)),
            Map.entry("gemini-2.5-pro", new Price(1.25, 10.00)));

    /** Rendered text length per character of stored event JSON, measured on the shared fixtures (see PricingTest). */
    public static final double RENDERED_PER_STORED_CHAR = 0.40;
    public static final int CHARS_PER_TOKEN = 4;
    /** The analyzer sends at most this much trace text (longer traces are sampled down to it). */
    public static final int MAX_TRACE_CHARS = 60_000;
    /** A JSON answer with title, summary and a few fields. */
    public static final int OUTPUT_TOKENS_PER_CALL = 150;

    private Pricing() {
    }

    /** The price of a model, matching dated variants ("gpt-4o-mini-2024-07-18") to their family; null when unknown. */
    public static Price price(String model) {
        Price exact = PRICES.get(model);
        if (exact != null) {
            return exact;
        }
        String best = null;
        for (String known : PRICES.keySet()) {
            if (model.startsWith(known) && (best == null || known.length() > best.length())) {
                best = known;
            }
        }
        return best == null ? null : PRICES.get(best);
    }

    public static boolean known(String model) {
        return price(model) != null;
    }

    /** Input tokens of one analysis: the trace's text (capped) plus the prompt around it. */
    public static long inputTokens(long storedChars, int promptChars) {
        long traceChars = Math.min((long) (storedChars * RENDERED_PER_STORED_CHAR), MAX_TRACE_CHARS);
        return (traceChars + promptChars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    public static double cost(String model, long inputTokens, long outputTokens) {
        Price p = price(model);
        return p == null ? 0 : (inputTokens * p.input() + outputTokens * p.output()) / 1_000_000.0;
    }
}
