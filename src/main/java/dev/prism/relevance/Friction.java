package dev.prism.relevance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.common.VectorMath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The kind of UX friction in a trace, from a small set of generic types ({@code relevance/friction.json}): the user's
 * complaint sentence read against each type's exemplars, and the assistant's turn before the complaint (a refusal, an
 * answer far longer than asked, the same answer given twice, a question asking for what the user already said). The
 * type's title is what a person reads and what clustering embeds, so one kind of friction is one group. Pure.
 */
public final class Friction {

    public static final String RESOURCE = "/relevance/friction.json";

    /** What the assistant's turn before a complaint looks like, each tied to the friction it usually causes. */
    public enum Cue {
        NONE, REFUSAL, REPEATED_ANSWER, ASKED_AGAIN, LONG_ANSWER, ECHOES_REQUEST
    }

    public record Type(String id, String title, Cue cue, List<String> exemplars) {
    }

    /** The types and the title used when no type is close. */
    public record Types(List<Type> types, String other) {

        /** Every exemplar, type after type: what is embedded once to build the centroids. */
        public List<String> exemplars() {
            return types.stream().flatMap(t -> t.exemplars().stream()).toList();
        }

        /** One centroid per type (L2-normalised mean of its exemplars' vectors), from vectors in {@link #exemplars()} order. */
        public List<float[]> centroids(List<float[]> exemplarVectors) {
            List<float[]> out = new ArrayList<>();
            int at = 0;
            for (Type t : types) {
                float[] sum = new float[exemplarVectors.get(at).length];
                for (int i = 0; i < t.exemplars().size(); i++) {
                    float[] v = exemplarVectors.get(at++);
                    for (int d = 0; d < sum.length; d++) {
                        sum[d] += v[d];
                    }
                }
                double norm = 0;
                for (float x : sum) {
                    norm += x * x;
                }
                norm = Math.sqrt(norm);
                for (int d = 0; d < sum.length; d++) {
                    sum[d] /= (float) norm;
                }
                out.add(sum);
            }
            return out;
        }
    }

    /**
     * The cues found in a trace. Only the strongest present counts ({@link #strongest()}: a repeated answer, a refusal,
     * a question asking again, a long answer, then an echo): what the assistant did is surer than the words the
     * complaint shares with the request, and the same answer twice is surer than a refusal read from its wording.
     *
     * @param echoesRequest the complaint repeats a distinctive word of the user's earlier request (the instruction the
     *                      user restates)
     */
    public record Cues(boolean refusal, boolean repeatedAnswer, boolean askedAgain, boolean longAnswer, boolean echoesRequest) {

        public static final Cues NONE = new Cues(false, false, false, false, false);

        /** The cue that counts, or {@link Cue#NONE}. */
        public Cue strongest() {
            return repeatedAnswer ? Cue.REPEATED_ANSWER : refusal ? Cue.REFUSAL : askedAgain ? Cue.ASKED_AGAIN : longAnswer ? Cue.LONG_ANSWER
                    : echoesRequest ? Cue.ECHOES_REQUEST : Cue.NONE;
        }
    }

    /** One message of the conversation, in order, repeats kept. */
    public record Turn(boolean user, String text) {
    }

    /** The conversation around the complaint: the assistant's turns before it, in order, and the user's turn holding it. */
    public record Exchange(List<String> before, String complaintTurn) {

        /** The assistant's turn right before the complaint, or empty. */
        public String lastBefore() {
            return before.isEmpty() ? "" : before.get(before.size() - 1);
        }
    }

    /** How much more a type whose cue is present weighs than its sentence similarity alone. */
    static final double CUE_BONUS = 0.15;
    /** Below this similarity, a type the structure does not point to is not close enough to name the friction. */
    static final double MIN_SIMILARITY = 0.4;
    /** An answer this long before a complaint is long whatever was asked. */
    static final int LONG_WORDS = 150;
    /** A question from the assistant this short asks for something rather than answering. */
    static final int SHORT_QUESTION_WORDS = 25;
    /** Share of an earlier answer's words a later answer repeats to count as the same answer. */
    static final double SAME_ANSWER = 0.8;

    /** The assistant declining, in the wording assistants use for refusals (a capability it lacks or a policy). */
    static final Pattern REFUSAL = Pattern.compile("(?i)\\b(can(no|')t (help|assist|do|provide|share|give|discuss|process|continue|comply|complete|fulfil|answer|go on)|"
            + "(usage|content|safety) polic|violates?|unable to|not able to|"
            + "(not|isn't) (allowed|permitted|appropriate)|won't be able|against (my|our) (policy|guidelines)|outside (what|the scope)|"
            + "I'm afraid I can|(must|have to|need to|'ll have to) decline|not comfortable|I won't|I'd rather not|not something I can|no puedo|je ne peux pas|ich kann (nicht|keine|das nicht)|não posso|non posso)");

