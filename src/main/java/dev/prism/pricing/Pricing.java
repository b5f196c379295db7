package dev.prism.pricing;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an analysis costs: prices in USD per million tokens for the models Prism talks to (a built-in table of list
 * prices, extended or overridden by configuration), and the token estimate for a trace from the size of its stored
 * events (rendered text is shorter than the JSON it comes from; about four characters make a token). A model missing
 * from the table has no price: callers must not treat it as free. Pure and immutable (a bounded cache of resolved
 * names aside); safe to share between threads.
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
            Map.entry("gemini-2.5-pro", new Price(1.25, 10.00, 0.31, 1.25)),
            // Models the PostHog wrappers commonly report, so their traces get a cost without configuration.
            Map.entry("gpt-5", new Price(1.25, 10.00, 0.125, 1.25)),
            Map.entry("gpt-5-nano", new Price(0.05, 0.40, 0.005, 0.05)),
            Map.entry("gpt-4-turbo", new Price(10.00, 30.00, 10.00, 10.00)),
            Map.entry("gpt-3.5-turbo", new Price(0.50, 1.50, 0.50, 0.50)),
            Map.entry("o3", new Price(2.00, 8.00, 0.50, 2.00)),
            Map.entry("o3-mini", new Price(1.10, 4.40, 0.55, 1.10)),
            Map.entry("o4-mini", new Price(1.10, 4.40, 0.275, 1.10)),
            Map.entry("text-embedding-3-small", new Price(0.02, 0, 0.02, 0.02)),
            Map.entry("text-embedding-3-large", new Price(0.13, 0, 0.13, 0.13)),
            Map.entry("text-embedding-ada-002", new Price(0.10, 0, 0.10, 0.10)),
            Map.entry("claude-3-haiku", new Price(0.25, 1.25, 0.03, 0.30)),
            Map.entry("claude-3-5-sonnet", new Price(3.00, 15.00, 0.30, 3.75)),
            Map.entry("claude-3-7-sonnet", new Price(3.00, 15.00, 0.30, 3.75)),
            Map.entry("claude-sonnet-4-5", new Price(3.00, 15.00, 0.30, 3.75)),
            Map.entry("claude-opus-4", new Price(15.00, 75.00, 1.50, 18.75)),
            Map.entry("claude-3-opus", new Price(15.00, 75.00, 1.50, 18.75)),
            Map.entry("gemini-2.0-flash", new Price(0.10, 0.40, 0.025, 0.10)),
            Map.entry("gemini-2.0-flash-lite", new Price(0.075, 0.30, 0.075, 0.075)));

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
    /** Table names by their {@link #canonical} form; a configured name wins over a built-in one of the same form. */
    private final Map<String, String> byCanonical;

    /** @param configured prices from configuration; they override built-in entries of the same name */
    public Pricing(Map<String, Price> configured) {
        Map<String, Price> all = new HashMap<>(BUILT_IN);
        all.putAll(configured);
        this.prices = Map.copyOf(all);
        this.configured = Map.copyOf(configured);
        Map<String, String> canon = new HashMap<>();
        BUILT_IN.keySet().forEach(k -> canon.put(canonical(k), k));
        configured.keySet().forEach(k -> canon.put(canonical(k), k));
        canon.remove("");
        this.byCanonical = Map.copyOf(canon);
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

    /** The price of a model under any of the names {@link #resolve} understands; null when unknown. */
    public Price price(String model) {
        String name = resolve(model);
        return name == null ? null : prices.get(name);
    }

    /**
     * The table entry a model name stands for, or null. The rules follow PostHog's server-side cost matching: the exact
     * name first; then the name without what only says where it ran (a router or SDK prefix up to the last {@code /}
     * as in "openai/gpt-4o-mini" or "models/gemini-2.5-flash", a {@code provider:} prefix, Bedrock's region and vendor
     * ("us.anthropic.claude-…") and version suffix ("-v1:0")), compared case-blind with every run of other characters
     * read as one hyphen ("claude-3.5-haiku", "claude-3-5-haiku@20241022"); then the longest table name that the model
     * name starts with, whole words only ("gpt-4o-mini-2024-07-18" is gpt-4o-mini, "gpt-4o-2024-08-06" is gpt-4o, but
     * "gpt-4ox" is nothing). Unlike PostHog, a name is never matched by a shorter name it contains elsewhere: a price
     * that belongs to another model would be reported as this one's.
     */
    public String resolve(String model) {
        if (model == null || model.isBlank()) {
            return null;
        }
        if (prices.containsKey(model)) {
            return model;
        }
        // Ingestion resolves every generation's model: remember the few names an application uses.
        String cached = resolved.get(model);
        if (cached != null) {
            return cached.isEmpty() ? null : cached;
        }
        String found = match(model);
        if (resolved.size() >= RESOLVED_CACHE_ENTRIES) {
            resolved.clear(); // bounded: a flood of distinct names costs recomputation, never memory
        }
        resolved.put(model, found == null ? "" : found);
        return found;
    }

    private static final int RESOLVED_CACHE_ENTRIES = 4096;
    private final java.util.concurrent.ConcurrentHashMap<String, String> resolved = new java.util.concurrent.ConcurrentHashMap<>();

    private String match(String model) {
        String name = canonical(model);
        if (name.isEmpty()) {
            return null;
        }
        String exact = byCanonical.get(name);
        if (exact != null) {
            return exact;
        }
        // Walk back over the name's hyphens: the first known prefix is the longest one.
        for (int cut = name.lastIndexOf('-'); cut > 0; cut = name.lastIndexOf('-', cut - 1)) {
            String family = byCanonical.get(name.substring(0, cut));
            if (family != null && !NEVER_A_FAMILY.contains(family)) {
                return family;
            }
        }
        return null;
    }

    /** Held apart so they exist before {@link #DEFAULTS} is built during class initialisation. */
    private static final class Names {
        private static final java.util.regex.Pattern PROVIDER_COLON = java.util.regex.Pattern.compile(
                "^(?:openai|anthropic|google|google-gla|google-vertex|gemini|vertex|vertex_ai|vertexai|bedrock|azure|azure_openai|groq|mistral"
                        + "|openrouter|xai|deepseek|cohere|together|fireworks|ollama):");
        private static final java.util.regex.Pattern BEDROCK_VENDOR = java.util.regex.Pattern.compile(
                "^(?:(?:us|eu|apac|global|jp|au|ca|us-gov)\\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|openai|deepseek|qwen|writer)\\.");
        private static final java.util.regex.Pattern BEDROCK_VERSION = java.util.regex.Pattern.compile("(?:-v\\d+)?:\\d+$");
    }

    /** Entries that price only their exact name: "offline" is Prism's own analyzer, not a model family. */
    private static final java.util.Set<String> NEVER_A_FAMILY = java.util.Set.of("offline");

    private static boolean isCanonical(String s) {
        if (s.isEmpty() || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && s.charAt(i - 1) != '-'))) {
                return false;
            }
        }
        return true;
    }

    /** A model name reduced to what identifies the model: lower case, no routing prefixes, hyphens for separators. */
    static String canonical(String model) {
        String s = model.strip().toLowerCase(java.util.Locale.ROOT);
        if (isCanonical(s)) {
            return s; // the common case (table names, most SDK model names) skips the rewriting below
        }
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            s = s.substring(slash + 1);
        }
        s = Names.PROVIDER_COLON.matcher(s).replaceFirst("");
        s = Names.BEDROCK_VENDOR.matcher(s).replaceFirst("");
        s = Names.BEDROCK_VERSION.matcher(s).replaceFirst("");
        StringBuilder out = new StringBuilder(s.length());
        boolean gap = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (gap && out.length() > 0) {
                    out.append('-');
                }
                gap = false;
                out.append(c);
            } else {
                gap = true;
            }
        }
        return out.toString();
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
