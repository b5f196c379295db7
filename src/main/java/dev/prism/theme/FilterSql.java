package dev.prism.theme;

import java.util.ArrayList;
import java.util.List;

/**
 * Compiles filters into a SQL boolean expression over {@code traces t} with the semantics of {@link TraceFilter}.
 * Event filters become {@code EXISTS} over the trace's rows in {@code events e}; trace-level keys compare columns of
 * {@code t}. Every user-supplied string, property keys included, travels as a positional parameter ({@code $n}); the
 * SQL text holds only constants of this package, so no filter can inject SQL.
 *
 * <p>Parameters are {@link String}, {@code String[]}, {@link Double} or {@code Double[]}, each cast in the SQL
 * ({@code $3::text}, {@code $4::float8[]}) so their types never depend on inference. The expression is never NULL, so
 * it can be negated or combined with OR like the in-memory result; to OR several lists, compile the second one with
 * {@code firstParam} after the first one's parameters.
 */
public final class FilterSql {

    /**
     * @param sql    a boolean expression, {@code TRUE} for no filters
     * @param params the values of {@code $first}, {@code $first+1}, … in order
     */
    public record Compiled(String sql, List<Object> params) {
        public Compiled {
            params = List.copyOf(params);
        }
    }

    private static final String NUMERIC_STRING = "'" + PropertyValues.NUMERIC_STRING + "'";

    private final List<Object> params = new ArrayList<>();
    private final int first;

    private FilterSql(int first) {
        this.first = first;
    }

