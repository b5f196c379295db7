package dev.prism.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Set;

/**
 * Server-side cost of an {@code $ai_generation} or {@code $ai_embedding} event that carries a model and tokens but no
 * cost, as PostHog's ingestion computes it: the PostHog SDK wrappers send {@code $ai_model}, {@code $ai_provider} and
 * token counts ({@code $ai_input_tokens}, {@code $ai_output_tokens}, {@code $ai_cache_read_input_tokens},
 * {@code $ai_cache_creation_input_tokens}, {@code $ai_reasoning_tokens}) and leave the price to the server.
 *
 * <p>The event gains {@code $ai_input_cost_usd} (uncached, cache-read and cache-write input together, as PostHog
 * reports it), {@code $ai_output_cost_usd}, {@code $ai_total_cost_usd}, the parts {@code $ai_cache_read_cost_usd} and
 * {@code $ai_cache_write_cost_usd} when cache tokens were reported, {@code $ai_cost_estimated: true}, and which table
 * entry priced it ({@code $ai_model_cost_used}, {@code $ai_cost_model_source}: {@code built_in}, {@code configured} or
 * {@code custom}). A cost the client sent is never replaced, and a model without a price gets no cost at all rather
 * than $0. Pure; mutates only the properties it is given.
 */
public final class EventCost {

    public static final String ESTIMATED = "$ai_cost_estimated";
    private static final Set<String> BILLED = Set.of("$ai_generation", "$ai_embedding");
    private static final String[] COSTS = {"$ai_total_cost_usd", "$ai_input_cost_usd", "$ai_output_cost_usd"};
    private static final Set<String> ANTHROPIC = Set.of("anthropic", "claude", "anthropic-claude");

    private EventCost() {
    }

    /** @return whether a cost was added */
    public static boolean estimate(String event, ObjectNode props, Pricing pricing) {
        if (props == null || !BILLED.contains(event)) {
            return false;
        }
        for (String key : COSTS) {
            if (!Double.isNaN(number(props, key))) {
                return false; // the client priced it: its figure stands, as in PostHog
            }
        }
        double in = tokens(props, "$ai_input_tokens");
        double out = tokens(props, "$ai_output_tokens");
        if (Double.isNaN(in) && Double.isNaN(out)) {
            return false;
        }
        in = Double.isNaN(in) ? 0 : in;
        out = Double.isNaN(out) ? 0 : out;
        double read = orZero(tokens(props, "$ai_cache_read_input_tokens"));
        double write = orZero(tokens(props, "$ai_cache_creation_input_tokens"));

        String model = text(props, "$ai_model");
        Pricing.Price price;
        String used;
        String source;
        double inputPrice = number(props, "$ai_input_token_price");
        double outputPrice = number(props, "$ai_output_token_price");
        if (!Double.isNaN(inputPrice) && !Double.isNaN(outputPrice) && inputPrice >= 0 && outputPrice >= 0) {
            // PostHog's custom pricing: the client names its own per-token prices.
            double readPrice = number(props, "$ai_cache_read_token_price");
            double writePrice = number(props, "$ai_cache_write_token_price");
            price = new Pricing.Price(inputPrice * 1e6, outputPrice * 1e6,
                    (readPrice >= 0 ? readPrice : inputPrice) * 1e6, (writePrice >= 0 ? writePrice : inputPrice) * 1e6);
            used = "custom";
            source = "custom";
        } else {
            used = model == null ? null : pricing.resolve(model);
            if (used == null || "offline".equals(used)) {
                return false; // unknown model: no figure is better than a wrong $0
            }
            price = pricing.price(used);
            source = pricing.configured().containsKey(used) ? "configured" : "built_in";
        }

        // The table entry names the family (built-in names are canonical already); custom prices name none.
        String family = "custom".equals(source) ? (model == null ? "" : Pricing.canonical(model)) : Pricing.canonical(used);
        if (family.startsWith("gemini-2-5-") || family.startsWith("gemini-3-")) {
            out += orZero(tokens(props, "$ai_reasoning_tokens")); // Gemini reports thinking apart from output but bills it as output
        }
        double uncached = exclusiveCacheCounts(props, family, in, read, write) ? in : Math.max(0, in - read - write);
        double readCost = read * price.cacheRead() / 1e6;
        double writeCost = write * price.cacheWrite() / 1e6;
        double inputCost = uncached * price.input() / 1e6 + readCost + writeCost;
        double outputCost = out * price.output() / 1e6;
        if (!Double.isFinite(inputCost + outputCost)) {
            return false; // absurd counts (1e308 tokens) would store a cost no sum can use
        }

        props.put("$ai_input_cost_usd", inputCost);
        props.put("$ai_output_cost_usd", outputCost);
        props.put("$ai_total_cost_usd", inputCost + outputCost);
        if (read > 0) {
            props.put("$ai_cache_read_cost_usd", readCost);
        }
        if (write > 0) {
            props.put("$ai_cache_write_cost_usd", writeCost);
        }
        props.put(ESTIMATED, true);
        props.put("$ai_model_cost_used", used);
        props.put("$ai_cost_model_source", source);
        return true;
    }

    /**
     * Whether {@code $ai_input_tokens} leaves the cache tokens out (Anthropic's usage, also through Bedrock and Vertex)
     * or counts them (OpenAI, Gemini). An explicit {@code $ai_cache_reporting_exclusive} decides; the Vercel AI gateway
     * counts them in even for Claude, which shows when the input is at least the cache tokens.
     */
    static boolean exclusiveCacheCounts(JsonNode props, String canonicalModel, double in, double read, double write) {
        JsonNode explicit = props.get("$ai_cache_reporting_exclusive");
        if (explicit != null && explicit.isBoolean()) {
            return explicit.booleanValue();
        }
        String provider = text(props, "$ai_provider");
        provider = provider == null ? "" : provider.toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
        String model = text(props, "$ai_model");
        boolean anthropic = ANTHROPIC.contains(provider) || canonicalModel.startsWith("claude")
                || (model != null && model.toLowerCase(Locale.ROOT).contains("anthropic"));
        if (!anthropic) {
            return false;
        }
        String framework = text(props, "$ai_framework");
        if ("gateway".equals(provider) && framework != null && framework.equalsIgnoreCase("vercel")) {
            return in < read + write;
        }
        return true;
    }

    private static String text(JsonNode props, String key) {
        JsonNode v = props.get(key);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText().strip();
        return s.isEmpty() ? null : s;
    }

    /** A finite number, also from a numeric string ("120", as some SDKs send); NaN when absent or not a number. */
    static double number(JsonNode props, String key) {
        JsonNode v = props.get(key);
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        double d = Double.NaN;
        if (v.isNumber()) {
            d = v.asDouble();
        } else if (v.isTextual()) {
            try {
                d = Double.parseDouble(v.asText().strip());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.isFinite(d) ? d : Double.NaN;
    }

    /** A token count: negative counts read as 0 (a bad count must not lower a trace's cost). */
    private static double tokens(JsonNode props, String key) {
        double d = number(props, key);
        return Double.isNaN(d) ? d : Math.max(0, Math.floor(d));
    }

    private static double orZero(double d) {
        return Double.isNaN(d) ? 0 : d;
    }
}
