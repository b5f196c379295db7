package dev.prism.format;

import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceAggregates;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceNode;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders an assembled trace as readable text for people and for the LLM analysis: a header with the trace's figures,
 * the trace's input, the span tree with one summary line per span, generation or embedding and its content beneath,
 * the trace's output, and the metrics and feedback left on the trace.
 *
 * <pre>
 * Trace "calmate_request" (id a6526438-…)
 * events: 10 | latency: 7.20 s | tokens: 1,249 in / 170 out | cost: $0 | errors: 0 | models: gpt-4.1-mini
 *
 * trace input:
 *   text: Find 45 minutes with Ana and Jordi…
 *
 * span tree:
 * └─ span "agent_loop" · 7.10 s
 *    ├─ span "step_1" · 1.90 s
 *    │  ├─ generation "llm" · gpt-4.1-mini (openai) · 1.15 s · 298 in / 49 out tokens
 *             input:
 *               [system] You are CalMate…
 * </pre>
 *
 * <p>Pure and safe on any input: rendering never throws, whatever is missing, null, mistyped or broken in the events;
 * an event that cannot be rendered says so in its place. Linear in the size of the trace: huge values are cut before
 * they are scanned, and nothing is re-rendered per level of nesting.
 */
public final class TraceFormatter {

    /**
     * @param lineNumbers prefix lines with {@code L001:}
     * @param maxLength   0 = unlimited, else the result's character budget
     */
    public record Options(boolean lineNumbers, int maxLength) {
        public static Options defaults() {
            return new Options(false, 0);
        }
    }

    /** Deeper levels of the tree are drawn at this indentation, with their depth written out. */
    private static final int MAX_DRAWN_DEPTH = 12;
    private static final int MAX_LISTED_USERS = 3;

    private final RenderContext ctx = new RenderContext();
    private final EventRenderer events = new EventRenderer(ctx);
    private final TextOut out;

    private TraceFormatter(int capacity) {
        out = new TextOut(new StringBuilder(capacity));
    }

    /** The trace as text. Never throws. */
    public static String format(AssembledTrace trace, Options options) {
        Options o = options == null ? Options.defaults() : options;
        String text;
        try {
            text = trace == null ? "Trace (none)\n" : new TraceFormatter(estimate(trace)).render(trace);
        } catch (RuntimeException | StackOverflowError e) {
            text = "Trace " + (trace == null ? "" : trace.traceId()) + "\n(could not be rendered: " + e.getClass().getSimpleName() + ")\n";
        }
        try {
            return TextBudget.apply(text, o.lineNumbers(), Math.max(0, o.maxLength()));
        } catch (RuntimeException e) {
            return o.maxLength() > 0 && text.length() > o.maxLength() ? text.substring(0, o.maxLength()) : text;
        }
    }

    private static int estimate(AssembledTrace trace) {
        List<TraceEvent> all = trace.events();
        return all == null ? 1024 : (int) Math.min(1 << 24, 1024L + 800L * all.size());
    }

    private String render(AssembledTrace trace) {
        header(trace);
        TraceEvent root = trace.root();
        if (root != null) {
            guarded(() -> {
                int before = out.length();
                out.blank();
                ErrorRenderer.write(out, root.properties());
                events.state(out, "trace input", EventProps.get(root.properties(), "$ai_input_state"), "user");
                if (out.length() == before + 1) {
                    out.buffer().setLength(before); // nothing to say: no blank line either
                }
            });
        }
        List<TraceNode> nodes = orEmpty(trace.nodes());
        if (!nodes.isEmpty()) {
            out.blank();
            out.line("span tree:");
            tree(nodes);
        }
        if (root != null) {
            guarded(() -> {
                int before = out.length();
                out.blank();
                events.state(out, "trace output", EventProps.get(root.properties(), "$ai_output_state"), "assistant");
                if (out.length() == before + 1) {
                    out.buffer().setLength(before); // no output: no blank line either
                }
            });
        }
        List<TraceEvent> annotations = orEmpty(trace.annotations());
        if (!annotations.isEmpty()) {
            out.blank();
            out.line("annotations:");
            String old = out.push("  ");
            for (TraceEvent a : annotations) {
                if (a != null) {
                    guarded(() -> events.annotation(out, a));
                }
            }
            out.indent(old);
        }
        return out.toString();
    }

