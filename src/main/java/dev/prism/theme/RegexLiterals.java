package dev.prism.theme;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Literal strings at least one of which every match of a regex contains: {@code (?i)(i wish|would be (great|nice))}
 * needs "i wish", "would be great" or "would be nice" somewhere. A plain substring test for them is a cheap necessary
 * condition, so SQL can skip the exact per-value regex (PostgreSQL's regex engine and JSON walk run at tens of MB/s)
 * on the many values that contain none of them, without changing which values match.
 *
 * <p>The test runs on a value's whole text ({@code #>> '{}'}: a string unescaped, an object or array as JSON), which
 * contains every scalar inside it verbatim except for JSON escapes, so literals holding a quote, a backslash or a
 * control character give no condition. With {@code (?i)} the literals are lower-cased (ASCII only, as both engines
 * fold) and a literal with other letters gives no condition.
 *
 * <p>Works on sources {@link SafeRegex} accepted; anything it does not see through (classes, {@code .}, optional
 * parts) only makes the literals shorter or absent, never wrong.
 */
final class RegexLiterals {

    /** Above this many alternatives a set is dropped: the test would cost more than it saves. */
    private static final int MAX_STRINGS = 32;
    private static final int MAX_LENGTH = 64;
    /** Literals this long are rare enough in text that a longer one hardly filters better. */
    private static final int SELECTIVE = 4;

    private final String s;
    private int i;

    private RegexLiterals(String s) {
        this.s = s;
    }

    /**
     * @return the literals (lower-cased when {@code caseInsensitive}), or empty when no useful set exists
     */
    static Optional<Required> of(String source) {
        boolean caseInsensitive = source.startsWith("(?i)");
        RegexLiterals parser = new RegexLiterals(source);
        parser.i = caseInsensitive ? 4 : 0;
        Node root = parser.alternation();
        Set<String> required = root.required();
        if (required == null || required.isEmpty() || required.contains("")) {
            return Optional.empty();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String literal : required) {
            if (!representable(literal, caseInsensitive)) {
                return Optional.empty();
            }
            out.add(caseInsensitive ? CaseFold.ascii(literal) : literal);
        }
        return Optional.of(new Required(List.copyOf(out), caseInsensitive));
    }

    /** @param literals one of these is a substring of any matching value ({@code caseInsensitive}: of its ASCII lower case) */
    record Required(List<String> literals, boolean caseInsensitive) {
    }

    private static boolean representable(String literal, boolean caseInsensitive) {
        for (int k = 0; k < literal.length(); k++) {
            char c = literal.charAt(k);
            if (c == '"' || c == '\\' || c < 0x20 || (caseInsensitive && c > 0x7e)) {
                return false;
            }
        }
        return true;
    }

    /**
     * What is known of a sub-pattern: {@code exact}, the complete set of strings it matches when small (else null),
     * and {@code required}, strings one of which each of its matches contains (null when none is known).
     */
    private record Node(Set<String> exact, Set<String> required) {
        static final Node UNKNOWN = new Node(null, null);
        static final Node EMPTY = new Node(Set.of(""), null);

        static Node literal(String text) {
            return new Node(Set.of(text), Set.of(text));
        }
    }

    private Node alternation() {
        Node first = sequence();
        if (i >= s.length() || s.charAt(i) != '|') {
            return first;
        }
        Set<String> exact = first.exact() == null ? null : new LinkedHashSet<>(first.exact());
        Set<String> required = first.required() == null ? null : new LinkedHashSet<>(first.required());
        while (i < s.length() && s.charAt(i) == '|') {
            i++;
            Node next = sequence();
            exact = union(exact, next.exact());
            required = union(required, next.required());
        }
        return new Node(exact, required);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        if (a == null || b == null) {
            return null;
        }
        Set<String> u = new LinkedHashSet<>(a);
        u.addAll(b);
        return u.size() > MAX_STRINGS ? null : u;
    }

    /**
     * Consecutive parts with exact sets multiply into runs ("can you " × "(also |please )?" × "export"); the best
     * candidate among the runs and the parts' own required sets becomes the sequence's required set.
     */
    private Node sequence() {
        Set<String> whole = Set.of("");
        Set<String> run = Set.of("");
        Set<String> best = null;
        while (i < s.length() && s.charAt(i) != '|' && s.charAt(i) != ')') {
            Node item = item();
            whole = product(whole, item.exact());
            best = better(best, item.required());
            if (item.exact() == null) {
                best = better(best, run);
                run = Set.of("");
            } else {
                best = better(best, run); // a shorter run may be the better choice: fewer strings
                Set<String> longer = product(run, item.exact());
                if (longer == null) {
                    // Too many combinations: keep the run so far as a candidate and start again from this part.
                    best = better(best, run);
                    run = item.exact();
                } else {
                    run = longer;
                }
            }
        }
        best = better(best, run);
        return new Node(whole, best);
    }

    private static Set<String> product(Set<String> left, Set<String> right) {
        if (left == null || right == null || left.size() * right.size() > MAX_STRINGS) {
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String a : left) {
            for (String b : right) {
                if (a.length() + b.length() > MAX_LENGTH) {
                    return null;
                }
                out.add(a + b);
            }
        }
        return out;
    }

    /**
     * Past a few characters a literal is selective enough, and fewer strings keep both the test and an enclosing
     * alternation's union small; below that, the set whose shortest string is longer filters more. A set holding ""
     * guarantees nothing.
     */
    private static Set<String> better(Set<String> current, Set<String> candidate) {
        if (candidate == null || candidate.isEmpty() || shortest(candidate) == 0) {
            return current;
        }
        if (current == null) {
            return candidate;
        }
        int bySelectivity = Integer.compare(Math.min(shortest(candidate), SELECTIVE), Math.min(shortest(current), SELECTIVE));
        if (bySelectivity != 0) {
            return bySelectivity > 0 ? candidate : current;
        }
        int bySize = Integer.compare(candidate.size(), current.size());
        if (bySize != 0) {
            return bySize < 0 ? candidate : current;
        }
        return shortest(candidate) > shortest(current) ? candidate : current;
    }

    private static int shortest(Set<String> strings) {
        return strings.stream().mapToInt(String::length).min().orElse(0);
    }

    private Node item() {
        Node atom = atom();
        if (i >= s.length()) {
            return atom;
        }
        char c = s.charAt(i);
        int min;
        int max;
        if (c == '*' || c == '+' || c == '?') {
            i++;
            min = c == '+' ? 1 : 0;
            max = c == '?' ? 1 : -1;
        } else if (c == '{') {
            int close = s.indexOf('}', i);
            String[] bounds = s.substring(i + 1, close).split(",", -1);
            i = close + 1;
            min = Integer.parseInt(bounds[0]);
            max = bounds.length == 1 ? min : bounds[1].isEmpty() ? -1 : Integer.parseInt(bounds[1]);
        } else {
            return atom;
        }
        if (i < s.length() && s.charAt(i) == '?') {
            i++; // lazy: the same strings match
        }
        if (min == 0 && max == 1) {
            return new Node(union(atom.exact(), Set.of("")), null);
        }
        if (min == 1 && max == 1) {
            return atom;
        }
        // Repeated at least once: whatever one repetition requires is still required.
        return new Node(null, min >= 1 ? atom.required() : null);
    }

    private Node atom() {
        char c = s.charAt(i);
        switch (c) {
            case '(' -> {
                i += s.startsWith("(?:", i) ? 3 : 1;
                Node inner = alternation();
                i++; // ')'
                return inner;
            }
            case '[' -> {
                skipBracket();
                return Node.UNKNOWN;
            }
            case '\\' -> {
                char e = s.charAt(i + 1);
                i += 2;
                return switch (e) {
                    case 'n' -> Node.literal("\n");
                    case 't' -> Node.literal("\t");
                    case 'r' -> Node.literal("\r");
                    case 'f' -> Node.literal("\f");
                    case 'd', 'D', 's', 'S', 'w', 'W' -> Node.UNKNOWN;
                    default -> Node.literal(String.valueOf(e));
                };
            }
            case '^', '$' -> {
                i++;
                return Node.EMPTY;
            }
            case '.' -> {
                i++;
                return Node.UNKNOWN;
            }
            default -> {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                return Node.literal(new String(Character.toChars(cp)));
            }
        }
    }

    private void skipBracket() {
        i++;
        if (i < s.length() && s.charAt(i) == '^') {
            i++;
        }
        while (s.charAt(i) != ']') {
            i += s.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
    }
}
