package dev.prism.theme;

import java.util.Arrays;
import java.util.Optional;

/**
 * PostHog's property-filter operators. Each negative operator is the exact complement of a positive one on the same
 * event (PostHog's {@code ifNull(not(...), 1)}): {@code is_not} holds for an event whose property is absent, null or
 * different, never "absent means the filter does not apply". Keeping that one rule is what lets the SQL and the
 * in-memory evaluator share every other definition.
 */
public enum FilterOperator {
    EXACT("exact"),
    IS_NOT("is_not"),
    ICONTAINS("icontains"),
    NOT_ICONTAINS("not_icontains"),
    REGEX("regex"),
    NOT_REGEX("not_regex"),
    GT("gt"),
    GTE("gte"),
    LT("lt"),
    LTE("lte"),
    IS_SET("is_set"),
    IS_NOT_SET("is_not_set");

    private final String wire;

    FilterOperator(String wire) {
        this.wire = wire;
    }

    /** The name in filter JSON, e.g. {@code not_icontains}. */
    public String wire() {
        return wire;
    }

    public static Optional<FilterOperator> fromWire(String name) {
        return Arrays.stream(values()).filter(o -> o.wire.equals(name)).findFirst();
    }

    public boolean negative() {
        return this == IS_NOT || this == NOT_ICONTAINS || this == NOT_REGEX || this == IS_NOT_SET;
    }

    /** The operator this one negates, or itself when it is positive. */
    public FilterOperator positive() {
        return switch (this) {
            case IS_NOT -> EXACT;
            case NOT_ICONTAINS -> ICONTAINS;
            case NOT_REGEX -> REGEX;
            case IS_NOT_SET -> IS_SET;
            default -> this;
        };
    }

    public boolean numeric() {
        return this == GT || this == GTE || this == LT || this == LTE;
    }

    /** is_set and is_not_set ignore their value (PostHog sends {@code "is_set"} there). */
    public boolean takesValue() {
        return positive() != IS_SET;
    }

    /** Only exact and is_not accept a list (any of / none of). */
    public boolean acceptsList() {
        return positive() == EXACT;
    }

    static String wireNames() {
        return String.join(", ", Arrays.stream(values()).map(FilterOperator::wire).toList());
    }
}
