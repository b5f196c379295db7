package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a JSON property value looks to the text and number operators, defined identically here and in {@link FilterSql}.
 *
 * <ul>
 *   <li>Text of a scalar: a string is itself, a boolean is {@code true}/{@code false}, a number is its canonical
 *       decimal: no exponent, no trailing fractional zeros ({@code 5.0 → 5}, {@code 1.50 → 1.5},
 *       {@code 1e-5 → 0.00001}); SQL: {@code trim_scale(v::numeric)::text}. Canonical rather than jsonb's own
 *       printing because jsonb keeps the writer's trailing zeros while Jackson's doubles cannot.</li>
 *   <li>Number: a JSON number, or a string matching {@link #NUMERIC_STRING} (bounded so that the SQL cast to
 *       {@code numeric} can never fail); anything else is not a number and fails gt/gte/lt/lte.</li>
 *   <li>Objects and arrays have no text of their own: the text and number operators look at every scalar inside them
 *       at any depth ({@code jsonb_path_query(v, 'strict $.**')} in SQL) and hold if one of them matches. Object keys
 *       are not looked at.</li>
 * </ul>
 *
 * <p>Limit: a non-integer JSON number reaches memory as a double (production reads events back from jsonb with a
 * plain ObjectMapper), so it is taken as the shortest decimal that round-trips that double. Numbers written with
 * more than 17 significant digits, or beyond the range of a double, can therefore compare differently in SQL (which
 * sees the exact numeric). Real SDKs write shortest round-trip decimals, so both paths agree on their output.
 */
final class PropertyValues {

    /**
     * A numeric string: optional minus, at most 100 digits on each side of the point, exponent of at most three
     * digits. Written without backslashes so it reads the same as a Java and a SQL string literal.
     */
    static final String NUMERIC_STRING = "^-?[0-9]{1,100}([.][0-9]{1,100})?([eE][-+]?[0-9]{1,3})?$";
    private static final Pattern NUMERIC = Pattern.compile(NUMERIC_STRING);

    private PropertyValues() {
    }

    /** Present and not JSON null: what is_set asks. Objects and arrays, even empty, are set. */
    static boolean isSet(JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    /** The text of a scalar, or null for null, absent, objects and arrays. */
    static String text(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isNumber()) {
            BigDecimal n = canonical(value);
            return n == null ? null : n.toPlainString();
        }
        return null;
    }

    /** The value as a number, or null when it is neither a JSON number nor a numeric string. */
    static BigDecimal number(JsonNode value) {
        if (value == null) {
            return null;
        }
        if (value.isNumber()) {
            return canonical(value);
        }
        if (value.isTextual()) {
            return numericString(value.textValue());
        }
        return null;
    }

    /** A string's number if it is a numeric string, else null. */
    static BigDecimal numericString(String s) {
        return NUMERIC.matcher(s).matches() ? new BigDecimal(s) : null;
    }

    /**
     * The scalars the text and number operators test: the value itself when it is a scalar, every scalar inside it
     * when it is an object or array. Iterative, so deeply nested payloads cannot overflow the stack.
     */
    static List<JsonNode> scalars(JsonNode value) {
        List<JsonNode> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        Deque<JsonNode> pending = new ArrayDeque<>();
        pending.push(value);
        while (!pending.isEmpty()) {
            JsonNode n = pending.pop();
            if (n.isContainerNode()) {
                for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                    pending.push(it.next());
                }
            } else if (n.isValueNode() && !n.isNull()) {
                out.add(n);
            }
        }
        return out;
    }

    /** A JSON number as a trimmed BigDecimal (what {@code trim_scale(numeric)} gives), null for NaN or infinity. */
    static BigDecimal canonical(JsonNode number) {
        BigDecimal n;
        if (number.isIntegralNumber()) {
            n = new BigDecimal(number.bigIntegerValue());
        } else if (number.isBigDecimal()) {
            n = number.decimalValue();
        } else {
            double d = number.doubleValue();
            if (!Double.isFinite(d)) {
                return null;
            }
            n = shortest(d);
        }
        return trim(n);
    }

    /** Drops trailing fractional zeros but never integer digits, and makes zero plain {@code 0} (no {@code -0}). */
    static BigDecimal trim(BigDecimal n) {
        if (n.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal s = n.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /**
     * The decimal with the fewest significant digits that parses back to {@code d}, the nearest one among equals:
     * what JSON writers (JavaScript, Python, Jackson) print. Done with BigDecimal because Java 17's
     * {@code Double.toString} sometimes prints one digit more than needed.
     */
    static BigDecimal shortest(double d) {
        if (d == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal exact = new BigDecimal(d);
        for (int digits = 1; digits <= 17; digits++) {
            BigDecimal nearest = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            BigDecimal best = null;
            // At a power of two the gap below is half the gap above, so a neighbour can round-trip when the nearest
            // candidate does not.
            BigDecimal unit = nearest.ulp();
            for (BigDecimal c : List.of(nearest, nearest.subtract(unit), nearest.add(unit))) {
                if (c.precision() <= digits && c.doubleValue() == d
                        && (best == null || c.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) {
                    best = c;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return exact.round(MathContext.DECIMAL64); // not reached: 17 digits always round-trip
    }
}