    /** Name and id, then the aggregates, then who and when. */
    private void header(AssembledTrace trace) {
        String name = trace.name() != null && !trace.name().isBlank() ? trace.name()
                : trace.root() != null ? EventProps.text(trace.root().properties(), "$ai_span_name") : null;
        out.line("Trace " + (name == null ? "(unnamed)" : "\"" + EventRenderer.oneLine(name, 200) + "\"")
                + " (id " + (trace.traceId() == null ? "none" : EventRenderer.oneLine(trace.traceId(), 200)) + ")");
        List<TraceEvent> all = orEmpty(trace.events());
        TraceAggregates a = trace.aggregates();
        StringBuilder sb = new StringBuilder(160);
        if (a != null) {
            sb.append("events: ").append(Fmt.count(a.eventCount()))
                    .append(" | latency: ").append(a.latencySeconds() == null ? "unknown" : Fmt.seconds(a.latencySeconds()))
                    .append(" | tokens: ").append(Fmt.count(a.inputTokens())).append(" in / ").append(Fmt.count(a.outputTokens())).append(" out")
                    .append(" | cost: ").append(Fmt.usd(a.costUsd()))
                    .append(" | errors: ").append(a.errorCount());
            List<String> models = orEmpty(a.models());
            if (!models.isEmpty()) {
                sb.append(" | models: ");
                for (int i = 0; i < models.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(EventRenderer.oneLine(String.valueOf(models.get(i)), 120));
                }
            }
        } else {
            sb.append("events: ").append(Fmt.count(all.size()));
        }
        out.line(sb);
        Set<String> users = new LinkedHashSet<>();
        Instant start = null;
        for (TraceEvent e : all) {
            if (e == null) {
                continue;
            }
            if (e.distinctId() != null && !e.distinctId().isBlank()) {
                users.add(e.distinctId());
            }
            if (e.timestamp() != null && (start == null || e.timestamp().isBefore(start))) {
                start = e.timestamp();
            }
        }
        StringBuilder who = new StringBuilder();
        if (!users.isEmpty()) {
            if (users.size() <= MAX_LISTED_USERS) {
                who.append(users.size() == 1 ? "user: " : "users: ");
                int i = 0;
                for (String u : users) {
                    who.append(i++ == 0 ? "" : ", ").append(EventRenderer.oneLine(u, 120));
                }
            } else {
                who.append("users: ").append(Fmt.count(users.size()));
            }
        }
        if (start != null) {
            who.append(who.length() > 0 ? " | " : "").append("started: ").append(start);
        }
        String session = trace.root() != null ? EventProps.text(trace.root().properties(), "$ai_session_id") : null;
        if (session != null) {
            who.append(who.length() > 0 ? " | " : "").append("session: ").append(EventRenderer.oneLine(session, 120));
        }
        if (who.length() > 0) {
            out.line(who);
        }
    }

    /** A node waiting to be drawn, with the tree lines to its left. */
    private record Frame(TraceNode node, String prefix, boolean last, int depth) {
    }

    /** The span tree, drawn depth-first without recursion so no trace is too deep to render. */
    private void tree(List<TraceNode> tops) {
        Deque<Frame> stack = new ArrayDeque<>();
        pushChildren(stack, tops, "", 1);
        Set<TraceNode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!stack.isEmpty()) {
            Frame f = stack.pop();
            TraceNode node = f.node();
            if (!seen.add(node)) {
                continue; // a hand-made tree could share or loop nodes; each is drawn once
            }
            List<TraceNode> children = orEmpty(node.children());
            boolean drawn = f.depth() <= MAX_DRAWN_DEPTH;
            String childPrefix = drawn ? f.prefix() + (f.last() ? "   " : "│  ") : f.prefix();
            TraceEvent e = node.event();
            out.indent("");
            String summary = e == null ? "(no event)" : safeSummary(e);
            out.line(f.prefix() + (f.last() ? "└─ " : "├─ ") + summary + (drawn ? "" : " [depth " + f.depth() + "]"));
            if (e != null) {
                // Content lines are indented with spaces only: tree guides on every line would cost tokens, and a
                // line that strips to "ERROR …" or "[user] …" stays easy to pick out for readers and parsers.
                out.indent(spaces(childPrefix.length() + 3));
                guarded(() -> events.body(out, e));
            }
            out.indent("");
            pushChildren(stack, children, childPrefix, f.depth() + 1);
        }
    }

    private static final String[] SPACES = new String[3 * MAX_DRAWN_DEPTH + 8];

    private static String spaces(int n) {
        if (n >= SPACES.length) {
            return " ".repeat(n);
        }
        String s = SPACES[n];
        if (s == null) {
            s = " ".repeat(n);
            SPACES[n] = s; // a benign race: every thread computes the same string
        }
        return s;
    }

    private static void pushChildren(Deque<Frame> stack, List<TraceNode> children, String prefix, int depth) {
        for (int i = children.size() - 1; i >= 0; i--) {
            TraceNode c = children.get(i);
            if (c != null) {
                stack.push(new Frame(c, prefix, i == children.size() - 1, depth));
            }
        }
    }

    private String safeSummary(TraceEvent e) {
        try {
            return events.summary(e);
        } catch (RuntimeException | StackOverflowError ex) {
            return EventRenderer.kind(e.event()) + " (summary could not be rendered: " + ex.getClass().getSimpleName() + ")";
        }
    }

    /** Runs one event's rendering; a failure leaves a line saying so and the rest of the trace renders on. */
    private void guarded(Runnable r) {
        String indent = out.indent();
        try {
            r.run();
        } catch (RuntimeException | StackOverflowError e) {
            out.indent(indent);
            out.line("(this event could not be rendered: " + e.getClass().getSimpleName() + ")");
        }
        out.indent(indent);
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
