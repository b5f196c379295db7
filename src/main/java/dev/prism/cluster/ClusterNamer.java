package dev.prism.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Offline cluster names, without an LLM: a short noun phrase a person can read, taken from the cluster's own
 * members: the title most of its members share, or, when no title repeats, the title of the member nearest the
 * centroid (the most typical one). Titles are cleaned (no trailing "…", no ids, at most {@value #MAX_TITLE_WORDS}
 * words). A list of distinctive terms is no name ("Rate_limit_error, anthropic.RateLimitError, input tokens, type"
 * reads as noise), so the terms ({@link CtfIdf}) only go into the description and {@link Name#terms()}, and one of
 * them tells two clusters apart when they would otherwise share a title ("Provider rate limit — input tokens").
 * The LLM namer ({@link ContrastivePrompt}) replaces these names when a provider is configured. Pure.
 */
public final class ClusterNamer {

    public static final int MAX_TITLE_WORDS = 10;
    /** Joins a shared title and the phrase that tells its clusters apart. */
    static final String DISTINGUISH = " — ";
    private static final int CANDIDATES = 30;
    private static final int SHOWN_TERMS = 6;

    /**
     * One member of a cluster.
     *
     * @param title    its summary's title, may be null or blank
     * @param text     title and summary, what the terms are counted in; may be null
     * @param distance cosine distance to the cluster's centroid: the smallest is the most typical member
     */
    public record Member(String title, String text, double distance) {
    }

    /**
     * One cluster to name.
     *
     * @param keptTitle the name the cluster keeps from an earlier run (not made again; other names must not repeat it),
     *                  or null to name it now
     */
    public record Cluster(List<Member> members, String keptTitle) {
        public static Cluster toName(List<Member> members) {
            return new Cluster(members, null);
        }
    }

    /**
     * @param terms the distinctive terms, best first, as shown in the description
     */
    public record Name(String title, String description, List<String> terms) {
    }

    private ClusterNamer() {
    }

    /**
     * Names every cluster against the others; clusters with a kept title get it back unchanged (with a fresh
     * description). {@code other} are the texts of the summaries in no cluster ("Other"): contrast for the terms.
     */
    public static List<Name> name(List<Cluster> clusters, List<String> other) {
        List<List<String>> corpus = new ArrayList<>();
        for (Cluster c : clusters) {
            corpus.add(texts(c.members()));
        }
        if (!other.isEmpty()) {
            corpus.add(other);
        }
        List<List<CtfIdf.Scored>> top = CtfIdf.top(corpus, CANDIDATES);
        int k = clusters.size();
        String[] titles = new String[k];
        for (int c = 0; c < k; c++) {
            Cluster cluster = clusters.get(c);
            titles[c] = cluster.keptTitle() != null ? cluster.keptTitle() : baseTitle(cluster.members(), top.get(c));
        }
        disambiguate(clusters, titles);
        List<Name> names = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            names.add(describe(titles[c], corpus.get(c), top.get(c)));
        }
        return names;
    }

    /** The title most members share (ties: the one nearest the centroid), else a term as a phrase, else "Unnamed". */
    static String baseTitle(List<Member> members, List<CtfIdf.Scored> terms) {
        return commonestTitle(members, Set.of()).orElseGet(() -> terms.isEmpty() ? "Unnamed cluster" : capitalise(phrase(terms, Set.of()).surface()));
    }

    /**
     * The cleaned title shared by most members, leaving out {@code taken} (lower case); on equal counts the one whose
     * member lies nearest the centroid, then the shorter. When no title repeats this is the most typical member's.
     */
    static Optional<String> commonestTitle(List<Member> members, Set<String> taken) {
        Map<String, String> spelling = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Double> nearest = new LinkedHashMap<>();
        for (Member m : members) {
            String clean = clean(m.title());
            if (clean == null) {
                continue;
            }
            String key = clean.toLowerCase(Locale.ROOT);
            if (taken.contains(key)) {
                continue;
            }
            counts.merge(key, 1, Integer::sum);
            double d = Double.isNaN(m.distance()) ? Double.MAX_VALUE : m.distance();
            if (!nearest.containsKey(key) || d < nearest.get(key)) {
                nearest.put(key, d);
                spelling.put(key, clean);
            }
        }
        return counts.keySet().stream()
                .min(Comparator.<String>comparingInt(key -> -counts.get(key))
                        .thenComparingDouble(nearest::get)
                        .thenComparingInt(String::length)
                        .thenComparing(Comparator.naturalOrder()))
                .map(spelling::get);
    }

    private static final Pattern UUID = Pattern.compile("(?i)\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b");
    /** Prefixed ids as APIs write them: req_8f3a…, chatcmpl-9x…, msg_01…, run-42ab…: a letter prefix and a long tail with digits. */
    private static final Pattern PREFIXED_ID = Pattern.compile("(?<![\\w.-])[A-Za-z]{2,12}[_-](?=[A-Za-z0-9]*\\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{8,}(?![\\w.-])");
    private static final Pattern HEX_ID = Pattern.compile("(?i)(?<![\\w.-])(?=[0-9a-f]*\\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}(?![\\w.-])");
    /** Numbers of five digits or more, and #-numbers: ticket, order and issue numbers. Status codes and durations stay. */
    private static final Pattern LONG_NUMBER = Pattern.compile("(?<![\\w.-])(\\d{5,}|#\\d+)(?![\\w.-])");
    private static final Pattern ELLIPSIS = Pattern.compile("(\\s*(…|\\.\\.\\.))+$");
    /** Words a cut title cannot end on: articles, prepositions, conjunctions, pronouns, auxiliaries. */
    private static final Set<String> DANGLING = Set.of("a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at",
            "for", "with", "from", "by", "as", "is", "was", "are", "were", "be", "been", "has", "have", "had", "do", "does",
            "did", "can", "could", "would", "will", "should", "that", "which", "who", "what", "where", "when", "why", "how",
            "if", "because", "so", "than", "then", "about", "after", "before", "while", "not", "no", "my", "your", "their",
            "its", "our", "this", "these", "those", "into", "i", "we", "you", "it", "they", "he", "she", "please", "just");

    /**
     * A member's title fit to name a cluster: one line, without ids (uuids, request ids, long hex or numbers: they
     * differ per trace and say nothing about the cause), without a trailing "…" or a word left dangling by a cut,
     * at most {@value #MAX_TITLE_WORDS} words, capitalised; null when nothing readable is left.
     */
    static String clean(String title) {
        if (title == null) {
            return null;
        }
        String t = title.replaceAll("\\s+", " ").strip();
        boolean cut = ELLIPSIS.matcher(t).find();
        t = ELLIPSIS.matcher(t).replaceAll("");
        t = UUID.matcher(t).replaceAll("");
        t = PREFIXED_ID.matcher(t).replaceAll("");
        t = HEX_ID.matcher(t).replaceAll("");
        t = LONG_NUMBER.matcher(t).replaceAll("");
        t = t.replaceAll("\\(\\s*\\)|\\[\\s*]|\"\\s*\"|'\\s*'", "").replaceAll("\\s+", " ").replaceAll("\\s+([,;:.)])", "$1").strip();
        t = t.replaceAll("^[\"'“”‘’`*#]+|[\"'“”‘’`*]+$", "").strip();
        List<String> words = new ArrayList<>(List.of(t.isEmpty() ? new String[0] : t.split(" ")));
        if (words.size() > MAX_TITLE_WORDS) {
            words = new ArrayList<>(words.subList(0, MAX_TITLE_WORDS));
            cut = true;
        }
        t = trimEnd(words, cut);
        if (cut) {
            t = withoutOpenBracket(t);
        }
        if (t.codePoints().noneMatch(Character::isLetter)) {
            return null;
        }
        return capitalise(t);
    }

    /**
     * Joins the words without trailing punctuation, and, when the title was cut, without a dangling last word or a
     * clause of one or two words begun just before the cut ("customer double charged, where" ends at "charged").
     */
    private static String trimEnd(List<String> words, boolean cut) {
        if (cut) {
            for (int back = 1; back <= 2 && words.size() - back - 1 > 0; back++) {
                String before = words.get(words.size() - back - 1);
                if (before.matches(".*[,;:]") || before.matches("[-–—]")) {
                    words = new ArrayList<>(words.subList(0, words.size() - back));
                    break;
                }
            }
        }
        while (!words.isEmpty()) {
            String last = words.get(words.size() - 1).replaceAll("[,;:.–—-]+$", "");
            // An unclosed quote or bracket at the end of a cut title is a fragment.
            if (last.isEmpty() || last.matches("[-–—]+") || cut && (DANGLING.contains(last.toLowerCase(Locale.ROOT))
                    || last.matches("[\"“(\\[].*") && !last.matches(".*[\"”)\\]]"))) {
                words.remove(words.size() - 1);
                continue;
            }
            words.set(words.size() - 1, last);
            break;
        }
        String joined = String.join(" ", words);
        if (cut) {
            // Quotes opened and not closed within the kept words would read as a broken title.
            long quotes = joined.chars().filter(ch -> ch == '"').count();
            if (quotes % 2 == 1) {
                joined = joined.replace("\"", "");
            }
        }
        return joined.strip();
    }

    /**
     * A cut title whose last bracket was opened and not closed ends before that bracket ("User hit frustration (This
     * is the third time" reads as "User hit frustration"), unless that leaves less than two words; then the bracket
     * alone goes.
     */
    private static String withoutOpenBracket(String t) {
        int depth = 0;
        int open = -1;
        for (int i = 0; i < t.length(); i++) {
            char ch = t.charAt(i);
            if (ch == '(' || ch == '[') {
                if (depth++ == 0) {
                    open = i;
                }
            } else if ((ch == ')' || ch == ']') && depth > 0) {
                depth--;
            }
        }
        if (depth == 0) {
            return t;
        }
        String head = t.substring(0, open).strip();
        if (head.split(" ").length >= 2) {
            return trimEnd(new ArrayList<>(List.of(head.split(" "))), true);
        }
        return (head + " " + t.substring(open + 1).strip()).strip();
    }

    /**
     * Clusters that would carry the same title get a phrase each that tells them apart: the best term of each against
     * the others sharing the title (c-TF-IDF among them alone) that the title does not already say. Kept titles stay as
     * they are; when a cluster has no such term, its next commonest member title that is free is used instead.
     */
    private static void disambiguate(List<Cluster> clusters, String[] titles) {
        Map<String, List<Integer>> byTitle = new LinkedHashMap<>();
        for (int c = 0; c < titles.length; c++) {
            byTitle.computeIfAbsent(titles[c].toLowerCase(Locale.ROOT), x -> new ArrayList<>()).add(c);
        }
        Set<String> used = new HashSet<>(byTitle.keySet());
        for (List<Integer> same : byTitle.values()) {
            if (same.size() < 2 || same.stream().allMatch(c -> clusters.get(c).keptTitle() != null)) {
                continue;
            }
            List<List<String>> texts = same.stream().map(c -> texts(clusters.get(c).members())).toList();
            List<List<CtfIdf.Scored>> contrast = CtfIdf.top(texts, CANDIDATES);
            for (int s = 0; s < same.size(); s++) {
                int c = same.get(s);
                if (clusters.get(c).keptTitle() != null) {
                    continue;
                }
                Set<String> titleWords = new HashSet<>(Terms.of(titles[c]).stream().map(Terms.Term::key).toList());
                CtfIdf.Scored term = phrase(contrast.get(s), titleWords);
                String renamed = null;
                if (term != null) {
                    renamed = titles[c] + DISTINGUISH + term.surface();
                } else {
                    Optional<String> next = commonestTitle(clusters.get(c).members(), used);
                    if (next.isPresent()) {
                        renamed = next.get();
                    }
                }
                if (renamed == null || !used.add(renamed.toLowerCase(Locale.ROOT))) {
                    // Nothing in words sets it apart (the same summaries twice): a number at least keeps names unique.
                    int ordinal = 2;
                    while (!used.add((titles[c] + " (" + ordinal + ")").toLowerCase(Locale.ROOT))) {
                        ordinal++;
                    }
                    renamed = titles[c] + " (" + ordinal + ")";
                }
                titles[c] = renamed;
            }
        }
    }

    /**
     * The best term whose words are not in {@code avoid}, as a pair when a pair containing it scores at least half as
     * well (a pair reads as a phrase: "payment timeout" rather than "timeout"); null when there is none.
     */
    static CtfIdf.Scored phrase(List<CtfIdf.Scored> candidates, Set<String> avoid) {
        for (CtfIdf.Scored term : candidates) {
            if (List.of(term.key().split(" ")).stream().anyMatch(avoid::contains)) {
                continue;
            }
            if (!term.isPair()) {
                for (CtfIdf.Scored pair : candidates) {
                    List<String> words = List.of(pair.key().split(" "));
                    if (pair.isPair() && pair.score() >= 0.5 * term.score() && words.contains(term.key())
                            && words.stream().noneMatch(avoid::contains)) {
                        return pair;
                    }
                }
            }
            return term;
        }
        return null;
    }

    private static Name describe(String title, List<String> texts, List<CtfIdf.Scored> candidates) {
        List<String> shown = distinct(candidates, SHOWN_TERMS);
        if (shown.isEmpty()) {
            return new Name(title, "No distinctive words.", List.of());
        }
        // No size in the text: a description is written when the cluster is named and would go stale as it grows.
        String description = "Distinctive terms: " + String.join(", ", shown) + "."
                + representative(texts, candidates).map(t -> " Typical: \"" + t + "\"").orElse("");
        return new Name(title, description, shown);
    }

    private static List<String> texts(List<Member> members) {
        return members.stream().map(Member::text).filter(t -> t != null && !t.isBlank()).toList();
    }

    /** The best terms, leaving out words already shown within a pair and pairs whose words are both shown. */
    private static List<String> distinct(List<CtfIdf.Scored> candidates, int limit) {
        List<String> out = new ArrayList<>();
        Set<String> words = new HashSet<>();
        for (CtfIdf.Scored term : candidates) {
            if (out.size() == limit) {
                break;
            }
            List<String> parts = List.of(term.key().split(" "));
            if (words.containsAll(parts)) {
                continue;
            }
            words.addAll(parts);
            out.add(term.surface());
        }
        return out;
    }

    /** The member text that contains the most of the top terms (by score), cut to 200 characters. */
    private static Optional<String> representative(List<String> texts, List<CtfIdf.Scored> candidates) {
        String best = null;
        double bestScore = 0;
        for (String text : texts) {
            Set<String> keys = new HashSet<>();
            for (Terms.Term t : Terms.of(text)) {
                keys.add(t.key());
            }
            double score = 0;
            for (CtfIdf.Scored s : candidates.subList(0, Math.min(10, candidates.size()))) {
                score += keys.contains(s.key()) ? s.score() : 0;
            }
            if (score > bestScore || score == bestScore && best != null && text.length() < best.length()) {
                best = text;
                bestScore = score;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String flat = best.replaceAll("\\s+", " ").strip();
        return Optional.of(flat.length() <= 200 ? flat : flat.substring(0, 199) + "…");
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }
}
