package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;

import java.math.BigDecimal;
import java.util.List;

/**
 * Evaluates filters on an assembled trace, with exactly the semantics {@link FilterSql} compiles to SQL:
 *
 * <ul>
 *   <li>All filters must hold (AND); an empty list accepts every trace.</li>
 *   <li>An event filter holds when at least one event of the trace satisfies it. A negative operator is the
 *       complement on that event, so {@code $ai_model is_not gpt-4o} holds when some event has another model, a
 *       null or no {@code $ai_model} at all (PostHog's reading; the {@code $ai_trace} event usually has none).</li>
 *   <li>Text and number operators look at the values described in {@link PropertyValues}.</li>
 *   <li>A trace-level filter compares an aggregate as a double, in PostgreSQL's {@code float8} order. A trace
 *       without a latency (none of its events has a time) fails every positive operator on {@code trace.latency},
 *       is_set included, and so satisfies every negative one.</li>
 * </ul>
 * Pure and thread-safe once built.
 */
public final class TraceFilter {

    private final List<Criterion> criteria;

    private TraceFilter(List<Criterion> criteria) {
        this.criteria = criteria;
    }

    /**
     * Validates and prepares filters once, for many traces.
     *
     * @throws InvalidFilterException when a filter is invalid (see {@link FilterValidation})
     */
    public static TraceFilter of(List<PropertyFilter> filters) {
        return new TraceFilter(Criterion.parseAll(filters, "filters"));
    }

    /** @throws InvalidFilterException when a filter is invalid */
    public static boolean matches(AssembledTrace trace, List<PropertyFilter> filters) {
        return of(filters).test(trace);
    }

    static boolean matches(AssembledTrace trace, java.util.Map<String, Double> relevance, List<PropertyFilter> filters) {
        return of(filters).test(trace, relevance);
    }

    /**
     * @throws RegexBudget.Exceeded when a regex backtracks beyond reason on some value (PostgreSQL's engine would
     *                              not, so the only answer that cannot disagree with SQL is none)
     */
    public boolean test(AssembledTrace trace) {
        return test(trace, java.util.Map.of());
    }

    /** @param relevance the trace version's relevance scores by theme, read by {@code trace.relevance.<theme_id>} */
    public boolean test(AssembledTrace trace, java.util.Map<String, Double> relevance) {
        for (Criterion c : criteria) {
            if (!holds(c, trace, relevance)) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(Criterion c, AssembledTrace trace, java.util.Map<String, Double> relevance) {
        if (c.traceKey == TraceKey.RELEVANCE) {
            return c.operator.negative() != positive(c, TraceKey.relevance(relevance, c.key));
        }
        if (c.subject == Criterion.Subject.TRACE) {
            return c.operator.negative() != positive(c, c.traceKey.value(trace.aggregates()));
        }
        for (TraceEvent e : trace.events()) {
            JsonNode value = c.subject == Criterion.Subject.EVENT_NAME
                    ? TextNode.valueOf(e.event())
                    : e.properties() == null ? null : e.properties().get(c.key);
            if (c.operator.negative() != positive(c, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean positive(Criterion c, Double value) {
        if (value == null) {
            return false;
        }
        double v = value;
        return switch (c.test()) {
            case IS_SET -> true;
            case EXACT -> c.numbers.stream().anyMatch(n -> compare(v, n) == 0);
            case GT -> compare(v, c.numbers.get(0)) > 0;
            case GTE -> compare(v, c.numbers.get(0)) >= 0;
            case LT -> compare(v, c.numbers.get(0)) < 0;
            case LTE -> compare(v, c.numbers.get(0)) <= 0;
            default -> throw new IllegalStateException("validation lets no " + c.operator + " through on " + c.key);
        };
    }

    /** PostgreSQL's float8 order: -0 equals 0, NaN equals itself and is above everything. */
    static int compare(double a, double b) {
        return a == b ? 0 : Double.compare(a, b);
    }

    private static boolean positive(Criterion c, JsonNode value) {
        if (c.test() == FilterOperator.IS_SET) {
            return PropertyValues.isSet(value);
        }
        for (JsonNode scalar : PropertyValues.scalars(value)) {
            if (scalarMatches(c, scalar)) {
                return true;
            }
        }
        return false;
    }

    private static boolean scalarMatches(Criterion c, JsonNode scalar) {
        return switch (c.test()) {
            case EXACT -> c.texts.contains(PropertyValues.text(scalar));
            case ICONTAINS -> CaseFold.fold(PropertyValues.text(scalar)).contains(c.needle);
            case REGEX -> c.regex.pattern().matcher(RegexBudget.wrap(PropertyValues.text(scalar))).find();
            case GT, GTE, LT, LTE -> {
                BigDecimal n = PropertyValues.number(scalar);
                if (n == null) {
                    yield false;
                }
                int cmp = n.compareTo(c.bound);
                yield switch (c.test()) {
                    case GT -> cmp > 0;
                    case GTE -> cmp >= 0;
                    case LT -> cmp < 0;
                    default -> cmp <= 0;
                };
            }
            default -> throw new IllegalStateException("unhandled operator " + c.operator);
        };
    }
}
