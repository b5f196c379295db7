package dev.prism.text;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what identifies rather than describes in a text that is embedded for clustering: API keys and bearer tokens,
 * e-mail addresses, URLs' query strings, UUIDs, hex tokens, opaque ids (letters and digits mixed, such as
 * {@code req_011CQDU4RdPwh1} or {@code org-P7xk2}), numbers, and personal names where the wording tells one
 * ("my name is …", "Hi Dana,", "Thanks, Omar"). Two failures that differ only in such details then embed alike and
 * cluster together, and no secret or person reaches the embedding provider. Each kind becomes a placeholder
 * ({@code <key>}, {@code <email>}, {@code <uuid>}, {@code <hex>}, {@code <id>}, {@code <n>}, {@code <name>}) so the
 * shape of the sentence survives. Pure and thread-safe.
 */
public final class Masking {

    /** Secrets with a known shape: OpenAI/Anthropic/Stripe-style keys, Google keys, AWS key ids, GitHub and Slack tokens, JWTs. */
    private static final Pattern KEY = Pattern.compile(
            "\\b(?:sk|pk|rk)-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_-]{12,}|\\bsk_(?:live|test)_[A-Za-z0-9]{10,}|\\bAIza[0-9A-Za-z_-]{20,}"
                    + "|\\b(?:AKIA|ASIA)[0-9A-Z]{12,}|\\bgh[pousr]_[A-Za-z0-9]{20,}|\\bxox[abposr]-[A-Za-z0-9-]{10,}"
                    + "|\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]+");
    /**
     * What follows a bearer, or an api-key/token/secret label and a colon or equals sign, is a secret whatever its shape,
     * when it looks like one (a digit in it, or long): "token: expired" stays a sentence.
     */
    private static final Pattern LABELLED_SECRET = Pattern.compile(
            "(?i)\\b(bearer\\s+|(?:api[_ -]?key|x-api-key|access[_ -]?token|token|secret|password|passwd)\\s*[:=]\\s*)(['\"]?)"
                    + "(?=[^\\s'\",;)]*\\d|[^\\s'\",;)]{20})[^\\s'\",;)]{6,}");
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    private static final Pattern URL_QUERY = Pattern.compile("(\\b[a-z][a-z0-9+.-]*://[^\\s?#\"'<>]*)\\?[^\\s#\"'<>]*");
    private static final Pattern UUID = Pattern.compile("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");
    /** Eight or more hex digits with at least one digit (so that words such as "deadbeef" or "facade" survive). */
    private static final Pattern HEX = Pattern.compile("\\b(?:0x)?(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{8,}\\b");
    /** A token of six or more characters mixing letters and digits, optionally with a short prefix: an id, not a word. */
    private static final Pattern OPAQUE_ID = Pattern.compile(
            "\\b(?:[A-Za-z]{1,8}[_-])?(?=[A-Za-z_-]*[0-9])(?=[0-9_-]*[A-Za-z])[A-Za-z0-9_-]{6,}\\b");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\p{L}<])(?<!\\p{L}-)[-+]?\\d+(?:[.,:]\\d+)*(?![\\p{L}>])");
    /** A capitalised name, one to three words, after a phrase that introduces a person. */
    private static final Pattern NAME = Pattern.compile(
            "(?:\\b(?i:my name is|my name's|call me|this is|i am|i'm|signed|regards,?|thanks,|thank you,|cheers,|best,)"
                    + "|\\b(?:Hi|Hello|Hey|Dear|Good morning|Good afternoon|Good evening))\\s+"
                    + "(\\p{Lu}[\\p{Ll}'’-]+(?:\\s+\\p{Lu}[\\p{Ll}'’-]+){0,2})");
    /** Capitalised words after those phrases that are not names ("I am Sorry", "Hi There"). */
    private static final java.util.Set<String> NOT_NAMES = java.util.Set.of("There", "Team", "All", "Everyone", "Sorry", "Not",
            "Still", "Very", "So", "Just", "Trying", "Looking", "Using", "Getting", "Going", "Unable", "The", "A", "An", "It",
            "This", "That", "Again", "Sure", "Here", "Back", "Done", "Happy", "Glad", "Confused", "Frustrated", "Assistant", "Bot",
            "Support", "Claude", "Gemini", "Sir", "Madam", "Folks", "Guys", "Friend", "Again.");

    private Masking() {
    }

    /** The text with identifiers, secrets, numbers and names replaced by placeholders; null stays null. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = URL_QUERY.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + "?<query>");
        s = EMAIL.matcher(s).replaceAll("<email>");
        s = KEY.matcher(s).replaceAll("<key>");
        s = LABELLED_SECRET.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2)) + "<key>");
        s = UUID.matcher(s).replaceAll("<uuid>");
        s = HEX.matcher(s).replaceAll("<hex>");
        s = OPAQUE_ID.matcher(s).replaceAll(m -> isPlaceholderOrWord(m.group()) ? Matcher.quoteReplacement(m.group()) : "<id>");
        s = NUMBER.matcher(s).replaceAll("<n>");
        s = names(s);
        return s;
    }

    /**
     * Words with a digit or two that describe rather than identify ("gpt-4o", "utf-8", "mp3", "v1beta") are kept; a
     * token is an id when it has three digits or more, mixes upper and lower case with digits, or is long.
     */
    private static boolean isPlaceholderOrWord(String token) {
        long digits = token.chars().filter(Character::isDigit).count();
        boolean upper = token.chars().anyMatch(Character::isUpperCase);
        boolean lower = token.chars().anyMatch(Character::isLowerCase);
        return digits <= 2 && !(upper && lower) && token.length() <= 14;
    }

    private static String names(String s) {
        Matcher m = NAME.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        int last = 0;
        while (m.find()) {
            String name = m.group(1);
            String first = name.split("\\s+")[0];
            if (NOT_NAMES.contains(first)) {
                continue;
            }
            out.append(s, last, m.start(1)).append("<name>");
            last = m.end(1);
        }
        return last == 0 ? s : out.append(s, last, s.length()).toString();
    }
}
