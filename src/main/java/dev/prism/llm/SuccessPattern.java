package dev.prism.llm;

/**
 * How a trace that went well succeeded, decided from its structure alone so that the same kind of success gets the same
 * title whatever the task, domain, SDK or language: the task belongs in the summary, the pattern in the title and in
 * the text clustering embeds. Pure.
 */
enum SuccessPattern {

    RECOVERED("Recovered after a failed call",
            "The assistant recovered from a failed model or tool call and still answered the user."),
    CLARIFIED("Resolved after a clarifying question",
            "The assistant asked the user a clarifying question, then answered the request."),
    WITH_TOOLS("Resolved with tool calls",
            "The assistant called tools to look up or act on data, then answered the request."),
    DIRECT("Answered directly in one turn",
            "The assistant answered the request directly in one reply, from its own knowledge.");

    /** What a person reads: a short noun phrase naming the pattern. */
    final String title;
    /** The canonical text clustering embeds: one vector per pattern, so clusters follow the pattern, not the task. */
    final String canonical;

    SuccessPattern(String title, String canonical) {
        this.title = title;
        this.canonical = canonical;
    }

    /**
     * The first that applies: a recovery outweighs everything (the failure is what a reader wants to see handled), a
     * clarifying exchange outweighs the tools it may have led to, and tools outweigh a plain answer.
     */
    static SuccessPattern of(TraceSignals s) {
        if (s.recovered()) {
            return RECOVERED;
        }
        if (s.clarified()) {
            return CLARIFIED;
        }
        if (s.toolCalls() > 0) {
            return WITH_TOOLS;
        }
        return DIRECT;
    }
}
