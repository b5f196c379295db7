package dev.prism.llm;

import dev.prism.bus.AssembledTrace;
import dev.prism.common.CallCounts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Why a trace was slow or expensive, read from its events: many failed calls tried again, the same tool or model
 * called over and over, one slow tool, slow generations, a huge prompt, or plain spending. The cause never names the
 * model (a slow gpt-4.1-mini and a slow gemini-1.5-flash are one problem); {@link #facts()} gives the specifics for
 * the summary. Pure.
 */
public final class PerformanceCause {

    public static final String MANY_RETRIES = "Many retries";
    public static final String LOOP = "Repeated calls in a loop";
    public static final String SLOW_TOOL = "Slow tool call";
    public static final String SLOW_GENERATION = "Slow generation over 30 s";
    public static final String SLOW_GENERATION_20 = "Slow generation over 20 s";
    /** Slow, but neither its generations nor its tools took the time: it went to untraced work or waiting. */
    public static final String SLOW_ELSEWHERE = "Slow trace outside model and tool calls";
    public static final String LARGE_CONTEXT = "Very large prompt context";
    public static final String EXPENSIVE = "Expensive trace";

    /** Failed calls tried again before a trace counts as retrying too much. */
    static final int RETRIES = 2;
    /** Input tokens of one generation (or of the whole trace) that make a very large prompt. */
    static final long LARGE_PROMPT_TOKENS = 60_000;
    static final long LARGE_TRACE_INPUT_TOKENS = 100_000;
    /** A tool this slow, or one that took most of a slow trace, is the reason it was slow. */
    static final double SLOW_TOOL_SECONDS = 15;

    /** @param title the cause; @param facts the specifics, in words, for the summary */
    public record Verdict(String title, List<String> facts) {
    }

    private PerformanceCause() {
    }

    /**
     * The cause of a slow or expensive trace, the most telling first: retries and loops explain both time and money;
     * then a slow tool; then slow generations (a huge prompt makes a generation slow, so it is named first when there is
     * one); for a trace that is only expensive, a huge prompt or the spending itself.
     *
     * @param slow      whether the trace counts as slow ({@link TraceSignals#slow()})
     * @param latency   the trace's seconds
     * @param costUsd   its cost
     * @param tokens    its input plus output tokens
     * @param inputTokens its input tokens
     */
    /**
     * An agent going round in circles (see {@link CallCounts#looping()}): a performance problem even when each call is
     * quick and cheap.
     */
    static boolean looping(AssembledTrace trace) {
        return CallCounts.of(trace).looping();
    }

    static Verdict of(AssembledTrace trace, boolean slow, double latency, double costUsd, long tokens, long inputTokens) {
        CallCounts c = CallCounts.of(trace);
        List<String> facts = new ArrayList<>();
        String title;
        Map.Entry<String, Integer> tool = c.mostCalledTool();
        Map.Entry<String, Integer> model = c.mostCalledModel();
        boolean largePrompt = c.largestPromptTokens() >= LARGE_PROMPT_TOKENS || inputTokens >= LARGE_TRACE_INPUT_TOKENS;
        if (c.retried() >= RETRIES) {
            title = MANY_RETRIES;
            facts.add(String.format(Locale.ROOT, "%d calls were retries after failures (last: %s)", c.retried(), c.retriedWhat()));
        } else if (tool != null && tool.getValue() >= CallCounts.TOOL_LOOP_CALLS) {
            title = LOOP;
            facts.add(String.format(Locale.ROOT, "the tool %s was called %d times", tool.getKey(), tool.getValue()));
        } else if (model != null && model.getValue() >= CallCounts.MODEL_LOOP_CALLS) {
            title = LOOP;
            facts.add(String.format(Locale.ROOT, "%s was called %d times", model.getKey(), model.getValue()));
        } else if (slow && c.slowestTool() != null
                && (c.slowestToolSeconds() >= SLOW_TOOL_SECONDS && c.slowestToolSeconds() >= c.slowestGenerationSeconds()
                || latency > 0 && c.slowestToolSeconds() >= latency / 2 && c.slowestToolSeconds() > c.generationSeconds())) {
            title = SLOW_TOOL;
            facts.add(String.format(Locale.ROOT, "the tool %s took %.1f s", c.slowestTool(), c.slowestToolSeconds()));
        } else if (largePrompt && (c.largestPromptTokens() >= LARGE_PROMPT_TOKENS || !slow)) {
            title = LARGE_CONTEXT;
            facts.add(c.largestPromptTokens() >= LARGE_PROMPT_TOKENS
                    ? String.format(Locale.ROOT, "one prompt to %s held %,d input tokens", c.largestPromptModel(), c.largestPromptTokens())
                    : String.format(Locale.ROOT, "its prompts held %,d input tokens", inputTokens));
        } else if (slow) {
            double generating = Math.max(c.slowestGenerationSeconds(), c.generationSeconds());
            title = generating >= 30 || generating >= latency / 2 && latency >= 30 ? SLOW_GENERATION
                    : c.slowestGenerationSeconds() >= 20 ? SLOW_GENERATION_20 : SLOW_ELSEWHERE;
            if (c.slowestModel() != null) {
                facts.add(String.format(Locale.ROOT, "its slowest generation took %.1f s on %s", c.slowestGenerationSeconds(), c.slowestModel()));
            }
            if (c.modelCalls().values().stream().mapToInt(Integer::intValue).sum() > 1) {
                facts.add(String.format(Locale.ROOT, "its generations took %.1f s in all", c.generationSeconds()));
            }
        } else {
            title = EXPENSIVE;
        }
        if (latency > 0) {
            facts.add(String.format(Locale.ROOT, "the trace took %.1f s", latency));
        }
        if (costUsd >= 0.01) {
            facts.add(String.format(Locale.ROOT, "it cost $%.2f", costUsd));
        }
        if (tokens >= 10_000) {
            facts.add(String.format(Locale.ROOT, "it used %,d tokens", tokens));
        }
        if (!title.equals(LOOP) && !title.equals(MANY_RETRIES)) {
            int calls = c.toolCalls().values().stream().mapToInt(Integer::intValue).sum() + c.modelCalls().values().stream().mapToInt(Integer::intValue).sum();
            if (calls > 1) {
                facts.add(calls + " calls in all");
            }
        }
        return new Verdict(title, facts);
    }
}
