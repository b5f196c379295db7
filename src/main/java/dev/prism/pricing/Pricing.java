package dev.prism.pricing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an analysis costs: prices in USD per million tokens for the models Prism talks to (a built-in table of list
 * prices, extended or overridden by configuration), and the token estimate for a trace from the size of its stored
 * events (rendered text is shorter than the JSON it comes from; about four characters make a token). A model missing
 * from the table has no price: callers must not treat it as free. Pure and immutable.
 */
public final class Pricing {

    /**
     * USD per million tokens: uncached input, output, input read from the provider's prompt cache, and input written
     * to it (Anthropic charges a premium for that; OpenAI and Gemini cache implicitly at the input price).
     */
    public record Price(double input, double output, double cacheRead, double cacheWrite) {
        public Price {
            if (!(input >= 0 && output >= 0 && cacheRead >= 0 && cacheWrite >= 0)
                    || Double.isInfinite(input + output + cacheRead + cacheWrite)) {
                throw new IllegalArgumentException("prices must be finite numbers, 0 or more");
            }
        }
    }

    /**
     * Tokens of one call as the provider reported them. {@code inputTokens} counts every input token, the cached ones
     * included; {@code cacheReadTokens} and {@code cacheWriteTokens} are the parts of it read from or written to the
     * prompt cache.
     */
    public record Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens) {
        public static Usage of(long inputTokens, long outputTokens) {
            return new Usage(inputTokens, outputTokens, 0, 0);
        }
    }

    public static final String DEFAULT_MODEL = "gpt-4o-mini";

    /** List prices (OpenAI: cached input at 50 % or 25 %; Anthropic: reads 10 %, 5-minute writes 125 %; Gemini 2.5 implicit caching 25 %). */
    public static final Map<String, Price> BUILT_IN = Map.ofEntries(
            Map.entry("offline", new Price(0, 0, 0, 0)),
            Map.entry("gpt-4o-mini", new Price(0.15, 0.60, 0.075, 0.15)),
            Map.entry("gpt-4o", new Price(2.50, 10.00, 1.25, 2.50)),
            Map.entry("gpt-4.1-nano", new Price(0.10, 0.40, 0.025, 0.10)),
            Map.entry("gpt-4.1-mini", new Price(0.40, 1.60, 0.10, 0.40)),
            Map.entry("gpt-4.1", new Price(2.00, 8.00, 0.50, 2.00)),
            Map.entry("gpt-5-mini", new Price(0.25, 2.00, 0.025, 0.25)),
            Map.entry("claude-3-5-haiku", new Price(0.80, 4.00, 0.08, 1.00)),
            Map.entry("claude-haiku-4-5", new Price(1.00, 5.00, 0.10, 1.25)),
            Map.entry("claude-sonnet-4", new Price(3.00, 15.00, 0.30, 3.75)),
            Map.entry("gemini-2.5-flash", new Price(0.30, 2.50, 0.075, 0.30)),
            Map.entry("gemini-2.5-flash-lite", new Price(0.10, 0.40, 0.025, 0.10)),
            Map.entry("gemini-2.5-pro", new Price(1.25, 10.00, 0.31, 1.25)));

    /** The built-in table alone. */
    public static final Pricing DEFAULTS = new Pricing(Map.of());

    /** Rendered text length per character of stored event JSON, measured on the shared fixtures (see PricingTest). */
    public static final double RENDERED_PER_STORED_CHAR = 0.40;
    public static final int CHARS_PER_TOKEN = 4;
    /** The default of {@code llm.maxTraceChars}: at most this much trace text goes into a prompt. */
    public static final int MAX_TRACE_CHARS = 60_000;
    /** A JSON answer with title, summary and a few fields. */
    public static final int OUTPUT_TOKENS_PER_CALL = 150;

    private final Map<String, Price> prices;
    private final Map<String, Price> configured;

    /** @param configured prices from configuration; they override built-in entries of the same name */
    public Pricing(Map<String, Price> configured) {
        Map<String, Price> all = new HashMap<>(BUILT_IN);
        all.putAll(configured);
        this.prices = Map.copyOf(all);
        this.configured = Map.copyOf(configured);
    }

    /**
     * Parses {@code llm.prices}: entries {@code model=input/output[/cacheRead[/cacheWrite]]} in USD per million
     * tokens, separated by commas or semicolons. A missing cache-read price is the input price, a missing cache-write
     * price the input price.
     *
     * @throws IllegalArgumentException naming the entry that does not parse
     */
    public static Map<String, Price> parse(String spec) {
        Map<String, Price> out = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String entry : spec.split("[,;]")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.lastIndexOf('=');
            String model = eq < 0 ? "" : e.substring(0, eq).strip();
            String[] parts = eq < 0 ? new String[0] : e.substring(eq + 1).strip().split("/");
            if (model.isEmpty() || parts.length < 2 || parts.length > 4) {
                throw new IllegalArgumentException("'" + e + "': expected model=input/output[/cacheRead[/cacheWrite]] in USD per million tokens");
            }
            try {
                double in = Double.parseDouble(parts[0].strip());
                double o = Double.parseDouble(parts[1].strip());
                double read = parts.length > 2 ? Double.parseDouble(parts[2].strip()) : in;
                double write = parts.length > 3 ? Double.parseDouble(parts[3].strip()) : in;
                out.put(model, new Price(in, o, read, write));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("'" + e + "': prices must be numbers, 0 or more (USD per million tokens)");
            }
        }
        return out;
    }

    /** The price of a model, matching dated variants ("gpt-4o-mini-2024-07-18") to their family; null when unknown. */
    public Price price(String model) {
        if (model == null) {
            return null;
        }
        Price exact = prices.get(model);
        if (exact != null) {
            return exact;
        }
        String best = null;
        for (String known : prices.keySet()) {
            if (model.startsWith(known) && (best == null || known.length() > best.length())) {
                best = known;
            }
        }
        return best == null ? null : prices.get(best);
    }

    public boolean known(String model) {
        return price(model) != null;
    }

    /** Models priced by configuration rather than the built-in table. */
    public Map<String, Price> configured() {
        return configured;
    }

    /** Input tokens of one analysis: the trace's text (capped at {@code maxTraceChars}) plus the prompt around it. */
    public static long inputTokens(long storedChars, int promptChars, int maxTraceChars) {
        long traceChars = Math.min((long) (storedChars * RENDERED_PER_STORED_CHAR), maxTraceChars);
        return (traceChars + promptChars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    /** The cost of a call without cache figures; NaN when the model has no price. */
    public double cost(String model, long inputTokens, long outputTokens) {
        return cost(model, Usage.of(inputTokens, outputTokens));
    }

    /** The cost of a call; NaN when the model has no price (never 0: an unknown price is not free). */
    public double cost(String model, Usage u) {
        Price p = price(model);
        if (p == null) {
            return Double.NaN;
        }
        long cached = Math.max(0, u.cacheReadTokens()) + Math.max(0, u.cacheWriteTokens());
        long uncached = Math.max(0, u.inputTokens() - cached);
        return (uncached * p.input() + Math.max(0, u.cacheReadTokens()) * p.cacheRead()
                + Math.max(0, u.cacheWriteTokens()) * p.cacheWrite() + Math.max(0, u.outputTokens()) * p.output()) / 1_000_000.0;
    }
}
