package dev.prism.llm;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A catalogue of capabilities people ask LLM apps and SaaS products for ({@code llm/capabilities.json}), each with a
 * short English name and cue stems in English, Spanish, French, German and Portuguese, so that "¿Se puede exportar a
 * Excel?" and "export to xlsx pls" are both a request for "spreadsheet export". Requests that name nothing in the
 * catalogue match nothing: the caller then names them from the user's own words (an open vocabulary). Matching reads
 * whole words (or word prefixes) in lower-cased, accent-free text; a clause that says the user does not need something
 * ("I don't need an export, ...") is left out. Pure and immutable.
 */
public final class Capabilities {

    public static final String RESOURCE = "/llm/capabilities.json";
    /**
     * Names of catalogue entries to leave out (comma-separated): measures how requests the catalogue does not know are
     * named and grouped (docs/quality.md, "unseen capability").
     */
    public static final String EXCLUDE_PROPERTY = "capabilities.exclude";

    private static final int CUE = 2;
    private static final int HINT = 1;
    private static final int ENOUGH = 2;

    /** One catalogue entry; {@code needs} is a list of groups, each needing one of its stems present. */
    public record Capability(String name, List<Cue> cues, List<Cue> hints, List<List<Cue>> needs, List<Cue> not, boolean generic) {
    }

    /** A stem as written in the catalogue: a word prefix, a whole word ({@code x$}) or anywhere in a word ({@code *x}). */
    record Cue(String text, boolean wholeWord, boolean anywhere) {

        static Cue parse(String raw) {
            boolean anywhere = raw.startsWith("*");
            boolean whole = raw.endsWith("$");
            String core = raw.substring(anywhere ? 1 : 0, raw.length() - (whole ? 1 : 0));
            return new Cue(normalise(core).strip(), whole, anywhere);
        }

        boolean in(String text) {
            return anywhere ? text.contains(this.text) : text.contains(" " + this.text + (wholeWord ? " " : ""));
        }
    }

    private static final Capabilities DEFAULT = load();
    private static volatile Exclusion cached;

    private record Exclusion(String property, Capabilities catalogue) {
    }

    private final List<Capability> entries;

    public Capabilities(List<Capability> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<Capability> entries() {
        return entries;
    }

    /** The catalogue shipped in the jar, less the entries named in the {@value #EXCLUDE_PROPERTY} system property. */
    public static Capabilities active() {
        String property = System.getProperty(EXCLUDE_PROPERTY, "");
        if (property.isBlank()) {
            return DEFAULT;
        }
        Exclusion c = cached;
        if (c == null || !c.property().equals(property)) {
            c = new Exclusion(property, DEFAULT.without(Arrays.stream(property.split(",")).map(String::strip).collect(Collectors.toSet())));
            cached = c;
        }
        return c.catalogue();
    }

    /** The catalogue shipped in the jar. */
    public static Capabilities standard() {
        return DEFAULT;
    }

    /** This catalogue without the named entries. */
    public Capabilities without(Set<String> names) {
        Set<String> lower = names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        return new Capabilities(entries.stream().filter(e -> !lower.contains(e.name().toLowerCase(Locale.ROOT))).toList());
    }

    /**
     * The capability a request names: the best-scoring specific entry (cues weigh {@value #CUE}, hints {@value #HINT},
     * at least one cue and {@value #ENOUGH} points), else the best generic one ("data export"), else empty.
     */
    public Optional<Capability> match(String request) {
        if (request == null || request.isBlank()) {
            return Optional.empty();
        }
        String text = affirmed(request);
        Capability best = null;
        int bestScore = 0;
        for (Capability c : entries) {
            int score = score(c, text);
            if (score < ENOUGH) {
                continue;
            }
            boolean better = best == null
                    || best.generic() && !c.generic()
                    || best.generic() == c.generic() && score > bestScore;
            if (better) {
                best = c;
                bestScore = score;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int score(Capability c, String text) {
        int cues = 0;
        for (Cue cue : c.cues()) {
            cues += cue.in(text) ? 1 : 0;
        }
        if (cues == 0 || c.not().stream().anyMatch(n -> n.in(text))) {
            return 0;
        }
        for (List<Cue> group : c.needs()) {
            if (group.stream().noneMatch(n -> n.in(text))) {
                return 0;
            }
        }
        int hints = 0;
        for (Cue hint : c.hints()) {
            hints += hint.in(text) ? 1 : 0;
        }
        return cues * CUE + hints * HINT;
    }

    private static final Pattern CLAUSES = Pattern.compile("[,;!?¿¡\\n]+|\\.(?=\\s|$)|\\s(?:but|pero|mais|aber|mas|however)\\s", Pattern.CASE_INSENSITIVE);
    /** Saying a capability is not wanted: such a clause names no request. */
    private static final Pattern NEGATED = Pattern.compile(" (?:don t|dont|do not|doesn t|does not|won t) (?:need|want (?!to )|care|bother)|^ (?:please )?(?:don t|dont|do not) "
            + "| no need | not (?:looking|asking) for| not interested| no \\w+ (?:needed|necessary|required)| skip the | nah "
            + "| no (?:necesito|quiero|hace falta|me hace falta|es necesario)| pas besoin| pas la peine| ne veux pas"
            + "| brauche (?:kein|das nicht|nicht)| will kein| kein\\w* \\w+ (?:notig|erforderlich)| nao (?:preciso|quero|precisa|e preciso)| never mind");

    /** The request's clauses that do not decline something, normalised, with a separator no cue crosses. */
    static String affirmed(String request) {
        List<String> kept = new ArrayList<>();
        for (String clause : CLAUSES.split(request)) {
            String n = normalise(clause);
            if (!n.isBlank() && !NEGATED.matcher(n).find()) {
                kept.add(n.strip());
            }
        }
        return " " + String.join(" \u0001 ", kept) + " ";
    }

    /** Lower case, accents removed, anything but letters and digits a single space, padded with spaces. */
    static String normalise(String s) {
        String n = Normalizer.normalize(s.toLowerCase(Locale.ROOT), Normalizer.Form.NFD).replaceAll("\\p{M}+", "").replace("ß", "ss");
        return " " + n.replaceAll("[^\\p{L}\\p{N}]+", " ").strip() + " ";
    }

    private static Capabilities load() {
        try (InputStream in = Capabilities.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("capability catalogue missing from the classpath: " + RESOURCE);
            }
            return read(dev.prism.common.JsonMapping.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Capabilities read(JsonNode root) {
        List<Capability> out = new ArrayList<>();
        for (JsonNode c : root.path("capabilities")) {
            List<List<Cue>> needs = new ArrayList<>();
            for (JsonNode group : c.path("needs")) {
                needs.add(cues(group));
            }
            out.add(new Capability(c.get("name").asText(), cues(c.path("cues")), cues(c.path("hints")), needs, cues(c.path("not")),
                    c.path("generic").asBoolean(false)));
        }
        return new Capabilities(out);
    }

    private static List<Cue> cues(JsonNode array) {
        List<Cue> out = new ArrayList<>();
        for (JsonNode s : array) {
            out.add(Cue.parse(s.asText()));
        }
        return out;
    }
}
