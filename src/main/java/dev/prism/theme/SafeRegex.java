package dev.prism.theme;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regex in the subset where Java's {@link Pattern} and PostgreSQL's advanced regular expressions (compared under
 * {@code COLLATE "C"}) accept the same text and match the same strings, so a filter selects the same traces in SQL and
 * in memory. Whether a regular language matches somewhere does not depend on the engine's leftmost-first versus
 * leftmost-longest rule; everything outside regular languages, or spelt differently by the two, is refused:
 *
 * <ul>
 *   <li>lookahead/lookbehind, backreferences, possessive quantifiers, atomic and named groups: Java-only or
 *       non-regular;</li>
 *   <li>inline flags except a leading {@code (?i)}: PostgreSQL accepts options only at the very start, and only
 *       ASCII case-insensitivity is common to both ({@code COLLATE "C"} on the SQL side);</li>
 *   <li>{@code \p{…}}, POSIX {@code [[:alpha:]]}, nested classes and {@code &&}: one engine's syntax only;</li>
 *   <li>escapes other than {@code \d \D \s \S \w \W \n \t \r \f} and escaped ASCII punctuation: {@code \b} is a word
 *       boundary in Java but a backspace in PostgreSQL, {@code \v}, {@code \x}, {@code \Z} differ too;</li>
 *   <li>unescaped {@code ] { }} outside a bound, a {@code ]} first in a class, a {@code -} that is neither first, last
 *       nor in a range, bounds above 255 (PostgreSQL's limit).</li>
 * </ul>
 *
 * <p>The Java pattern is compiled with DOTALL (PostgreSQL's {@code .} matches newlines), with each {@code $} outside
 * classes written as {@code \z} (Java's {@code $} also matches before a final line break) and without redundant
 * outer {@code .*}. PostgreSQL receives the regex exactly as written.
 */
final class SafeRegex {

    private static final int MAX_BOUND = 255;
    /** Limits that keep validation, which recurses into groups, and both engines' compilers cheap. */
    static final int MAX_LENGTH = 1_000;
    static final int MAX_NESTING = 50;

    private final String source;
    private final Pattern pattern;

    private SafeRegex(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /** Thrown with a message that says what is refused and why. */
    static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    /** @throws Refused when the regex is outside the common subset or does not compile */
    static SafeRegex of(String source) {
        if (source.length() > MAX_LENGTH) {
            throw new Refused("regex: longer than " + MAX_LENGTH + " characters");
        }
        String java = new Translator(source).translate();
        try {
            return new SafeRegex(source, Pattern.compile(java, Pattern.DOTALL));
        } catch (PatternSyntaxException e) {
            throw new Refused("regex does not compile: " + e.getDescription());
        }
    }

    /** The regex as the user wrote it: what SQL's {@code ~} receives. */
    String source() {
        return source;
    }

    Pattern pattern() {
        return pattern;
    }

    /** A recursive-descent check of the grammar above that writes the Java spelling as it goes. */
    private static final class Translator {
        private final String s;
        private final StringBuilder out = new StringBuilder();
        private int i;

        Translator(String s) {
            this.s = s;
        }

        /** Nesting of groups; items and alternation are tracked at the top level only. */
        private int depth;
        private boolean topLevelAlternation;
        private final List<String> topLevelItems = new ArrayList<>();

        String translate() {
            String flags = "";
            if (s.startsWith("(?i)")) {
                flags = "(?i)";
                i = 4;
            }
            alternation();
            if (i < s.length()) {
                throw new Refused("regex does not compile: unmatched ')' at index " + i);
            }
            return flags + (topLevelAlternation ? out.toString() : String.join("", withoutOuterDotStars(topLevelItems)));
        }

        /**
         * Searching for {@code .*X.*} is searching for {@code X}, but Java's backtracking makes the first take time
         * quadratic in the text where the second is linear; long LLM outputs make that matter. Leading
         * {@code ^.*} / {@code .*} and trailing {@code .*} / {@code .*$} are therefore dropped (DOTALL makes
         * {@code .*} match anything).
         */
        private static List<String> withoutOuterDotStars(List<String> items) {
            int from = 0;
            int k = !items.isEmpty() && items.get(0).equals("^") ? 1 : 0;
            while (k < items.size() && isDotStar(items.get(k))) {
                k++;
                from = k;
            }
            int to = items.size();
            int m = to > from && items.get(to - 1).equals("\\z") ? to - 1 : to;
            while (m > from && isDotStar(items.get(m - 1))) {
                m--;
                to = m;
            }
            return items.subList(from, to);
        }

        private static boolean isDotStar(String item) {
            return item.equals(".*") || item.equals(".*?");
        }

        private void alternation() {
            sequence();
            while (i < s.length() && s.charAt(i) == '|') {
                topLevelAlternation |= depth == 0;
                out.append('|');
                i++;
                sequence();
            }
        }

        private void sequence() {
            while (i < s.length() && s.charAt(i) != '|' && s.charAt(i) != ')') {
                int itemStart = out.length();
                sequenceItem();
                if (depth == 0) {
                    topLevelItems.add(out.substring(itemStart));
                }
            }
        }

        /** One atom and its quantifier, if any. */
        private void sequenceItem() {
            boolean quantifiable = atom();
            if (i < s.length() && isQuantifierStart()) {
                if (!quantifiable) {
                    throw new Refused("regex does not compile: nothing to repeat before index " + i);
                }
                quantifier();
                if (i < s.length() && isQuantifierStart()) {
                    throw new Refused("regex does not compile: a quantifier cannot follow a quantifier at index " + i);
                }
            }
        }

        private boolean isQuantifierStart() {
            char c = s.charAt(i);
            return c == '*' || c == '+' || c == '?' || c == '{';
        }

        /** Reads one atom; false for anchors, which cannot be repeated. */
        private boolean atom() {
            char c = s.charAt(i);
            switch (c) {
                case '(' -> group();
                case '[' -> bracket();
                case '\\' -> escape(false);
                case '^' -> {
                    out.append('^');
                    i++;
                    return false;
                }
                case '$' -> {
                    out.append("\\z");
                    i++;
                    return false;
                }
                case '.' -> {
                    out.append('.');
                    i++;
                }
                case '*', '+', '?', '{' -> throw new Refused("regex does not compile: nothing to repeat at index " + i);
                case ']', '}' -> throw new Refused("regex: write '" + c + "' as '\\" + c
                        + "' (the two engines read an unescaped one differently)");
                default -> {
                    out.append(c);
                    i++;
                }
            }
            return true;
        }

        private void group() {
            if (++depth > MAX_NESTING) {
                throw new Refused("regex: groups nested deeper than " + MAX_NESTING);
            }
            int start = i;
            i++;
            if (s.startsWith("?", i)) {
                if (s.startsWith("?:", i)) {
                    i += 2;
                    out.append("(?:");
                } else {
                    throw new Refused(refusedGroup(start));
                }
            } else {
                out.append('(');
            }
            alternation();
            if (i >= s.length() || s.charAt(i) != ')') {
                throw new Refused("regex does not compile: unclosed group at index " + start);
            }
            out.append(')');
            i++;
            depth--;
        }

        private String refusedGroup(int at) {
            String rest = s.substring(at);
            if (rest.startsWith("(?=") || rest.startsWith("(?!")) {
                return "regex: lookahead is not supported (SQL and in-memory matching must agree)";
            }
            if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
                return "regex: lookbehind is not supported (SQL and in-memory matching must agree)";
            }
            if (rest.startsWith("(?<") || rest.startsWith("(?P<")) {
                return "regex: named groups are not supported by PostgreSQL; use (...) or (?:...)";
            }
            if (rest.startsWith("(?>")) {
                return "regex: atomic groups are not supported by PostgreSQL";
            }
            if (rest.startsWith("(?#")) {
                return "regex: comments are not supported";
            }
            return "regex: inline flags are only supported as a leading (?i) (PostgreSQL reads options only at the start)";
        }

        private void quantifier() {
            char c = s.charAt(i);
            if (c == '{') {
                int close = s.indexOf('}', i);
                String body = close < 0 ? "" : s.substring(i + 1, close);
                if (!body.matches("[0-9]{1,3}(,([0-9]{1,3})?)?")) {
                    throw new Refused("regex: '{' starts a bound like {2}, {2,} or {2,5}; write a literal brace as '\\{'");
                }
                String[] parts = body.split(",", -1);
                int min = Integer.parseInt(parts[0]);
                int max = parts.length == 1 ? min : parts[1].isEmpty() ? -1 : Integer.parseInt(parts[1]);
                if (min > MAX_BOUND || max > MAX_BOUND) {
                    throw new Refused("regex: bounds above " + MAX_BOUND + " are not supported by PostgreSQL");
                }
                if (max >= 0 && max < min) {
                    throw new Refused("regex does not compile: bound {" + body + "} has its maximum below its minimum");
                }
                out.append(s, i, close + 1);
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
            if (i < s.length() && s.charAt(i) == '+') {
                throw new Refused("regex: possessive quantifiers are not supported by PostgreSQL");
            }
            if (i < s.length() && s.charAt(i) == '?') {
                out.append('?'); // lazy: changes which match is found, never whether one is
                i++;
            }
        }

        /** Java's spelling of an escape, and the character it stands for (-1 for a class such as \d). */
        private record Escape(String java, int literal) {
        }

        private void escape(boolean inBracket) {
            out.append(readEscape(inBracket).java());
        }

        /** Reads a backslash escape; inside a bracket {@code \D \S \W} are refused (PostgreSQL rejects them there). */
        private Escape readEscape(boolean inBracket) {
            if (i + 1 >= s.length()) {
                throw new Refused("regex does not compile: trailing backslash");
            }
            char e = s.charAt(i + 1);
            Escape result;
            if ("dswntrf".indexOf(e) >= 0 || (!inBracket && "DSW".indexOf(e) >= 0)) {
                result = new Escape("\\" + e, -1);
            } else if (isPunctuation(e)) {
                result = new Escape("\\" + e, e);
            } else if (e == 'p' || e == 'P') {
                throw new Refused("regex: \\p{...} classes are not supported by PostgreSQL");
            } else if (e >= '0' && e <= '9') {
                throw new Refused("regex: backreferences and octal escapes are not supported (\\" + e + ")");
            } else if (inBracket && "DSW".indexOf(e) >= 0) {
                throw new Refused("regex: \\" + e + " inside [...] is not supported by PostgreSQL");
            } else {
                throw new Refused("regex: the escape \\" + e + " is not supported (it means different things in Java and "
                        + "PostgreSQL, or exists in one only); supported: \\d \\D \\s \\S \\w \\W \\n \\t \\r \\f and escaped punctuation");
            }
            i += 2;
            return result;
        }

        private static boolean isPunctuation(char c) {
            return c > ' ' && c < 127 && !Character.isLetterOrDigit(c);
        }

        private void bracket() {
            int start = i;
            StringBuilder cls = new StringBuilder("[");
            i++;
            if (i < s.length() && s.charAt(i) == '^') {
                cls.append('^');
                i++;
            }
            int first = i;
            int rangeStart = -1; // the previous single character, which a '-' may turn into a range
            while (true) {
                if (i >= s.length()) {
                    throw new Refused("regex does not compile: unclosed [ at index " + start);
                }
                int c = s.codePointAt(i);
                if (c == ']') {
                    if (i == first) {
                        throw new Refused("regex: write ']' first in a class as '\\]'");
                    }
                    out.append(cls).append(']');
                    i++;
                    return;
                }
                if (c == '[') {
                    throw new Refused("regex: '[' inside [...] (POSIX classes like [:alpha:] or nested classes) is not "
                            + "supported; write '\\['");
                }
                if (c == '&' && s.startsWith("&&", i)) {
                    throw new Refused("regex: '&&' (class intersection) is Java-only; write '\\&'");
                }
                if (c == '-') {
                    if (i == first || s.startsWith("]", i + 1)) {
                        cls.append("\\-"); // a literal '-' in both engines; Java prefers it escaped
                        i++;
                        rangeStart = -1;
                        continue;
                    }
                    if (rangeStart < 0) {
                        throw new Refused("regex: '-' inside [...] must be first, last or between the two characters of a range");
                    }
                    i++;
                    int end = rangeEnd(cls.append('-'));
                    if (end < rangeStart) {
                        throw new Refused("regex does not compile: range out of order in [...] before index " + i);
                    }
                    rangeStart = -1;
                    continue;
                }
                if (c == '\\') {
                    Escape e = readEscape(true);
                    cls.append(e.java());
                    rangeStart = e.literal();
                    continue;
                }
                cls.appendCodePoint(c);
                i += Character.charCount(c);
                rangeStart = c;
            }
        }

        /** Reads the character that ends a range: a plain character or escaped punctuation. */
        private int rangeEnd(StringBuilder cls) {
            if (i < s.length() && s.charAt(i) == '\\') {
                Escape e = readEscape(true);
                if (e.literal() < 0) {
                    throw new Refused("regex: a range in [...] cannot end with a class escape");
                }
                cls.append(e.java());
                return e.literal();
            }
            if (i >= s.length() || "[]-".indexOf(s.charAt(i)) >= 0) {
                throw new Refused("regex: a range in [...] must end with a character at index " + i);
            }
            int c = s.codePointAt(i);
            cls.appendCodePoint(c);
            i += Character.charCount(c);
            return c;
        }
    }
}
