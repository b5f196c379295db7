package dev.prism.llm;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A feature request named in plain words from the user's sentence: the ask's framing ("can you also", "I wish I
 * could", "is there a way to") removed, leaving the capability ("export this to Google Calendar"). The title reads
 * "Asks to …" for an action and "Asks for …" for a thing; the canonical text, for clustering, drops numbers, e-mail
 * addresses and filler so that the same request in other words lands near it. Pure.
 */
record RequestPhrase(String title, String canonical) {

    /** Framing before an action: what follows is a verb phrase. */
    private static final Pattern ACTION = Pattern.compile("(?i)^(?:(?:hi|hey|ok|okay|so|also|and|btw|please)[,!]?\\s+)*"
            + "(?:can|could|would|will) (?:you|u|it|this|we|i) (?:also |please |maybe |just )?(?:be able to |possibly )?"
            + "|^(?:(?:hi|hey|ok|so|also)[,!]?\\s+)*(?:is there (?:a|any) way to|is it possible to|any chance (?:you could|to)|i wish (?:i|you|it) could"
            + "|i'?d (?:like|love) (?:to be able )?to|i want (?:to be able )?to|i need (?:you |it )?to|(?:it )?would be (?:really |so )?(?:great|nice|useful|helpful|cool) (?:if (?:you|it|i) could|to)"
            + "|it'?d be (?:great|nice|useful) (?:if (?:you|it|i) could|to)|would love (?:to be able )?to|please(?: also)?|let me|can i|could i)\\s*");
    /** Framing before a thing: what follows is a noun phrase. */
    private static final Pattern THING = Pattern.compile("(?i)^(?:(?:hi|hey|ok|so|also)[,!]?\\s+)*(?:do you (?:support|have|offer)|does it (?:support|have)"
            + "|(?:please )?add(?: support for)?|i'?d (?:like|love)|i want|i need|would love|any (?:plans for|chance of)|is there)\\s+");
    private static final Pattern TRAILING = Pattern.compile("(?i)(?:[,;]?\\s*(?:please|pls|too|as well|for me|thanks|thank you))*[\\s?.!]*$");

    static RequestPhrase of(String sentence) {
        String s = sentence == null ? "" : sentence.strip();
        String kind = "Asks: ";
        Matcher action = ACTION.matcher(s);
        Matcher thing = THING.matcher(s);
        String rest = s;
        if (action.find() && action.end() > 0 && action.end() < s.length()) {
            rest = s.substring(action.end());
            kind = "Asks to ";
        } else if (thing.find() && thing.end() < s.length()) {
            rest = s.substring(thing.end());
            kind = "Asks for ";
        }
        rest = TRAILING.matcher(rest).replaceFirst("").strip();
        if (rest.isEmpty()) {
            rest = s;
        }
        String shown = firstWords(rest, 9);
        String canonical = rest.toLowerCase(Locale.ROOT)
                .replaceAll("\\S+@\\S+", " ")
                .replaceAll("\\p{N}+([.,:]\\p{N}+)*", " ")
                .replaceAll("[\"'“”‘’()\\[\\]]", " ")
                .replaceAll("\\s+", " ").strip();
        return new RequestPhrase(kind + shown, (kind.equals("Asks: ") ? "" : kind.toLowerCase(Locale.ROOT)) + canonical);
    }

    private static String firstWords(String text, int max) {
        String[] w = text.split("\\s+");
        String joined = String.join(" ", java.util.Arrays.copyOf(w, Math.min(max, w.length)));
        return w.length > max ? joined + "…" : joined;
    }
}