    private final Types types;
    private final List<float[]> centroids;

    public Friction(Types types, List<float[]> centroids) {
        this.types = types;
        this.centroids = centroids;
    }

    public static Types load() {
        try (InputStream in = Friction.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("friction types missing from the classpath: " + RESOURCE);
            }
            JsonNode root = dev.prism.common.JsonMapping.MAPPER.readTree(in);
            List<Type> out = new ArrayList<>();
            for (JsonNode t : root.get("types")) {
                List<String> exemplars = new ArrayList<>();
                t.get("exemplars").forEach(e -> exemplars.add(e.asText()));
                out.add(new Type(t.get("id").asText(), t.get("title").asText(), Cue.valueOf(t.get("cue").asText().toUpperCase(Locale.ROOT)), exemplars));
            }
            return new Types(List.copyOf(out), root.get("other").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The friction's title: the type with the highest similarity to the complaint, a type whose cue is present counting
     * {@value #CUE_BONUS} more. A winner the structure does not point to needs a similarity of {@value #MIN_SIMILARITY};
     * short of it, the type the structure points to, else {@link Types#other()}.
     */
    public String title(float[] complaint, Cues cues) {
        Type best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        double bestSimilarity = Double.NEGATIVE_INFINITY;
        Cue cue = cues.strongest();
        for (int i = 0; i < types.types().size(); i++) {
            Type t = types.types().get(i);
            double similarity = complaint == null ? 0 : VectorMath.dot(complaint, centroids.get(i));
            double score = similarity + (cue != Cue.NONE && t.cue() == cue ? CUE_BONUS : 0);
            if (score > bestScore) {
                bestScore = score;
                bestSimilarity = similarity;
                best = t;
            }
        }
        if (best != null && (bestSimilarity >= MIN_SIMILARITY || cue != Cue.NONE && best.cue() == cue)) {
            return best.title();
        }
        // No type is close enough in words: the one the structure points to, if any, is nearer than a vague one.
        for (Type t : types.types()) {
            if (cue != Cue.NONE && t.cue() == cue) {
                return t.title();
            }
        }
        return types.other();
    }

    public Types types() {
        return types;
    }

    // --- the structure of the conversation ---

    /** The users' and the assistant's messages of a rendered trace, in order, repeats kept, tool calls left out. */
    public static List<Turn> turns(String text) {
        List<Turn> out = new ArrayList<>();
        StringBuilder current = null;
        boolean user = false;
        int column = -1;
        for (String raw : text.split("\n", -1)) {
            int indent = indent(raw);
            String line = raw.substring(indent);
            boolean isUser = line.startsWith("[user] ");
            boolean isAssistant = line.startsWith("[assistant] ");
            if (isUser || isAssistant) {
                flush(out, current, user);
                String body = line.substring(isUser ? 7 : 12);
                current = isAssistant && body.startsWith("tool call:") ? null : new StringBuilder(body);
                user = isUser;
                column = indent;
            } else if (current != null && (line.isBlank() || indent > column)) {
                current.append('\n').append(line);
            } else {
                flush(out, current, user);
                current = null;
            }
        }
        flush(out, current, user);
        return out;
    }

    private static int indent(String raw) {
        int i = 0;
        while (i < raw.length() && " \t│├└─".indexOf(raw.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static void flush(List<Turn> out, StringBuilder current, boolean user) {
        if (current != null && !current.toString().isBlank()) {
            out.add(new Turn(user, current.toString().strip()));
        }
    }

    /** The assistant's turns before the user's turn that holds the complaint (the last user turn when none holds it). */
    public static Exchange exchange(List<Turn> turns, String complaint) {
        int at = -1;
        String needle = complaint == null ? "" : complaint.strip();
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).user() && !needle.isEmpty() && turns.get(i).text().contains(needle)) {
                at = i;
            }
        }
        if (at < 0) {
            for (int i = turns.size() - 1; i >= 0 && at < 0; i--) {
                if (turns.get(i).user()) {
                    at = i;
                }
            }
        }
        List<String> before = new ArrayList<>();
        for (int i = 0; i < Math.max(at, 0); i++) {
            if (!turns.get(i).user()) {
                before.add(turns.get(i).text());
            }
        }
        return new Exchange(before, at < 0 ? "" : turns.get(at).text());
    }

    /**
     * The cues of a conversation. A repeated answer is looked for in every assistant turn before the user's last turn
     * (a second complaint may come after it); the other cues read the assistant's turn right before the complaint.
     *
     * @param declines whether the decline head reads the turn before the complaint as a refusal
     */
    public static Cues cues(List<Turn> turns, String complaint, boolean declines) {
        Exchange e = exchange(turns, complaint);
        String last = e.lastBefore();
        int length = last.isBlank() ? 0 : last.strip().split("\\s+").length;
        boolean shortQuestion = last.contains("?") && length <= SHORT_QUESTION_WORDS;
        // A short question asks for something; the decline head, which reads statements, is not asked about it.
        boolean refusal = !last.isEmpty() && (REFUSAL.matcher(last).find() || declines && !shortQuestion);
        int lastUser = -1;
        for (int i = 0; i < turns.size(); i++) {
            if (turns.get(i).user()) {
                lastUser = i;
            }
        }
        List<Set<String>> answers = new ArrayList<>();
        for (int i = 0; i < lastUser; i++) {
            if (!turns.get(i).user()) {
                answers.add(words(turns.get(i).text()));
            }
        }
        boolean repeated = false;
        for (int j = 1; j < answers.size() && !repeated; j++) {
            for (int i = 0; i < j && !repeated; i++) {
                repeated = answers.get(i).size() >= 5 && contained(answers.get(i), answers.get(j)) >= SAME_ANSWER;
            }
        }
        boolean asked = !refusal && shortQuestion;
        return new Cues(refusal, repeated, asked, length >= LONG_WORDS, echoes(turns, e.complaintTurn()));
    }

    /**
     * The complaint shares a distinctive word with an earlier user turn: a number, an acronym, or a word of four letters
     * or more that is not a common one.
     */
    static boolean echoes(List<Turn> turns, String complaintTurn) {
        Set<String> complaint = distinctive(complaintTurn);
        if (complaint.isEmpty()) {
            return false;
        }
        for (Turn t : turns) {
            if (t.user() && t.text().equals(complaintTurn)) {
                return false;
            }
            if (t.user()) {
                for (String w : distinctive(t.text())) {
                    if (complaint.contains(w)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Words too common to say which instruction a user restates (English and the languages the built-in exemplars use). */
    private static final Set<String> COMMON = Set.of("about", "above", "after", "again", "also", "answer", "asked", "back", "been",
            "before", "being", "below", "both", "come", "could", "does", "doesn't", "done", "don't", "each", "even", "every", "first",
            "from", "gave", "give", "good", "have", "help", "here", "into", "just", "know", "like", "look", "make", "many", "more",
            "much", "need", "once", "only", "other", "another", "over", "please", "really", "right", "said", "same", "should", "some",
            "still", "such", "sure", "take", "tell", "than", "thank", "thanks", "that", "that's", "them", "then", "there", "their",
            "these", "they", "thing", "things", "think", "this", "those", "told", "very", "want", "wanted", "what", "what's", "when",
            "where", "which", "while", "will", "with", "would", "wrote", "your", "you're", "because", "question", "message",
            "something", "nothing", "anything", "everything", "pourquoi", "merci", "toujours", "encore", "quoi", "avec", "dans", "pour",
            "mais", "porque", "gracias", "todavía", "otra", "para", "pero", "como", "esto", "obrigado", "ainda", "isso", "bitte",
            "danke", "warum", "nicht", "immer", "schon", "noch", "wieder", "habe", "eine", "einen", "auch", "dass", "aber");

    private static Set<String> distinctive(String text) {
        Set<String> out = new HashSet<>();
        for (String raw : text.split("[^\\p{L}\\p{N}']+")) {
            String w = raw.toLowerCase(Locale.ROOT);
            boolean acronym = raw.length() >= 2 && raw.chars().allMatch(Character::isUpperCase);
            if (w.isEmpty()) {
                continue;
            }
            if (w.chars().allMatch(Character::isDigit) || acronym || w.length() >= 4 && !COMMON.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    /** The sentences that may hold a complaint: those of user turns that answer an assistant turn (the first request cannot). */
    public static List<String> complaintCandidates(List<Turn> turns) {
        List<String> out = new ArrayList<>();
        boolean answered = false;
        for (Turn t : turns) {
            if (!t.user()) {
                answered = true;
            } else if (answered) {
                out.add(t.text());
            }
        }
        return Sentences.of(out, RelevanceModel.MAX_USER_SENTENCES);
    }

    /** The first sentences of the assistant's turn before the complaint: where a refusal is said. */
    public static List<String> priorSentences(List<Turn> turns, String complaint) {
        String last = exchange(turns, complaint).lastBefore();
        return last.isEmpty() ? List.of() : Sentences.of(List.of(last), 3);
    }

    private static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** Share of {@code earlier}'s words found in {@code later}. */
    private static double contained(Set<String> earlier, Set<String> later) {
        int found = 0;
        for (String w : earlier) {
            if (later.contains(w)) {
                found++;
            }
        }
        return (double) found / earlier.size();
    }
}
