package dev.prism.pricing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EventCostTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode props(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    @DisplayName("an OpenAI wrapper generation with model and tokens gets input, output and total cost, marked estimated")
    void openAi() throws Exception {
        ObjectNode p = props("""
                {"$ai_provider": "openai", "$ai_model": "gpt-4o-mini-2024-07-18", "$ai_input_tokens": 1000000, "$ai_output_tokens": 200000}""");
        assertThat(EventCost.estimate("$ai_generation", p, Pricing.DEFAULTS)).isTrue();
        assertThat(p.get("$ai_input_cost_usd").asDouble()).isCloseTo(0.15, within(1e-12));
        assertThat(p.get("$ai_output_cost_usd").asDouble()).isCloseTo(0.12, within(1e-12));
        assertThat(p.get("$ai_total_cost_usd").asDouble()).isCloseTo(0.27, within(1e-12));
        assertThat(p.get("$ai_cost_estimated").asBoolean()).isTrue();
        assertThat(p.get("$ai_model_cost_used").asText()).isEqualTo("gpt-4o-mini");
        assertThat(p.get("$ai_cost_model_source").asText()).isEqualTo("built_in");
        assertThat(p.has("$ai_cache_read_cost_usd")).as("no cache tokens, no cache figures").isFalse();
    }

    @Test
    @DisplayName("OpenAI counts cached tokens inside the input: they are charged at the cache-read price, the rest at the input price")
    void openAiCacheInclusive() throws Exception {
        // gpt-4o: $2.50 in, $10 out, $1.25 cache read per million.
        ObjectNode p = props("""
                {"$ai_provider": "openai", "$ai_model": "gpt-4o", "$ai_input_tokens": 1000000, "$ai_output_tokens": 0,
                 "$ai_cache_read_input_tokens": 400000}""");
        EventCost.estimate("$ai_generation", p, Pricing.DEFAULTS);
        assertThat(p.get("$ai_cache_read_cost_usd").asDouble()).isCloseTo(0.5, within(1e-12));
        assertThat(p.get("$ai_input_cost_usd").asDouble()).isCloseTo(600_000 * 2.5 / 1e6 + 0.5, within(1e-12));
    }

    @Test
    @DisplayName("Anthropic reports input without the cache tokens (also through Bedrock): reads and writes are added at their prices")
    void anthropicCacheExclusive() throws Exception {
        // claude-sonnet-4: $3 in, $15 out, $0.30 read, $3.75 write per million.
        String body = """
                {"$ai_provider": "%s", "$ai_model": "%s", "$ai_input_tokens": 200, "$ai_output_tokens": 50,
                 "$ai_cache_read_input_tokens": 10000, "$ai_cache_creation_input_tokens": 800}""";
        double expectedInput = (200 * 3.0 + 10000 * 0.30 + 800 * 3.75) / 1e6;
        for (String[] pm : new String[][]{{"anthropic", "claude-sonnet-4-20250514"}, {"bedrock", "us.anthropic.claude-sonnet-4-20250514-v1:0"},
                {"vertex", "claude-sonnet-4@20250514"}}) {
            ObjectNode p = props(body.formatted(pm[0], pm[1]));
            EventCost.estimate("$ai_generation", p, Pricing.DEFAULTS);
            assertThat(p.get("$ai_input_cost_usd").asDouble()).as(pm[1]).isCloseTo(expectedInput, within(1e-12));
            assertThat(p.get("$ai_cache_write_cost_usd").asDouble()).as(pm[1]).isCloseTo(800 * 3.75 / 1e6, within(1e-12));
            assertThat(p.get("$ai_output_cost_usd").asDouble()).as(pm[1]).isCloseTo(50 * 15.0 / 1e6, within(1e-12));
        }
        ObjectNode gateway = props("""
                {"$ai_provider": "gateway", "$ai_framework": "vercel", "$ai_model": "anthropic/claude-sonnet-4", "$ai_input_tokens": 11000,
                 "$ai_output_tokens": 0, "$ai_cache_read_input_tokens": 10000, "$ai_cache_creation_input_tokens": 800}""");
        EventCost.estimate("$ai_generation", gateway, Pricing.DEFAULTS);
        assertThat(gateway.get("$ai_input_cost_usd").asDouble()).as("Vercel's gateway counts the cache inside the input")
                .isCloseTo(expectedInput, within(1e-12));
        ObjectNode explicit = props("""
                {"$ai_model": "gpt-4o", "$ai_input_tokens": 100, "$ai_cache_read_input_tokens": 100, "$ai_cache_reporting_exclusive": true}""");
        EventCost.estimate("$ai_generation", explicit, Pricing.DEFAULTS);
        assertThat(explicit.get("$ai_input_cost_usd").asDouble()).as("an explicit flag decides").isCloseTo((100 * 2.5 + 100 * 1.25) / 1e6, within(1e-12));
    }

    @Test
    @DisplayName("a cost the client sent stands; unknown models, events without tokens and other event types get none")
    void leavesAlone() throws Exception {
        ObjectNode priced = props("""
                {"$ai_model": "gpt-4o", "$ai_input_tokens": 1000, "$ai_output_tokens": 10, "$ai_total_cost_usd": 0.5}""");
        assertThat(EventCost.estimate("$ai_generation", priced, Pricing.DEFAULTS)).isFalse();
        assertThat(priced.get("$ai_total_cost_usd").asDouble()).isEqualTo(0.5);
        assertThat(priced.has("$ai_cost_estimated")).isFalse();
        ObjectNode inputOnly = props("""
                {"$ai_model": "gpt-4o", "$ai_input_tokens": 1000, "$ai_input_cost_usd": "0.01"}""");
        assertThat(EventCost.estimate("$ai_generation", inputOnly, Pricing.DEFAULTS)).isFalse();

        ObjectNode unknown = props("""
                {"$ai_model": "mystery-9000", "$ai_input_tokens": 1000, "$ai_output_tokens": 10}""");
        assertThat(EventCost.estimate("$ai_generation", unknown, Pricing.DEFAULTS)).as("never a free $0").isFalse();
        assertThat(unknown.has("$ai_total_cost_usd")).isFalse();
        assertThat(EventCost.estimate("$ai_generation", props("{\"$ai_model\": \"gpt-4o\"}"), Pricing.DEFAULTS)).isFalse();
        assertThat(EventCost.estimate("$ai_generation", props("{\"$ai_input_tokens\": 5}"), Pricing.DEFAULTS)).isFalse();
        assertThat(EventCost.estimate("$ai_span", props("{\"$ai_model\": \"gpt-4o\", \"$ai_input_tokens\": 5}"), Pricing.DEFAULTS)).isFalse();
        assertThat(EventCost.estimate("$ai_generation", props("{\"$ai_model\": \"offline\", \"$ai_input_tokens\": 5}"), Pricing.DEFAULTS))
                .as("Prism's offline analyzer is no model").isFalse();
    }

    @Test
    @DisplayName("embeddings, numeric strings, configured prices and the client's own per-token prices")
    void variants() throws Exception {
        ObjectNode embedding = props("""
                {"$ai_provider": "openai", "$ai_model": "text-embedding-3-small", "$ai_input_tokens": "500000"}""");
        assertThat(EventCost.estimate("$ai_embedding", embedding, Pricing.DEFAULTS)).isTrue();
        assertThat(embedding.get("$ai_total_cost_usd").asDouble()).isCloseTo(0.01, within(1e-12));

        Pricing configured = new Pricing(Pricing.parse("llama-3.3-70b=0.6/0.8"));
        ObjectNode llama = props("""
                {"$ai_provider": "groq", "$ai_model": "groq/llama-3.3-70b-versatile", "$ai_input_tokens": 1000000, "$ai_output_tokens": 1000000}""");
        assertThat(EventCost.estimate("$ai_generation", llama, configured)).isTrue();
        assertThat(llama.get("$ai_total_cost_usd").asDouble()).isCloseTo(1.4, within(1e-12));
        assertThat(llama.get("$ai_cost_model_source").asText()).isEqualTo("configured");

        ObjectNode custom = props("""
                {"$ai_model": "in-house", "$ai_input_tokens": 1000, "$ai_output_tokens": 100,
                 "$ai_input_token_price": 0.000001, "$ai_output_token_price": 0.00001}""");
        assertThat(EventCost.estimate("$ai_generation", custom, Pricing.DEFAULTS)).isTrue();
        assertThat(custom.get("$ai_total_cost_usd").asDouble()).isCloseTo(0.001 + 0.001, within(1e-12));
        assertThat(custom.get("$ai_cost_model_source").asText()).isEqualTo("custom");

        ObjectNode negative = props("""
                {"$ai_model": "gpt-4o", "$ai_input_tokens": -50, "$ai_output_tokens": 100}""");
        EventCost.estimate("$ai_generation", negative, Pricing.DEFAULTS);
        assertThat(negative.get("$ai_input_cost_usd").asDouble()).as("a negative count is 0, never a refund").isZero();

        ObjectNode absurd = props("""
                {"$ai_model": "gpt-4o", "$ai_input_tokens": 1e308, "$ai_output_tokens": 1e308}""");
        assertThat(EventCost.estimate("$ai_generation", absurd, Pricing.DEFAULTS)).as("no infinite cost").isFalse();

        ObjectNode gemini = props("""
                {"$ai_model": "gemini-2.5-flash", "$ai_input_tokens": 0, "$ai_output_tokens": 100, "$ai_reasoning_tokens": 900}""");
        EventCost.estimate("$ai_generation", gemini, Pricing.DEFAULTS);
        assertThat(gemini.get("$ai_output_cost_usd").asDouble()).as("Gemini 2.5 bills thinking as output").isCloseTo(1000 * 2.5 / 1e6, within(1e-12));
    }
}
