package dev.prism.eval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation corpus's hand-written material, read from {@code src/main/resources/eval}: per theme the categories
 * with a human description (what a good cluster name should say), the user phrasings and error variants that express
 * them, the shared conversation lines and the app domains. Every phrasing and variant has a stable id whose number
 * decides its {@link Split}.
 */
public final class PhraseBank {

    /** One way to say something; {@code constraint} (ignored_constraint) and {@code answer} (quoted_error) only where the kind needs them. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Phrase(String id, String text, String constraint, String answer) {
        public Split split() {
            return Split.of(id);
        }
    }

    /** How one error cause surfaced: at the model call, in a tool run, or when parsing the model's output. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ErrorVariant(String id, String provider, Integer status, String stage, String error, String args, String output) {
        public Split split() {
            return Split.of(id);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Category(String id, String description, List<Phrase> phrasings, List<ErrorVariant> variants) {
        public Category {
            phrasings = phrasings == null ? List.of() : List.copyOf(phrasings);
            variants = variants == null ? List.of() : List.copyOf(variants);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Task(String ask, JsonNode args, JsonNode result, String answer) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Domain(String id, String app, String system, String tool, String user_prefix, List<Task> tasks) {
    }

    /** The themes the corpus labels, in the order reports list them. */
    public static final List<String> THEMES = List.of("error_analysis", "performance_issues", "feature_requests", "ux_issues", "success_patterns");
    /** Categories of traces that resemble a theme but must not be labelled relevant for it. */
    public static final String NOISE = "noise";

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Map<String, List<Category>> categoriesByTheme;
    private final Map<String, List<Phrase>> pools;
    private final List<Domain> domains;

    private PhraseBank(Map<String, List<Category>> categoriesByTheme, Map<String, List<Phrase>> pools, List<Domain> domains) {
        this.categoriesByTheme = categoriesByTheme;
        this.pools = pools;
        this.domains = domains;
    }

    /** The bank shipped in the jar. */
    public static PhraseBank load() {
        Map<String, List<Category>> themes = new LinkedHashMap<>();
        JsonNode structural = read("structural.json");
        for (JsonNode theme : structural.get("themes")) {
            themes.put(theme.get("id").asText(), categories(theme.get("categories")));
        }
        for (String file : List.of("feature_requests.json", "ux_issues.json", "noise.json")) {
            JsonNode node = read(file);
            themes.put(node.get("theme").asText(), categories(node.get("categories")));
        }
        Map<String, List<Phrase>> pools = new LinkedHashMap<>();
        read("pools.json").get("pools").properties().forEach(e -> pools.put(e.getKey(), phrases(e.getValue())));
        List<Domain> domains = new ArrayList<>();
        read("domains.json").get("domains").forEach(d -> domains.add(JSON.convertValue(d, Domain.class)));
        return new PhraseBank(themes, pools, List.copyOf(domains));
    }

    /** The labelled themes' categories (error, performance, feature, UX, success) and the noise kinds under {@link #NOISE}. */
    public List<Category> categories(String theme) {
        List<Category> found = categoriesByTheme.get(theme);
        if (found == null) {
            throw new IllegalArgumentException("No theme '" + theme + "' in the phrase bank");
        }
        return found;
    }

    public Category category(String theme, String id) {
        return categories(theme).stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No category '" + id + "' in theme '" + theme + "'"));
    }

    public Map<String, List<Category>> allCategories() {
        return categoriesByTheme;
    }

    public List<Phrase> pool(String name) {
        List<Phrase> found = pools.get(name);
        if (found == null) {
            throw new IllegalArgumentException("No pool '" + name + "' in the phrase bank");
        }
        return found;
    }

    public Map<String, List<Phrase>> pools() {
        return pools;
    }

    public List<Domain> domains() {
        return domains;
    }

    private static List<Category> categories(JsonNode array) {
        List<Category> out = new ArrayList<>();
        array.forEach(c -> out.add(JSON.convertValue(c, Category.class)));
        return List.copyOf(out);
    }

    private static List<Phrase> phrases(JsonNode array) {
        List<Phrase> out = new ArrayList<>();
        array.forEach(p -> out.add(JSON.convertValue(p, Phrase.class)));
        return List.copyOf(out);
    }

    private static JsonNode read(String file) {
        try (InputStream in = PhraseBank.class.getResourceAsStream("/eval/" + file)) {
            if (in == null) {
                throw new IllegalStateException("Phrase bank file eval/" + file + " is missing from the classpath");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Phrase bank file eval/" + file + " is not valid JSON", e);
        }
    }
}
