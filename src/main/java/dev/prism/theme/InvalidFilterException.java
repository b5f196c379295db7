package dev.prism.theme;

import java.util.List;

/** Filters that cannot be applied, with every problem prefixed by the field it concerns. */
public final class InvalidFilterException extends IllegalArgumentException {

    private final List<String> problems;

    public InvalidFilterException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
