package dev.prism.theme;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@link PropertyFilter} with its value already normalised (texts, folded needle, compiled regex,
 * number), so that {@link TraceFilter} and {@link FilterSql} read one interpretation and cannot drift apart.
 */
final class Criterion {

    enum Subject { PROPERTY, EVENT_NAME, TRACE }

    final Subject subject;
    /** The property key (PROPERTY) or trace-level key name (TRACE). */
    final String key;
    final TraceKey traceKey;
    final FilterOperator operator;
    /** exact / is_not on events: the texts any of which matches. */
    final List<String> texts;
    /** icontains / not_icontains: the value, case-folded. */
    final String needle;
    final SafeRegex regex;
    /** gt / gte / lt / lte on events. */
    final BigDecimal bound;
    /** Trace-level keys: the values of exact / is_not, or the single bound of gt / gte / lt / lte. */
    final List<Double> numbers;

    private Criterion(Subject subject, String key, TraceKey traceKey, FilterOperator operator, List<String> texts,
                      String needle, SafeRegex regex, BigDecimal bound, List<Double> numbers) {
        this.subject = subject;
        this.key = key;
        this.traceKey = traceKey;
        this.operator = operator;
        this.texts = texts;
        this.needle = needle;
        this.regex = regex;
        this.bound = bound;
        this.numbers = numbers;
    }

    /** Applies the positive operator; negative operators are its complement (see {@link FilterOperator}). */
    FilterOperator test() {
        return operator.positive();
    }

    /** @throws InvalidFilterException with every problem, prefixed by {@code path} */
    static List<Criterion> parseAll(List<PropertyFilter> filters, String path) {
        List<String> problems = new ArrayList<>();
        List<Criterion> out = new ArrayList<>(filters.size());
        for (int i = 0; i < filters.size(); i++) {
            out.add(parse(filters.get(i), path + "[" + i + "]", problems));
        }
        if (!problems.isEmpty()) {
            throw new InvalidFilterException(problems);
        }
        return out;
    }

    /** The criterion, or null after adding each problem to {@code problems}. */
    static Criterion parse(PropertyFilter f, String path, List<String> problems) {
        int before = problems.size();
        if (f == null) {
            problems.add(path + ": expected a filter object");
            return null;
        }
        String key = f.key();
        if (key == null || key.isEmpty()) {
            problems.add(path + ".key: required");
        }
        FilterOperator op = f.operator() == null ? FilterOperator.EXACT : FilterOperator.fromWire(f.operator()).orElse(null);
        if (op == null) {
            problems.add(path + ".operator: unknown operator '" + f.operator() + "'; expected one of " + FilterOperator.wireNames());
        }
        String type = f.type() != null ? f.type() : key != null && TraceKey.fromKey(key).isPresent() ? "trace" : "event";
        Subject subject = switch (type) {
            case "event" -> "event".equals(key) ? Subject.EVENT_NAME : Subject.PROPERTY;
            case "trace" -> Subject.TRACE;
            default -> {
                problems.add(path + ".type: unsupported type '" + type + "'; expected event or trace");
                yield null;
            }
        };
        TraceKey traceKey = null;
        if (subject == Subject.TRACE && key != null) {
            traceKey = TraceKey.fromKey(key).orElse(null);
            if (traceKey == null) {
                problems.add(path + ".key: unknown trace-level key '" + key + "'; expected one of " + TraceKey.keys());
            } else if (op != null && (op.positive() == FilterOperator.ICONTAINS || op.positive() == FilterOperator.REGEX)) {
                problems.add(path + ".operator: " + op.wire() + " does not apply to the number " + key
                        + "; use exact, is_not, gt, gte, lt, lte, is_set or is_not_set");
            }
        }
        if (problems.size() > before || op == null || subject == null) {
            return null;
        }
        if (!op.takesValue()) {
            return new Criterion(subject, key, traceKey, op, null, null, null, null, null);
        }

        List<JsonNode> values = values(f.value(), op, path, problems);
        if (problems.size() > before) {
            return null;
        }
        String at = path + ".value";
        return switch (op.positive()) {
            case EXACT -> {
                if (subject == Subject.TRACE) {
                    List<Double> numbers = new ArrayList<>();
                    for (JsonNode v : values) {
                        BigDecimal n = PropertyValues.number(v);
                        if (n == null) {
                            problems.add(at + ": " + key + " is a number, got " + v);
                        } else {
                            numbers.add(n.doubleValue());
                        }
                    }
                    yield problems.size() > before ? null
                            : new Criterion(subject, key, traceKey, op, null, null, null, null, List.copyOf(numbers));
                }
                yield new Criterion(subject, key, null, op, values.stream().map(PropertyValues::text).toList(),
                        null, null, null, null);
            }
            case ICONTAINS -> {
                String text = PropertyValues.text(values.get(0));
                if (text.isEmpty()) {
                    problems.add(at + ": empty; " + op.wire() + " needs some text to look for");
                    yield null;
                }
                yield new Criterion(subject, key, null, op, null, CaseFold.fold(text), null, null, null);
            }
            case REGEX -> {
                JsonNode v = values.get(0);
                if (!v.isTextual() || v.textValue().isEmpty()) {
                    problems.add(at + ": " + op.wire() + " needs a non-empty regex string, got " + v);
                    yield null;
                }
                try {
                    yield new Criterion(subject, key, null, op, null, null, SafeRegex.of(v.textValue()), null, null);
                } catch (SafeRegex.Refused e) {
                    problems.add(at + ": " + e.getMessage());
                    yield null;
                }
            }
            case GT, GTE, LT, LTE -> {
                BigDecimal n = PropertyValues.number(values.get(0));
                if (n == null) {
                    problems.add(at + ": " + op.wire() + " needs a number (or a numeric string), got " + values.get(0));
                    yield null;
                }
                yield subject == Subject.TRACE
                        ? new Criterion(subject, key, traceKey, op, null, null, null, null, List.of(n.doubleValue()))
                        : new Criterion(subject, key, null, op, null, null, null, n, null);
            }
            default -> throw new IllegalStateException("unhandled operator " + op);
        };
    }

    /** The scalar values of a filter: one, or the elements of a list for exact and is_not. */
    private static List<JsonNode> values(JsonNode value, FilterOperator op, String path, List<String> problems) {
        String at = path + ".value";
        if (value == null || value.isNull() || value.isMissingNode()) {
            problems.add(at + ": required for operator " + op.wire());
            return List.of();
        }
        if (value.isArray()) {
            if (!op.acceptsList()) {
                problems.add(at + ": " + op.wire() + " takes a single value, not a list");
                return List.of();
            }
            if (value.isEmpty()) {
                problems.add(at + ": empty list; give at least one value");
                return List.of();
            }
            List<JsonNode> out = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode v = value.get(i);
                if (scalar(v)) {
                    out.add(v);
                } else {
                    problems.add(at + "[" + i + "]: expected a string, number or boolean, got " + v);
                }
            }
            return out;
        }
        if (!scalar(value)) {
            problems.add(at + ": expected a string, number or boolean" + (op.acceptsList() ? " (or a list of them)" : "")
                    + ", got " + value);
            return List.of();
        }
        return List.of(value);
    }

    /** A value with a text: a string, a boolean or a finite number. */
    private static boolean scalar(JsonNode v) {
        return v.isTextual() || v.isBoolean() || (v.isNumber() && PropertyValues.canonical(v) != null);
    }
}
