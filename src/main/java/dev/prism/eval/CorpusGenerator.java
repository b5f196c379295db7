package dev.prism.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.prism.eval.PhraseBank.Domain;
import dev.prism.eval.PhraseBank.ErrorVariant;
import dev.prism.eval.PhraseBank.Phrase;
import dev.prism.eval.PhraseBank.Task;
import dev.prism.eval.Script.AssistantText;
import dev.prism.eval.Script.Message;
import dev.prism.eval.Script.ModelCall;
import dev.prism.eval.Script.Step;
import dev.prism.eval.Script.ToolCall;
import dev.prism.eval.Script.ToolResult;
import dev.prism.eval.Script.ToolRun;
import dev.prism.eval.Script.UserText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Generates the labelled evaluation corpus: PostHog {@code $ai_*} events of traces from several app domains and every
 * SDK shape, each trace built around one labelled situation (an error cause, a performance problem, a feature request,
 * a UX complaint, a success, or a look-alike that must not be labelled). A corpus uses only its {@link Split}'s
 * phrasings and error variants, and is the same for the same split, seed and size.
 *
 * <p>Labelling rules for the look-alikes ({@code noise.json} describes each): a negated capability is no feature
 * request; a question about an error message with nothing failing is no error; a request the app fulfils is no feature
 * request; thanks in a failed trace is no success; an error a retry recovered is an error and a success, never UX
 * friction. A trace whose request ends fulfilled, without error, performance or UX problem, is a success
 * ({@code one_shot_answer} without tools, {@code resolved_with_tools} with). Timeouts fire at client deadlines of 4 to
 * 8 s and are tried at most twice, so a timeout trace never lasts the 30 s that would make it read as slow; a call that failed for its context size costs nothing, so it is not an expensive
 * trace.
 *
 * <p>Real traffic mixes causes, so a share of the traces ({@link #MIXES}, about one in six) is built around two
 * situations at once and labelled for every theme it belongs to: a UX complaint whose reply failed (recovered by a
 * retry or not), frustration after an error a retry recovered, a feature request in a trace with a failed or a slow
 * call, a complaint in a slow trace. A trace with a complaint or a missing capability is no success, whatever a retry
 * recovered. Mixed failures are model calls of causes that fail fast (no timeouts), so a mixed trace is slow only when
 * it is labelled slow.
 */
public final class CorpusGenerator {

    public static final String NONE = "none";

    /** One trace with its true category per theme ({@link #NONE} when the theme should find nothing). */
    public record LabelledTrace(String traceId, String situation, Map<String, String> labels, List<String> phraseIds,
                                List<ObjectNode> events) {
    }

    public record Corpus(Split split, long seed, List<LabelledTrace> traces) {
    }

    /** What a trace is built around: a theme's category, or a look-alike. */
    record Situation(String kind, String category) {
        String name() {
            return kind + ":" + category;
        }
    }

    private static final List<String> RETRYABLE = List.of("rate_limit", "timeout", "provider_server_error");

    /**
     * The mixed situations: {@code ux_failed_reply} (the reply to a complaint fails and nothing answers),
     * {@code ux_retried_reply} (it fails, a retry answers), {@code ux_after_recovered_error} (the first answer needed a
     * retry, then the user complains), {@code feature_with_error} (a failed call, recovered or not, then a request for a
     * missing capability), {@code feature_when_slow} and {@code ux_when_slow} (one answer took 30 s or more).
     */
    static final List<String> MIXES = List.of("ux_failed_reply", "ux_retried_reply", "ux_after_recovered_error", "feature_with_error",
            "feature_when_slow", "ux_when_slow");
    /** Causes a mixed trace fails with: model calls that fail fast, the first two recoverable by a retry. */
    private static final List<String> MIX_RECOVERABLE = List.of("rate_limit", "provider_server_error");
    private static final List<String> MIX_CAUSES = List.of("rate_limit", "provider_server_error", "context_window_exceeded", "expired_credentials");
    private static final List<String> PARSERS = List.of("JsonOutputParser", "PydanticOutputParser", "parse_structured_output",
            "generateObject", "StructuredOutputParser");
    private static final Instant EPOCH = Instant.parse("2026-11-02T08:00:00Z");

    private final PhraseBank bank;

    public CorpusGenerator(PhraseBank bank) {
        this.bank = bank;
    }

    /** Every situation the corpus cycles through, in a fixed order. */
    List<Situation> situations() {
        List<Situation> out = new ArrayList<>();
        bank.categories("error_analysis").forEach(c -> out.add(new Situation("error", c.id())));
        out.add(new Situation("success", "recovered_after_retry"));
        bank.categories("performance_issues").forEach(c -> out.add(new Situation("performance", c.id())));
        bank.categories("feature_requests").forEach(c -> out.add(new Situation("feature", c.id())));
        bank.categories("ux_issues").forEach(c -> out.add(new Situation("ux", c.id())));
        out.add(new Situation("success", "one_shot_answer"));
        out.add(new Situation("success", "resolved_with_tools"));
        bank.categories(PhraseBank.NOISE).forEach(c -> out.add(new Situation("noise", c.id())));
        MIXES.forEach(m -> out.add(new Situation("mix", m)));
        return out;
    }

    public Corpus generate(Split split, long seed, int traces) {
        if (traces < 1) {
            throw new IllegalArgumentException("A corpus needs at least one trace, not " + traces);
        }
        Random random = new Random(seed);
        Run run = new Run(split, random);
        List<Situation> order = new ArrayList<>();
        List<Situation> all = situations();
        for (int i = 0; i < traces; i++) {
            order.add(all.get(i % all.size()));
        }
        Collections.shuffle(order, random);
        List<LabelledTrace> out = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            out.add(run.trace(order.get(i), EPOCH.plusSeconds(i * 45L + random.nextInt(30))));
        }
        return new Corpus(split, seed, List.copyOf(out));
    }

    /** Draws from a list in a shuffled cycle, so a corpus uses every item of a pool before repeating one. */
    private static final class Cycle<T> {
        private final List<T> items;
        private final Random random;
        private int next;

        Cycle(List<T> items, Random random) {
            if (items.isEmpty()) {
                throw new IllegalStateException("Nothing to draw from");
            }
            this.items = new ArrayList<>(items);
            this.random = random;
            Collections.shuffle(this.items, random);
        }

        T next() {
            if (next == items.size()) {
                Collections.shuffle(items, random);
                next = 0;
            }
            return items.get(next++);
        }
    }

    /** One corpus being generated: its split's pools and the random stream everything is drawn from. */
    private final class Run {
        private final Split split;
        private final Random random;
        private final Map<String, Cycle<Phrase>> phrases = new HashMap<>();
        private final Map<String, Cycle<ErrorVariant>> variants = new HashMap<>();
        private final Cycle<Domain> domains;
        private final Cycle<ProviderShape> shapes;
        private final Cycle<String> mixedFeatures;
        private final Cycle<String> mixedFriction;
        private List<String> used;

        Run(Split split, Random random) {
            this.split = split;
            this.random = random;
            this.domains = new Cycle<>(bank.domains(), random);
            this.shapes = new Cycle<>(List.of(ProviderShape.values()), random);
            this.mixedFeatures = new Cycle<>(bank.categories("feature_requests").stream().map(PhraseBank.Category::id).toList(), random);
            this.mixedFriction = new Cycle<>(bank.categories("ux_issues").stream().map(PhraseBank.Category::id).toList(), random);
        }

        Phrase phrase(String theme, String category) {
            Phrase p = phrases.computeIfAbsent(theme + "/" + category, k -> new Cycle<>(
                    bank.category(theme, category).phrasings().stream().filter(x -> x.split() == split).toList(), random)).next();
            used.add(p.id());
            return p;
        }

        String line(String pool) {
            Phrase p = phrases.computeIfAbsent(pool, k -> new Cycle<>(
                    bank.pool(pool).stream().filter(x -> x.split() == split).toList(), random)).next();
            used.add(p.id());
            return p.text();
        }

        ErrorVariant variant(String cause) {
            ErrorVariant v = variants.computeIfAbsent(cause, k -> new Cycle<>(
                    bank.category("error_analysis", cause).variants().stream().filter(x -> x.split() == split).toList(), random)).next();
            used.add(v.id());
            return v;
        }

        /** A variant of the cause whose failure is a model call, for mixed traces. */
        ErrorVariant generationVariant(String cause) {
            ErrorVariant v = variants.computeIfAbsent("generation/" + cause, k -> new Cycle<>(
                    bank.category("error_analysis", cause).variants().stream()
                            .filter(x -> x.split() == split && x.stage().equals("generation")).toList(), random)).next();
            used.add(v.id());
            return v;
        }

        LabelledTrace trace(Situation situation, Instant start) {
            used = new ArrayList<>();
            Map<String, String> labels = new LinkedHashMap<>();
            PhraseBank.THEMES.forEach(t -> labels.put(t, NONE));
            Domain domain = domains.next();
            Task task = domain.tasks().get(random.nextInt(domain.tasks().size()));
            String traceId = ProviderShape.uuid(random);
            String distinctId = domain.user_prefix() + "_" + (100 + random.nextInt(9900));

            ErrorVariant variant = null;
            String cause = null;
            if (situation.kind().equals("error") || situation.category().equals("recovered_after_retry")
                    || situation.category().equals("thanks_anyway")) {
                cause = situation.kind().equals("error") ? situation.category()
                        : situation.category().equals("recovered_after_retry") ? RETRYABLE.get(random.nextInt(RETRYABLE.size()))
                        : bank.categories("error_analysis").get(random.nextInt(bank.categories("error_analysis").size())).id();
                variant = variant(cause);
                labels.put("error_analysis", cause);
            }
            boolean mix = situation.kind().equals("mix");
            boolean mixRecovered = mix && (situation.category().equals("ux_retried_reply") || situation.category().equals("ux_after_recovered_error")
                    || situation.category().equals("feature_with_error") && random.nextBoolean());
            if (mix && List.of("ux_failed_reply", "ux_retried_reply", "ux_after_recovered_error", "feature_with_error").contains(situation.category())) {
                List<String> causes = mixRecovered ? MIX_RECOVERABLE : MIX_CAUSES;
                cause = causes.get(random.nextInt(causes.size()));
                variant = generationVariant(cause);
                labels.put("error_analysis", cause);
            }
            Backend backend;
            ProviderShape shape;
            if (variant != null) {
                backend = Backend.forProvider(variant.provider(), random);
                Backend chosen = backend;
                List<ProviderShape> carriers = List.of(ProviderShape.values()).stream().filter(s -> s.carries(chosen)).toList();
                shape = carriers.get(random.nextInt(carriers.size()));
            } else {
                shape = shapes.next();
                List<Backend> carried = List.of(Backend.values()).stream().filter(shape::carries).toList();
                backend = carried.get(random.nextInt(carried.size()));
            }
            boolean expensive = situation.category().equals("expensive_trace");
            Backend.Model model = expensive ? backend.priciest() : backend.everyday(random);
            Conversation c = new Conversation(domain.system(), model, random);

            switch (situation.kind()) {
                case "error" -> failure(c, domain, task, variant, false, false);
                case "performance" -> performance(c, domain, task, situation.category());
                case "feature" -> feature(c, domain, task, situation.category(), random.nextBoolean());
                case "ux" -> ux(c, domain, task, situation.category(), null);
                case "success" -> {
                    switch (situation.category()) {
                        case "recovered_after_retry" -> failure(c, domain, task, variant, true, false);
                        case "one_shot_answer" -> {
                            c.user(task.ask());
                            c.answer(task.answer());
                            maybeThanks(c);
                        }
                        default -> {
                            c.user(task.ask());
                            c.useTool(domain.tool(), task.args().toString(), task.result().toString());
                            c.answer(task.answer());
                            maybeThanks(c);
                        }
                    }
                }
                case "noise" -> noise(c, domain, task, situation.category(), variant);
                case "mix" -> mixed(c, domain, task, situation.category(), variant, mixRecovered, labels);
                default -> throw new IllegalStateException("Unknown situation " + situation);
            }
            switch (situation.kind()) {
                case "performance" -> labels.put("performance_issues", situation.category());
                case "feature" -> labels.put("feature_requests", situation.category());
                case "ux" -> labels.put("ux_issues", situation.category());
                case "success" -> labels.put("success_patterns", situation.category());
                default -> {
                }
            }
            if (situation.kind().equals("noise")) {
                switch (situation.category()) {
                    case "negation", "quoted_error" -> labels.put("success_patterns", "one_shot_answer");
                    case "fulfilled_task" -> labels.put("success_patterns", "resolved_with_tools");
                    default -> {
                    }
                }
            }
            List<ObjectNode> events = shape.events(c.script(),
                    new ProviderShape.Context(traceId, distinctId, start, backend, model.name(), random));
            return new LabelledTrace(traceId, situation.name() + "/" + shape.name().toLowerCase() + "/" + domain.id(),
                    Collections.unmodifiableMap(labels), List.copyOf(used), List.copyOf(events));
        }

        /** A mixed trace: a complaint or a request together with a failed or a slow call; labels every theme it belongs to. */
        private void mixed(Conversation c, Domain domain, Task task, String mix, ErrorVariant variant, boolean recovered,
                           Map<String, String> labels) {
            switch (mix) {
                case "ux_failed_reply", "ux_retried_reply" -> {
                    String category = mixedFriction.next();
                    // The app shows nothing after a failed reply: no later call would carry a canned message.
                    ux(c, domain, task, category, failing(variant, recovered, null));
                    labels.put("ux_issues", category);
                }
                case "ux_after_recovered_error" -> {
                    String category = mixedFriction.next();
                    c.disruptNextAnswer(failing(variant, true, null));
                    ux(c, domain, task, category, null);
                    labels.put("ux_issues", category);
                }
                case "feature_with_error" -> {
                    String category = mixedFeatures.next();
                    c.disruptNextAnswer(failing(variant, recovered, recovered ? null : line("error_fallback")));
                    feature(c, domain, task, category, true);
                    labels.put("feature_requests", category);
                }
                case "feature_when_slow" -> {
                    String category = mixedFeatures.next();
                    c.disruptNextAnswer(Disruption.slow(30 + random.nextDouble() * 90));
                    feature(c, domain, task, category, random.nextBoolean());
                    labels.put("feature_requests", category);
                    labels.put("performance_issues", "slow_generation");
                }
                case "ux_when_slow" -> {
                    String category = mixedFriction.next();
                    c.disruptNextAnswer(Disruption.slow(30 + random.nextDouble() * 90));
                    ux(c, domain, task, category, null);
                    labels.put("ux_issues", category);
                    labels.put("performance_issues", "slow_generation");
                }
                default -> throw new IllegalStateException("Unknown mix " + mix);
            }
        }

        /** One to two failed calls of the variant before an answer; a retry then answers, or the app shows {@code fallback} (or nothing). */
        private Disruption failing(ErrorVariant variant, boolean recovered, String fallback) {
            return new Disruption(0, 1 + random.nextInt(2), variant.status(), variant.error(), recovered, fallback);
        }

        private void maybeThanks(Conversation c) {
            if (random.nextDouble() < 0.6) {
                c.user(line("thanks"));
                c.answer(line("welcome"));
            }
        }

        /** An error trace; {@code recovered}: retries of a retryable cause end in the answer. */
        private void failure(Conversation c, Domain domain, Task task, ErrorVariant variant, boolean recovered, boolean thanksAnyway) {
            if (random.nextDouble() < 0.3) {
                Task earlier = domain.tasks().get(random.nextInt(domain.tasks().size()));
                c.user(earlier.ask());
                c.answer(earlier.answer());
            }
            c.user(task.ask());
            String cause = variant.id().substring(0, variant.id().lastIndexOf('-'));
            boolean timeout = cause.equals("timeout");
            switch (variant.stage()) {
                case "generation" -> {
                    int failures = RETRYABLE.contains(cause) ? 1 + random.nextInt(recovered ? 2 : 3) : 1;
                    if (timeout) {
                        failures = Math.min(failures, 2); // so the whole trace stays under 30 s: a failure, not a slow trace
                    }
                    for (int i = 0; i < failures; i++) {
                        c.fail(variant.status(), variant.error(), timeout ? 4 + random.nextDouble() * 4 : 0.2 + random.nextDouble() * 1.5);
                    }
                }
                case "tool" -> {
                    String args = variant.args() != null ? variant.args() : task.args().toString();
                    c.failTool(domain.tool(), args, variant.error(), timeout ? 4 + random.nextDouble() * 4 : 0.05 + random.nextDouble() * 0.8);
                    if (recovered) {
                        c.useTool(domain.tool(), task.args().toString(), task.result().toString());
                    }
                }
                case "parse" -> c.failParse(variant.output(), PARSERS.get(random.nextInt(PARSERS.size())), variant.error());
                default -> throw new IllegalStateException("Unknown stage '" + variant.stage() + "' of " + variant.id());
            }
            if (recovered) {
                c.answer(task.answer());
                maybeThanks(c);
            } else if (variant.stage().equals("tool")) {
                c.answer(line("error_fallback")); // the agent reports the failed tool run to the user
                if (thanksAnyway) {
                    c.user(phrase(PhraseBank.NOISE, "thanks_anyway").text());
                    c.answer(line("welcome"));
                }
            } else if (thanksAnyway) {
                c.assistantSaid(line("error_fallback")); // the app's canned message, not a model call
                c.user(phrase(PhraseBank.NOISE, "thanks_anyway").text());
                c.answer(line("welcome"));
            }
        }

        private void performance(Conversation c, Domain domain, Task task, String category) {
            c.user(task.ask());
            switch (category) {
                case "slow_generation" -> {
                    if (random.nextBoolean()) {
                        c.useTool(domain.tool(), task.args().toString(), task.result().toString());
                    }
                    c.answerSlowly(task.answer(), 30 + random.nextDouble() * 120);
                }
                case "expensive_trace" -> {
                    if (random.nextBoolean()) {
                        c.useTool(domain.tool(), task.args().toString(), task.result().toString());
                    }
                    c.answerCosting(task.answer(), 0.55 + random.nextDouble() * 3.0);
                }
                case "agent_loop" -> {
                    int repeats = 6 + random.nextInt(9);
                    for (int i = 0; i < repeats; i++) {
                        c.useTool(domain.tool(), task.args().toString(), task.result().toString());
                    }
                    c.answer(random.nextBoolean() ? task.answer() : line("error_fallback"));
                }
                default -> throw new IllegalStateException("Unknown performance category " + category);
            }
        }

        /** {@code withTask}: the user asks an ordinary task first. */
        private void feature(Conversation c, Domain domain, Task task, String category, boolean withTask) {
            Phrase request = phrase("feature_requests", category);
            if (withTask) {
                c.user(task.ask());
                if (random.nextBoolean()) {
                    c.useTool(domain.tool(), task.args().toString(), task.result().toString());
                }
                c.answer(task.answer());
            }
            c.user(request.text());
            c.answer(line("cannot_do"));
        }

        /** {@code onReply}: what happens to the assistant's reply to the complaint (null: it simply answers). */
        private void ux(Conversation c, Domain domain, Task task, String category, Disruption onReply) {
            Phrase complaint = phrase("ux_issues", category);
            switch (category) {
                case "ignored_constraint" -> {
                    c.user(task.ask() + " " + complaint.constraint());
                    c.answer(verbose(task.answer(), 2));
                    c.user(complaint.text());
                    c.disruptNextAnswer(onReply);
                    c.answer(() -> line("apology") + " " + task.answer());
                }
                case "repeated_wrong_answer" -> {
                    String wrong = otherTask(domain, task).answer();
                    c.user(task.ask());
                    c.answer(wrong);
                    c.user(phrase("ux_issues", category).text());
                    c.answer(line("apology") + " " + wrong);
                    c.user(complaint.text());
                    c.disruptNextAnswer(onReply);
                    c.answer(() -> random.nextBoolean() ? line("apology") + " " + wrong : line("apology") + " " + task.answer());
                }
                case "lost_context" -> {
                    c.user(task.ask());
                    if (random.nextBoolean()) {
                        c.useTool(domain.tool(), task.args().toString(), task.result().toString());
                        c.answer(task.answer());
                        c.user(otherTask(domain, task).ask());
                    }
                    c.answer(line("reask"));
                    c.user(complaint.text());
                    c.disruptNextAnswer(onReply);
                    c.answer(() -> line("apology") + " " + task.answer());
                }
                case "too_verbose" -> {
                    c.user(task.ask());
                    c.answer(verbose(task.answer(), 5 + random.nextInt(4)));
                    c.user(complaint.text());
                    c.disruptNextAnswer(onReply);
                    c.answer(() -> task.answer());
                }
                case "unnecessary_refusal" -> {
                    c.user(task.ask());
                    c.answer(line("refusal"));
                    c.user(complaint.text());
                    c.disruptNextAnswer(onReply);
                    c.answer(() -> random.nextBoolean() ? line("refusal") : line("apology") + " " + task.answer());
                }
                default -> throw new IllegalStateException("Unknown UX category " + category);
            }
        }

        private void noise(Conversation c, Domain domain, Task task, String category, ErrorVariant variant) {
            switch (category) {
                case "negation" -> {
                    c.user(phrase(PhraseBank.NOISE, category).text() + " " + task.ask());
                    c.answer(task.answer());
                }
                case "quoted_error" -> {
                    Phrase question = phrase(PhraseBank.NOISE, category);
                    c.user(question.text());
                    c.answer(question.answer());
                }
                case "fulfilled_task" -> {
                    c.user(task.ask());
                    c.answer(task.answer());
                    Phrase request = phrase(PhraseBank.NOISE, category);
                    c.user(request.text());
                    String link = "https://app." + domain.id() + ".example/s/" + Integer.toString(100000 + random.nextInt(900000), 36);
                    c.useTool("app_action", "{\"request\": " + TextNode.valueOf(request.text()) + "}",
                            "{\"status\": \"done\", \"link\": \"" + link + "\"}");
                    c.answer(line("fulfil_ack").replace("{link}", link));
                }
                case "thanks_anyway" -> failure(c, domain, task, variant, false, true);
                default -> throw new IllegalStateException("Unknown noise category " + category);
            }
        }

        private Task otherTask(Domain domain, Task task) {
            List<Task> others = domain.tasks().stream().filter(t -> t != task).toList();
            return others.get(random.nextInt(others.size()));
        }

        /** The answer drowned in filler: bulleted, long, the opposite of a constraint on length or format. */
        private String verbose(String answer, int paragraphs) {
            StringBuilder out = new StringBuilder(line("verbose_filler"));
            out.append("\n\n- ").append(answer);
            for (int i = 1; i < paragraphs; i++) {
                out.append("\n\n- ").append(line("verbose_filler"));
            }
            return out.toString();
        }
    }

    /**
     * What happens to one answer of a mixed trace: it takes {@code slowSeconds} (when positive), or {@code failures}
     * calls fail first and then a retry answers ({@code recovered}) or the app shows {@code fallback} without a model
     * call (or nothing, when null).
     */
    record Disruption(double slowSeconds, int failures, Integer status, String error, boolean recovered, String fallback) {
        static Disruption slow(double seconds) {
            return new Disruption(seconds, 0, null, null, true, null);
        }
    }

    /** Builds a {@link Script} turn by turn, keeping the history each model call is sent and its figures. */
    private static final class Conversation {
        private final String system;
        private final Backend.Model model;
        private final Random random;
        private final List<Message> history = new ArrayList<>();
        private final List<Step> steps = new ArrayList<>();
        private int callIds;
        private Disruption nextAnswer;

        Conversation(String system, Backend.Model model, Random random) {
            this.system = system;
            this.model = model;
            this.random = random;
        }

        void user(String text) {
            history.add(new UserText(text));
        }

        /** A message the app showed without a model call (a canned error reply), which later calls still see. */
        void assistantSaid(String text) {
            history.add(new AssistantText(text));
        }

        /** The next {@link #answer} is disrupted so (null: none). */
        void disruptNextAnswer(Disruption disruption) {
            nextAnswer = disruption;
        }

        void answer(String text) {
            answer(() -> text);
        }

        /** An answer whose words are drawn only if it is given, so a reply that failed uses no phrasing it never showed. */
        void answer(java.util.function.Supplier<String> text) {
            Disruption d = nextAnswer;
            nextAnswer = null;
            if (d != null && d.slowSeconds() > 0) {
                answerSlowly(text.get(), d.slowSeconds());
                return;
            }
            if (d != null) {
                for (int i = 0; i < d.failures(); i++) {
                    fail(d.status(), d.error(), 0.2 + random.nextDouble() * 1.5);
                }
                if (!d.recovered()) {
                    if (d.fallback() != null) {
                        assistantSaid(d.fallback());
                    }
                    return;
                }
            }
            call(new AssistantText(text.get()), 0.6 + random.nextDouble() * 3.9, tokens -> tokens);
        }

        void answerSlowly(String text, double seconds) {
            call(new AssistantText(text), Math.round(seconds * 100) / 100.0, tokens -> tokens);
        }

        /** An answer whose context is so large that the call costs {@code usd}: a long history or attachment sent along. */
        void answerCosting(String text, double usd) {
            long output = text.length() / 4 + 5;
            long input = (long) Math.ceil((usd - output * model.outputPerMillion() / 1e6) / model.inputPerMillion() * 1e6);
            call(new AssistantText(text), 2 + random.nextDouble() * 12, tokens -> input);
        }

        void useTool(String tool, String args, String result) {
            ToolCall toolCall = new ToolCall(callId(), tool, args);
            call(toolCall, 0.5 + random.nextDouble() * 1.5, tokens -> tokens);
            steps.add(new ToolRun(tool, args, result, round(0.05 + random.nextDouble() * 0.9), null));
            history.add(new ToolResult(toolCall.id(), tool, result));
        }

        void failTool(String tool, String args, String error, double seconds) {
            ToolCall toolCall = new ToolCall(callId(), tool, args);
            call(toolCall, 0.5 + random.nextDouble() * 1.5, tokens -> tokens);
            steps.add(new ToolRun(tool, args, null, round(seconds), error));
            history.add(new ToolResult(toolCall.id(), tool, "{\"error\": " + TextNode.valueOf(error) + "}"));
        }

        void failParse(String output, String parser, String error) {
            call(new AssistantText(output), 0.8 + random.nextDouble() * 2.5, tokens -> tokens);
            steps.add(new ToolRun(parser, output, null, round(0.002 + random.nextDouble() * 0.02), error));
        }

        void fail(Integer status, String error, double seconds) {
            steps.add(new ModelCall(List.copyOf(history), null, round(seconds), 0, 0, 0, status, error));
        }

        private void call(Message output, double seconds, Function<Long, Long> inputTokens) {
            long input = inputTokens.apply(40 + (system.length() + history.stream().mapToLong(CorpusGenerator::length).sum()) / 4);
            long out = length(output) / 4 + 5;
            double cost = Math.round(model.cost(input, out) * 1e7) / 1e7;
            steps.add(new ModelCall(List.copyOf(history), output, round(seconds), input, out, cost, 200, null));
            history.add(output);
        }

        private String callId() {
            return "call_" + Integer.toString(random.nextInt(Integer.MAX_VALUE), 36) + (++callIds);
        }

        Script script() {
            return new Script(system, List.copyOf(steps));
        }

        private static double round(double seconds) {
            return Math.round(seconds * 1000) / 1000.0;
        }
    }

    private static long length(Message m) {
        if (m instanceof UserText t) {
            return t.text().length();
        }
        if (m instanceof AssistantText t) {
            return t.text().length();
        }
        if (m instanceof ToolCall t) {
            return t.arguments().length() + t.name().length();
        }
        return ((ToolResult) m).content().length();
    }
}