    /**
     * @param firstParam the number of the first parameter, so the expression can join a query that has its own
     *                   (e.g. 2 after {@code t.project_id = $1})
     * @throws InvalidFilterException when a filter is invalid (see {@link FilterValidation})
     */
    public static Compiled compile(List<PropertyFilter> filters, int firstParam) {
        if (firstParam < 1) {
            throw new IllegalArgumentException("parameters are numbered from 1, got " + firstParam);
        }
        List<Criterion> criteria = Criterion.parseAll(filters, "filters");
        FilterSql compiler = new FilterSql(firstParam);
        List<String> conditions = new ArrayList<>();
        for (Criterion c : criteria) {
            conditions.add("(" + compiler.condition(c) + ")");
        }
        return new Compiled(conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions), compiler.params);
    }

    private String param(Object value, String cast) {
        params.add(value);
        return "$" + (first + params.size() - 1) + "::" + cast;
    }

    private String condition(Criterion c) {
        if (c.subject == Criterion.Subject.TRACE) {
            // COALESCE keeps the expression two-valued (a NULL latency must not turn NOT or OR around it into NULL).
            String column = c.traceKey == TraceKey.RELEVANCE
                    ? "COALESCE((SELECT r.score FROM trace_relevance r WHERE r.project_id = t.project_id AND r.trace_id = t.trace_id"
                    + " AND r.trace_version = t.version AND r.theme_id = " + param(TraceKey.relevanceTheme(c.key), "text") + "), 1)"
                    : c.traceKey.column();
            String positive = traceCondition(c, column);
            return c.operator.negative() ? negateIfNeeded(c, positive) : "COALESCE(" + positive + ", false)";
        }
        String value = c.subject == Criterion.Subject.EVENT_NAME ? "to_jsonb(e.event)" : "e.properties -> " + param(c.key, "text");
        return "EXISTS (SELECT 1 FROM events e, LATERAL (SELECT " + value + ") AS p(v)"
                + " WHERE e.project_id = t.project_id AND e.trace_id = t.trace_id AND "
                + negateIfNeeded(c, valueCondition(c, "p.v")) + ")";
    }

    /** Negative operators are the complement of the positive one, an unknown (NULL) counting as not matching. */
    private static String negateIfNeeded(Criterion c, String positive) {
        return c.operator.negative() ? "NOT COALESCE(" + positive + ", false)" : positive;
    }

    private String traceCondition(Criterion c, String column) {
        return switch (c.test()) {
            case IS_SET -> column + " IS NOT NULL";
            case EXACT -> c.numbers.size() == 1
                    ? column + " = " + param(c.numbers.get(0), "float8")
                    : column + " = ANY(" + param(c.numbers.toArray(Double[]::new), "float8[]") + ")";
            case GT, GTE, LT, LTE -> column + " " + comparison(c.test()) + " " + param(c.numbers.get(0), "float8");
            default -> throw new IllegalStateException("validation lets no " + c.operator + " through on " + c.key);
        };
    }

    /** The positive condition on one event's value {@code v} (jsonb, NULL when the key is absent). */
    private String valueCondition(Criterion c, String v) {
        if (c.test() == FilterOperator.IS_SET) {
            return "jsonb_typeof(" + v + ") <> 'null'";
        }
        String operand = operand(c);
        // Objects and arrays match through any scalar inside them, at any depth ($.** includes the value itself).
        String exact = "CASE WHEN jsonb_typeof(" + v + ") IN ('object', 'array')"
                + " THEN EXISTS (SELECT 1 FROM jsonb_path_query(" + v + ", 'strict $.**') AS s(v) WHERE "
                + scalarCondition(c, "s.v", operand) + ")"
                + " ELSE " + scalarCondition(c, v, operand) + " END";
        if (c.test() != FilterOperator.REGEX) {
            return exact;
        }
        return RegexLiterals.of(c.regex.source()).map(required -> literalPrecheck(required, v) + " AND " + exact).orElse(exact);
    }

    /**
     * A necessary condition for the regex, tested on the value's whole text at memory speed so that the walk over
     * every scalar and the regex engine (tens of MB/s in PostgreSQL) run only on values that can match.
     */
    private String literalPrecheck(RegexLiterals.Required required, String v) {
        String text = "(" + v + " #>> '{}') COLLATE \"C\"";
        String haystack = required.caseInsensitive() ? "lower(" + text + ")" : text;
        String[] patterns = required.literals().stream()
                .map(l -> "%" + l.replace("%", "\\%").replace("_", "\\_") + "%").toArray(String[]::new);
        return "COALESCE(" + haystack + " LIKE ANY(" + param(patterns, "text[]") + "), false)";
    }

    /** The filter's value as one parameter, referenced by both branches of {@link #valueCondition}. */
    private String operand(Criterion c) {
        return switch (c.test()) {
            case EXACT -> c.texts.size() == 1 ? param(c.texts.get(0), "text") : param(c.texts.toArray(String[]::new), "text[]");
            case ICONTAINS -> param(c.needle, "text");
            case REGEX -> param(c.regex.source(), "text");
            case GT, GTE, LT, LTE -> "(" + param(c.bound.toPlainString(), "text") + ")::numeric";
            default -> throw new IllegalStateException("unhandled operator " + c.operator);
        };
    }

    /** The positive condition on one jsonb scalar {@code x}, whose text and number follow {@link PropertyValues}. */
    private static String scalarCondition(Criterion c, String x, String operand) {
        String text = "CASE WHEN jsonb_typeof(" + x + ") IN ('string', 'boolean') THEN " + x + " #>> '{}'"
                + " WHEN jsonb_typeof(" + x + ") = 'number' THEN trim_scale(" + x + "::numeric)::text END";
        return switch (c.test()) {
            case EXACT -> "(" + text + ") = " + (c.texts.size() == 1 ? operand : "ANY(" + operand + ")");
            case ICONTAINS -> "strpos(" + CaseFold.sql("(" + text + ")") + ", " + operand + ") > 0";
            // COLLATE "C": \w, \s, [a-z] and (?i) then see ASCII only, as Java's defaults do, whatever the database locale.
            case REGEX -> "(" + text + ") COLLATE \"C\" ~ " + operand;
            // The numeric-string test guards the cast: a CASE is evaluated in order, an AND is not.
            case GT, GTE, LT, LTE -> "(CASE WHEN jsonb_typeof(" + x + ") = 'number' THEN " + x + "::numeric"
                    + " WHEN jsonb_typeof(" + x + ") = 'string' AND " + x + " #>> '{}' ~ " + NUMERIC_STRING
                    + " THEN (" + x + " #>> '{}')::numeric END) " + comparison(c.test()) + " " + operand;
            default -> throw new IllegalStateException("unhandled operator " + c.operator);
        };
    }

    private static String comparison(FilterOperator op) {
        return switch (op) {
            case GT -> ">";
            case GTE -> ">=";
            case LT -> "<";
            case LTE -> "<=";
            default -> throw new IllegalStateException(op + " is not a comparison");
        };
    }
}
