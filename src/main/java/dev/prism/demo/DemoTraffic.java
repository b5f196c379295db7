package dev.prism.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.ToIntFunction;

/**
 * Synthetic LLM-analytics traffic for {@code prism demo} and {@code serve --demo}, so a fresh server shows life at
 * once. Each {@link #nextTrace} call invents one trace of PostHog capture events shaped like the real SDKs send them
 * (see {@code fixtures/traces}): several provider message formats, nested agent spans, provider and tool errors,
 * frustrated users, feature requests, slow and expensive calls, and plain successes.
 *
 * <p>Deterministic for a seed: every random choice, ids included, comes from one {@link Random}. Pure: no Vert.x.
 */
public final class DemoTraffic {

    private static final ObjectMapper MAPPER = dev.prism.common.JsonMapping.MAPPER;

    private static final List<String> USERS = List.of("usr_4c1f9e", "usr_cal_777", "library_member_9042", "home_hub_2291",
            "usr_fleet_mgr_7", "usr_newsletter_ed", "ana.garcia@fincorp.example", "usr_8d02aa", "dev_jordi", "usr_b7e310",
            "support_agent_12", "usr_chef_mika", "usr_traveller_55", "usr_31f0c4", "ops_lead_noor");

    /** An app users talk to: the question in several phrasings, the tool that answers it and the final answer. */
    private record Topic(String app, String system, List<String> questions, String tool, String toolDescription,
                         String args, String result, String answer) {
    }

    private static final List<Topic> TOPICS = List.of(
            new Topic("chefmate", "You are ChefMate, a cooking assistant. Use scale_recipe for quantities.",
                    List.of("Can you scale my lasagna recipe from 4 to 10 servings?", "I need the lasagna for 10 people instead of 4 - what quantities?",
                            "Lasagna for ten, the original is for four. Adjust the amounts please."),
                    "scale_recipe", "Scale a saved recipe to a number of servings", "{\"recipe_id\":\"lasagna-classic\",\"from_servings\":4,\"to_servings\":10}",
                    "{\"pasta_sheets\":30,\"ricotta_g\":1250,\"mozzarella_g\":1000,\"ground_beef_g\":1500,\"tomato_sauce_ml\":1750}",
                    "For 10 servings: 30 pasta sheets, 1.25 kg ricotta, 1 kg mozzarella, 1.5 kg ground beef and 1.75 l tomato sauce. Use two dishes and bake 10 minutes longer."),
            new Topic("tripwise", "You are TripWise, a rail travel planner for Europe.",
                    List.of("Plan 4 days in Sicily by train, starting in Palermo, with one beach day.", "4 days Sicily, trains only, from Palermo - and I want a beach day.",
                            "What's a good 4-day train itinerary around Sicily from Palermo?"),
                    "search_trains", "Search train departures", "{\"from\":\"Palermo Centrale\",\"to\":\"Cefalu\",\"date\":\"2025-07-14\"}",
                    "{\"departures\":[{\"time\":\"08:12\",\"duration_min\":58,\"price_eur\":5.6},{\"time\":\"09:40\",\"duration_min\":61,\"price_eur\":5.6}]}",
                    "Day 1 Palermo markets and Cappella Palatina. Day 2 beach in Cefalu (08:12 train, 58 min, 5.60 EUR). Day 3 Agrigento temples. Day 4 back via Palermo."),
            new Topic("helpdesk", "You are a support copilot for the billing team.",
                    List.of("What's the refund status for ticket 88231? The customer says they were charged twice.", "Ticket 88231 - customer double charged, where is the refund?",
                            "Can you check whether the duplicate charge on ticket 88231 was refunded?"),
                    "get_ticket", "Fetch a support ticket with its payment state", "{\"ticket_id\":88231}",
                    "{\"status\":\"refund_pending\",\"amount_eur\":49.0,\"duplicate_charge\":true,\"eta_days\":3}",
                    "Ticket 88231: the duplicate charge of 49.00 EUR is confirmed and the refund is pending; it reaches the customer within 3 business days."),
            new Topic("reviewbot", "You review pull requests. Point out bugs and risky changes only.",
                    List.of("Review PR 1184 in acme/billing-service, it changes proration.", "Anything risky in acme/billing-service#1184?",
                            "Please check the proration change in PR 1184 before I merge it."),
                    "get_pull_request", "Fetch a pull request and its diff", "{\"repo\":\"acme/billing-service\",\"number\":1184}",
                    "{\"title\":\"Use actual month length in proration\",\"files_changed\":2,\"diff\":\"-  return Math.round(plan.price * days / 30)\\n+  return Math.floor(plan.price * days / daysInMonth(plan.start))\"}",
                    "One risk: switching Math.round to Math.floor shifts prorated amounts by up to a cent against the customer. Add a test for 31-day months."),
            new Topic("ledgerly", "You are Ledgerly, a finance assistant with read access to the expense ledger.",
                    List.of("How much did we spend on SaaS subscriptions last quarter?", "What was our Q3 SaaS spend, and who are the biggest vendors?",
                            "Total software subscription costs for Q3 please."),
                    "query_expenses", "Sum expenses by category and period", "{\"category\":\"saas\",\"period\":\"2025-Q3\"}",
                    "{\"total_usd\":48210.55,\"top_vendors\":[{\"name\":\"Figma\",\"usd\":9120},{\"name\":\"Atlassian\",\"usd\":7740}]}",
                    "Q3 SaaS spend was $48,210.55. The biggest vendors were Figma ($9,120) and Atlassian ($7,740)."),
            new Topic("fitcoach", "You are FitCoach. Respect the user's injuries and equipment.",
                    List.of("Build me a 3-day beginner strength plan, I only have dumbbells.", "Beginner here, dumbbells only - can I get a 3 day routine?",
                            "I want to start lifting 3 times a week at home with dumbbells. Plan?"),
                    "get_user_profile", "Read the user's training profile", "{\"user\":\"me\",\"fields\":[\"experience\",\"equipment\",\"injuries\"]}",
                    "{\"experience\":\"beginner\",\"equipment\":[\"dumbbells\"],\"injuries\":[\"left knee\"]}",
                    "Knee-friendly 3-day plan: A) goblet box squat, floor press, rows; B) Romanian deadlift, overhead press, curls; C) step-ups, push-ups, farmer carries. 3x10 each."),
            new Topic("eastgate_library", "You are the Eastgate Public Library assistant.",
                    List.of("Can you renew all my books? I'm away until the 28th.", "Please extend my loans, I travel until the 28th.",
                            "Renew everything I have out, I won't be back before the 28th."),
                    "renew_loans", "Renew a member's loans", "{\"member_id\":\"M-9042\"}",
                    "{\"renewed\":[\"The Overstory\",\"Piranesi\"],\"not_renewable\":[\"Braiding Sweetgrass\"]}",
                    "Renewed The Overstory and Piranesi. Braiding Sweetgrass has no renewals left, so return it by the 16th or place a hold."),
            new Topic("shipwise", "You are ShipWise. Always get live rates before quoting.",
                    List.of("What's the cheapest way to ship a 3.2 kg parcel from Rotterdam to Lyon, delivered by Friday?",
                            "Cheapest carrier for 3.2 kg Rotterdam -> Lyon arriving Friday?", "I need a 3.2 kg box in Lyon by Friday, from Rotterdam. Cheapest option?"),
                    "get_shipping_rates", "Get live carrier rates", "{\"from_country\":\"NL\",\"to_country\":\"FR\",\"weight_kg\":3.2,\"deliver_by\":\"2025-06-13\"}",
                    "{\"rates\":[{\"carrier\":\"DPD Classic\",\"eur\":14.2,\"eta\":\"2025-06-13\"},{\"carrier\":\"PostNL\",\"eur\":17.95,\"eta\":\"2025-06-16\"}]}",
                    "Cheapest option arriving by Friday: DPD Classic at 14.20 EUR. PostNL costs 17.95 EUR and only arrives Monday."),
            new Topic("homehub", "You control the NestNorth thermostats. Rooms: living, kids, office, bedroom.",
                    List.of("It's freezing in the kids' room. Set it to 21 degrees.", "Kids room to 21 please, it's cold.",
                            "Can you warm up the kids' room to 21 C and tell me when it gets there?"),
                    "set_room_temperature", "Set a room's target temperature", "{\"room\":\"kids\",\"target_c\":21}",
                    "{\"room\":\"kids\",\"current_c\":16.5,\"target_c\":21,\"eta_minutes\":35}",
                    "Heating is on in the kids' room: 16.5 C now, 21 C in about 35 minutes."),
            new Topic("hirewell", "You write job posts in the company's voice.",
                    List.of("Write a job post for a senior backend engineer, remote in the EU.", "Draft an ad for a senior backend dev, EU remote.",
                            "We're hiring a senior backend engineer (remote, EU). Can you write the posting?"),
                    "get_salary_band", "Look up the salary band for a role", "{\"role\":\"senior backend engineer\",\"region\":\"EU\"}",
                    "{\"min_eur\":75000,\"max_eur\":95000,\"currency\":\"EUR\"}",
                    "Senior Backend Engineer (Remote, EU), 75-95k EUR. You'll own our event ingestion pipeline, mentor two engineers and ship weekly."));

    private static final List<String> UNHELPFUL = List.of("I'm not sure I understand. Could you rephrase your question?",
            "Here is some general information that might help: it depends on your situation. Let me know if you need anything else!",
            "I can help with many things! What would you like to know?");
    private static final List<String> COMPLAINTS = List.of("This is the third time I ask: ", "That's not what I asked. ",
            "Are you even reading my messages?? ", "I already told you. ", "Again: ");
    private static final List<String> NEGATIVE_FEEDBACK = List.of("Useless, I had to ask the same thing three times.",
            "It kept giving me generic answers instead of answering.", "Didn't read my question. Thumbs down.", "Slow and still wrong.");

    /** A capability users ask for that the demo apps do not have: what they say and what the assistant declines. */
    private record FeatureAsk(String text, String capability) {
    }

    private static final List<FeatureAsk> FEATURE_ASKS = List.of(
            new FeatureAsk("Can you export this to Google Calendar?", "export to Google Calendar"),
            new FeatureAsk("I wish I could email this every Monday.", "send scheduled emails"),
            new FeatureAsk("Could you post this straight to our Slack channel?", "post to Slack"),
            new FeatureAsk("Can I download this as a spreadsheet?", "create spreadsheet downloads"),
            new FeatureAsk("Please text me when something changes.", "send SMS alerts"));

    /** The line of a tool that crashes and the exception it raises, ending a Python traceback. */
    private static final List<String[]> TOOL_CRASHES = List.of(
            new String[]{"data = resp.json()[\"results\"]", "KeyError: 'results'"},
            new String[]{"return record.payment.id", "AttributeError: 'NoneType' object has no attribute 'id'"},
            new String[]{"rows = session.execute(query).all()", "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection to server at "
                    + "\"db.internal\" (10.0.4.17), port 5432 failed: FATAL:  too many connections for role \"readonly\""},
            new String[]{"resp = requests.get(url, timeout=10)", "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.partner.example', "
                    + "port=443): Read timed out. (read timeout=10)"});

    private static final List<String> ATTACHMENTS = List.of("The full export is attached (18,400 rows).",
            "I attached the 140-page contract.", "Here's the complete log, all 9 MB of it.");

    private record Model(String provider, String name, double inputUsdPerMTok, double outputUsdPerMTok) {
    }

    private static final Model OPUS = new Model("anthropic", "claude-opus-4-1-20250805", 15, 75);
    private static final Model EMBEDDING = new Model("openai", "text-embedding-3-small", 0.02, 0);

    /** How a generation's messages are shaped, with the models that use it; weights follow rough real-world usage. */
    private enum Format {
        OPENAI_CHAT(35, new Model("openai", "gpt-4o-mini", 0.15, 0.6), new Model("openai", "gpt-4.1-mini", 0.4, 1.6),
                new Model("openai", "gpt-4o", 2.5, 10), new Model("mistral", "mistral-small-latest", 0.1, 0.3)),
        OPENAI_RESPONSES(15, new Model("openai", "gpt-4.1", 2, 8), new Model("openai", "gpt-5-mini", 0.25, 2)),
        ANTHROPIC(25, new Model("anthropic", "claude-sonnet-4-20250514", 3, 15), new Model("anthropic", "claude-3-5-haiku-20241022", 0.8, 4)),
        GEMINI(12, new Model("gemini", "gemini-2.5-flash", 0.3, 2.5), new Model("gemini", "gemini-2.5-pro", 1.25, 10)),
        VERCEL_AI(13, new Model("openai", "gpt-4.1-mini", 0.4, 1.6), new Model("google", "gemini-2.5-flash", 0.3, 2.5));

        final int weight;
        final List<Model> models;

        Format(int weight, Model... models) {
            this.weight = weight;
            this.models = List.of(models);
        }
    }

    private enum Scenario {
        PLAIN_CHAT(24), TOOL_CALL(16), NESTED_AGENT(12), LANGGRAPH_AGENT(8), RATE_LIMITED(7), PROVIDER_FAILURE(6),
        TOOL_EXCEPTION(6), FRUSTRATED_USER(8), FEATURE_REQUEST(7), SLOW_OR_EXPENSIVE(6);

        final int weight;

        Scenario(int weight) {
            this.weight = weight;
        }
    }

    private enum Failure { RATE_LIMIT, SERVER_ERROR, TIMEOUT }

    /** One conversation turn, independent of any provider's wire shape; {@link #message} renders it per format. */
    private record Turn(Kind kind, String text, String callId, String tool, String args) {
        enum Kind { USER, ASSISTANT, TOOL_CALL, TOOL_RESULT }

        static Turn user(String text) {
            return new Turn(Kind.USER, text, null, null, null);
        }

        static Turn assistant(String text) {
            return new Turn(Kind.ASSISTANT, text, null, null, null);
        }

        static Turn call(String id, String tool, String args) {
            return new Turn(Kind.TOOL_CALL, null, id, tool, args);
        }

        static Turn result(String id, String tool, String output) {
            return new Turn(Kind.TOOL_RESULT, output, id, tool, null);
        }
    }

    private final Random random;

    public DemoTraffic(long seed) {
        this.random = new Random(seed);
    }

    /** One synthetic trace: its events in capture order (children usually before parents, $ai_trace last), as PostHog capture objects. */
    public List<ObjectNode> nextTrace(Instant now) {
        TraceBuilder t = new TraceBuilder();
        switch (weighted(Scenario.values(), s -> s.weight)) {
            case PLAIN_CHAT -> plainChat(t);
            case TOOL_CALL -> toolCall(t, null);
            case NESTED_AGENT -> nestedAgent(t);
            case LANGGRAPH_AGENT -> langGraphAgent(t, null);
            case RATE_LIMITED -> rateLimited(t);
            case PROVIDER_FAILURE -> providerFailure(t);
            case TOOL_EXCEPTION -> {
                if (random.nextBoolean()) toolCall(t, traceback(t.topic)); else langGraphAgent(t, traceback(t.topic));
            }
            case FRUSTRATED_USER -> frustratedUser(t);
            case FEATURE_REQUEST -> featureRequest(t);
            case SLOW_OR_EXPENSIVE -> slowOrExpensive(t);
        }
        return t.stamp(now);
    }

    // ---- scenarios ----

    private void plainChat(TraceBuilder t) {
        Format f = pickFormat();
        String question = pick(t.topic.questions());
        t.generation(t.rootParent(), f, pick(f.models), List.of(Turn.user(question)), Turn.assistant(t.topic.answer()), false, seconds(0.6, 5));
        if (random.nextInt(5) == 0) {
            t.metric("helpful", 1); // most users never rate an answer; a few give a thumbs-up
        }
        t.close(t.topic.app() + "_request", state("question", question), state("answer", t.topic.answer()));
    }

    /** A flat tool loop as SDK wrappers log it: call, tool span, answer; with {@code toolError} the tool crashes. */
    private void toolCall(TraceBuilder t, String toolError) {
        Format f = pickFormat();
        Model m = pick(f.models);
        String question = pick(t.topic.questions());
        List<Turn> history = callTool(t, t.rootParent(), t.traceId, f, m, question, toolError);
        String answer = toolError == null ? t.topic.answer()
                : "Sorry, the " + t.topic.tool() + " service failed just now, so I can't answer that yet. Please try again in a few minutes.";
        t.generation(t.rootParent(), f, m, history, Turn.assistant(answer), true, seconds(0.8, 4));
        t.close(t.topic.app() + "_request", state("question", question), state("answer", answer));
    }

    /** Hand-instrumented agent: trace → agent_loop → step_N → generation + tool span; a retriever adds a fourth level. */
    private void nestedAgent(TraceBuilder t) {
        Format f = random.nextBoolean() ? Format.OPENAI_CHAT : pickFormat();
        Model m = pick(f.models);
        String question = pick(t.topic.questions());
        String agent = uuid();
        double agentStart = t.clock;
        String step1 = uuid();
        if (random.nextInt(3) > 0) {
            retrieve(t, step1, question);
        }
        List<Turn> history = callTool(t, step1, step1, f, m, question, null);
        t.span(step1, agent, "step_1", agentStart, null, null);
        String step2 = uuid();
        double step2Start = t.clock;
        t.generation(step2, f, m, history, Turn.assistant(t.topic.answer()), true, seconds(0.8, 4));
        t.span(step2, agent, "step_2", step2Start, null, null);
        t.span(agent, t.traceId, "agent_loop", agentStart, MAPPER.createObjectNode().put("max_steps", 5), MAPPER.createObjectNode().put("steps", 2));
        t.close(t.topic.app() + "_agent", state("text", question), state("reply", t.topic.answer()));
    }

    /** A retriever span whose child embeds the query: the deepest level of the nested agent. */
    private void retrieve(TraceBuilder t, String parent, String query) {
        String retriever = uuid();
        double start = t.clock;
        double latency = seconds(0.1, 0.6);
        t.clock += latency;
        ObjectNode e = t.emit("$ai_embedding").put("$ai_span_id", uuid()).put("$ai_parent_id", retriever)
                .put("$ai_provider", EMBEDDING.provider()).put("$ai_model", EMBEDDING.name()).put("$ai_input", query);
        t.usage(e, EMBEDDING, query.length() / 4 + 2, 0);
        e.put("$ai_latency", round(latency, 3));
        ArrayNode docs = MAPPER.createArrayNode();
        docs.addObject().put("page_content", t.topic.answer()).putObject("metadata").put("source", "kb/" + t.topic.app() + ".md");
        t.span(retriever, parent, "VectorStoreRetriever", start, TextNode.valueOf(query), docs);
    }

    /** LangGraph ReAct agent through PostHog's LangChain callback handler: node spans carry LangChain message dumps. */
    private void langGraphAgent(TraceBuilder t, String toolError) {
        t.framework = "langchain";
        Format f = random.nextBoolean() ? Format.ANTHROPIC : Format.OPENAI_CHAT;
        Model m = pick(f.models);
        String llm = f == Format.ANTHROPIC ? "ChatAnthropic" : "ChatOpenAI";
        Topic topic = t.topic;
        List<Turn> history = new ArrayList<>(List.of(Turn.user(pick(topic.questions()))));
        Turn call = Turn.call(callId(f), topic.tool(), topic.args());

        String node = uuid(); // node "agent": the model asks for the tool
        double start = t.clock;
        t.generation(node, f, m, history, call, true, seconds(0.6, 2.5)).put("$ai_span_name", llm);
        t.span(node, t.traceId, "agent", start, state("messages", langChain(history)), state("messages", langChain(List.of(call))));
        history.add(call);

        node = uuid(); // node "tools": the tool runs one level deeper
        start = t.clock;
        t.clock += seconds(0.2, 3);
        ObjectNode tool = t.span(uuid(), node, topic.tool(), start, TextNode.valueOf(topic.args()), toolError == null ? parse(topic.result()) : null);
        Turn result = Turn.result(call.callId(), topic.tool(), topic.result());
        if (toolError != null) {
            t.fail(tool, -1, toolError);
            result = Turn.result(call.callId(), topic.tool(), "Error: " + lastLine(toolError) + "\n Please fix your mistakes.");
        }
        t.span(node, t.traceId, "tools", start, state("messages", langChain(history)), state("messages", langChain(List.of(result))));
        history.add(result);

        node = uuid(); // node "agent" again: the model answers from the tool result
        start = t.clock;
        String answer = toolError == null ? topic.answer() : "I couldn't load that: " + topic.tool() + " failed (" + lastLine(toolError)
                .replaceAll(":.*", "") + "). Please try again in a few minutes.";
        Turn reply = Turn.assistant(answer);
        t.generation(node, f, m, history, reply, true, seconds(0.8, 4)).put("$ai_span_name", llm);
        t.span(node, t.traceId, "agent", start, state("messages", langChain(history)), state("messages", langChain(List.of(reply))));
        history.add(reply);
        t.close("LangGraph", state("messages", langChain(history.subList(0, 1))), state("messages", langChain(history)));
    }

    /** LiteLLM retrying on 429s: one to three failures, then usually a retry or a fallback to another provider that works. */
    private void rateLimited(TraceBuilder t) {
        Format f = Format.OPENAI_CHAT; // LiteLLM logs every provider in the Chat Completions shape
        Model m = pick(pick(List.of(Format.OPENAI_CHAT, Format.ANTHROPIC, Format.GEMINI)).models);
        String question = pick(t.topic.questions());
        List<Turn> history = List.of(Turn.user(question));
        int failures = 1 + random.nextInt(3);
        String error = null;
        for (int i = 0; i < failures; i++) {
            String exception = switch (m.provider()) {
                case "anthropic" -> "AnthropicException";
                case "gemini" -> "VertexAIException";
                default -> "OpenAIException";
            };
            error = "litellm.RateLimitError: RateLimitError: " + exception + " - " + errorText(f, m, Failure.RATE_LIMIT);
            t.fail(t.generation(t.rootParent(), f, m, history, null, false, seconds(0.2, 0.9)), random.nextBoolean() ? 429 : -1, error);
            t.clock += 1 << i; // exponential backoff between attempts
        }
        if (random.nextInt(10) < 7) {
            Model winner = random.nextBoolean() ? m : pick(pick(List.of(Format.ANTHROPIC, Format.GEMINI)).models);
            t.generation(t.rootParent(), f, winner, history, Turn.assistant(t.topic.answer()), false, seconds(0.8, 4));
            t.close(t.topic.app() + "_request", state("question", question), state("answer", t.topic.answer()));
        } else {
            t.error = error;
            t.close(t.topic.app() + "_request", state("question", question), null);
        }
    }

    /** A provider answers 500 or never answers (timeout); half the time a retry saves the request. */
    private void providerFailure(TraceBuilder t) {
        Format f = pickFormat();
        Model m = pick(f.models);
        String question = pick(t.topic.questions());
        List<Turn> history = List.of(Turn.user(question));
        boolean timeout = random.nextInt(3) == 0;
        String error = errorText(f, m, timeout ? Failure.TIMEOUT : Failure.SERVER_ERROR);
        t.fail(t.generation(t.rootParent(), f, m, history, null, false, timeout ? seconds(30, 90) : seconds(0.3, 12)), timeout ? 0 : 500, error);
        if (random.nextBoolean()) {
            t.clock += seconds(1, 3);
            t.generation(t.rootParent(), f, m, history, Turn.assistant(t.topic.answer()), false, seconds(0.8, 5));
            t.close(t.topic.app() + "_request", state("question", question), state("answer", t.topic.answer()));
        } else {
            t.error = error;
            t.close(t.topic.app() + "_request", state("question", question), null);
        }
    }

    /** The assistant misses the point once or twice; the user repeats, gets annoyed and leaves negative feedback. */
    private void frustratedUser(TraceBuilder t) {
        Format f = pickFormat();
        Model m = pick(f.models);
        String question = pick(t.topic.questions());
        List<Turn> history = new ArrayList<>(List.of(Turn.user(question)));
        for (int i = 1 + random.nextInt(2); i > 0; i--) {
            Turn miss = Turn.assistant(pick(UNHELPFUL));
            t.generation(t.rootParent(), f, m, history, miss, false, seconds(0.6, 3));
            history.add(miss);
            t.clock += seconds(8, 40); // the user reads, sighs and types again
            history.add(Turn.user(pick(COMPLAINTS) + question));
        }
        Turn last = Turn.assistant(random.nextBoolean() ? "Sorry about that. " + t.topic.answer() : pick(UNHELPFUL));
        t.generation(t.rootParent(), f, m, history, last, false, seconds(0.8, 4));
        t.clock += seconds(2, 20);
        t.emit("$ai_feedback").put("$ai_feedback_text", pick(NEGATIVE_FEEDBACK));
        if (random.nextBoolean()) {
            t.metric("thumbs_up", 0);
        }
        t.close(t.topic.app() + "_request", state("question", question), state("answer", last.text()));
    }

    /** The user asks for something the app cannot do, in the same message or as a follow-up after the answer. */
    private void featureRequest(TraceBuilder t) {
        Format f = pickFormat();
        Model m = pick(f.models);
        FeatureAsk ask = pick(FEATURE_ASKS);
        String question = pick(t.topic.questions());
        String decline = "I can't " + ask.capability() + " yet - that isn't something I can do from here. I can format it so you can copy it over.";
        List<Turn> history = new ArrayList<>();
        String answer;
        if (random.nextBoolean()) {
            history.add(Turn.user(question + " " + ask.text()));
            answer = t.topic.answer() + "\n\n" + decline;
        } else {
            history.add(Turn.user(question));
            Turn first = Turn.assistant(t.topic.answer());
            t.generation(t.rootParent(), f, m, history, first, false, seconds(0.6, 4));
            t.clock += seconds(10, 60);
            history.add(first);
            history.add(Turn.user(ask.text()));
            answer = decline;
        }
        t.generation(t.rootParent(), f, m, history, Turn.assistant(answer), false, seconds(0.6, 3));
        t.close(t.topic.app() + "_request", state("question", question), state("answer", answer));
    }

    /** One big call: 30-90 s slow, above $0.50 on a premium model with a huge prompt, or both. */
    private void slowOrExpensive(TraceBuilder t) {
        int variant = random.nextInt(3); // 0 slow, 1 expensive, 2 both
        boolean expensive = variant > 0;
        Format f = expensive ? Format.ANTHROPIC : pickFormat();
        Model m = expensive ? OPUS : pick(f.models);
        String question = pick(t.topic.questions()) + " " + pick(ATTACHMENTS);
        ObjectNode p = t.generation(t.rootParent(), f, m, List.of(Turn.user(question)), Turn.assistant(t.topic.answer()), false,
                variant != 1 ? seconds(30, 90) : seconds(6, 20));
        if (expensive) {
            t.usage(p, m, 35_000 + random.nextInt(60_000), 1_500 + random.nextInt(3_000));
        } else {
            t.usage(p, m, 8_000 + random.nextInt(20_000), 600 + random.nextInt(2_000));
        }
        t.close(t.topic.app() + "_request", state("question", question), state("answer", t.topic.answer()));
    }

    /** The model asks for the topic's tool and the tool runs (or crashes); returns the conversation including the result. */
    private List<Turn> callTool(TraceBuilder t, String genParent, String toolParent, Format f, Model m, String question, String toolError) {
        Topic topic = t.topic;
        List<Turn> history = new ArrayList<>(List.of(Turn.user(question)));
        Turn call = Turn.call(callId(f), topic.tool(), topic.args());
        t.generation(genParent, f, m, history, call, true, seconds(0.5, 2.5));
        history.add(call);
        double start = t.clock;
        t.clock += seconds(0.1, 1.5);
        ObjectNode span = t.span(uuid(), toolParent, topic.tool(), start, parse(topic.args()), toolError == null ? parse(topic.result()) : null);
        if (toolError != null) {
            t.fail(span, -1, toolError);
        }
        history.add(Turn.result(call.callId(), topic.tool(), toolError == null ? topic.result() : "Error: " + lastLine(toolError)));
        return history;
    }

    // ---- the trace under construction ----

    /** One trace being built: events in capture order with their end times in seconds since the trace began. */
    private final class TraceBuilder {
        final String traceId = uuid();
        final String user = pick(USERS);
        final Topic topic = pick(TOPICS);
        final boolean hasTraceEvent = random.nextInt(10) < 7; // the rest are pseudo-traces: events sharing an id, no $ai_trace
        final List<ObjectNode> events = new ArrayList<>();
        final List<Double> ends = new ArrayList<>();
        double clock;
        String framework;
        String error; // an unrecovered failure, repeated on the $ai_trace

        /** Top-level generations hang off the trace when there is one; plain SDK calls without a trace name no parent. */
        String rootParent() {
            return hasTraceEvent ? traceId : null;
        }

        ObjectNode emit(String name) {
            ObjectNode e = MAPPER.createObjectNode().put("event", name).put("distinct_id", user).put("timestamp", "").put("uuid", uuid());
            ObjectNode p = e.putObject("properties").put("$ai_trace_id", traceId);
            if (framework != null) {
                p.put("$ai_framework", framework);
            }
            events.add(e);
            ends.add(clock);
            return p;
        }

        /** A generation ending {@code latency} from now; a null {@code reply} is a call that got no answer. */
        ObjectNode generation(String parent, Format f, Model m, List<Turn> history, Turn reply, boolean withTools, double latency) {
            clock += latency;
            ObjectNode p = emit("$ai_generation").put("$ai_span_id", uuid());
            if (parent != null) {
                p.put("$ai_parent_id", parent);
            }
            p.put("$ai_provider", m.provider()).put("$ai_model", m.name());
            JsonNode input = input(f, topic.system(), history);
            p.set("$ai_input", input);
            p.set("$ai_output_choices", reply == null ? null : output(f, reply));
            if (withTools) {
                p.set("$ai_tools", tools(f, topic));
            }
            usage(p, m, reply == null ? 0 : input.toString().length() / 4 + random.nextInt(40),
                    reply == null ? 0 : p.get("$ai_output_choices").toString().length() / 4 + random.nextInt(20));
            return p.put("$ai_latency", round(latency, 3)).put("$ai_http_status", 200);
        }

        ObjectNode span(String id, String parent, String name, double start, JsonNode in, JsonNode out) {
            clock += 0.01 + random.nextDouble() * 0.04; // a parent closes just after its last child
            ObjectNode p = emit("$ai_span").put("$ai_span_id", id).put("$ai_parent_id", parent).put("$ai_span_name", name);
            p.set("$ai_input_state", in);
            p.set("$ai_output_state", out);
            return p.put("$ai_latency", round(clock - start, 3));
        }

        void usage(ObjectNode p, Model m, int in, int out) {
            double inCost = in * m.inputUsdPerMTok() / 1e6;
            double outCost = out * m.outputUsdPerMTok() / 1e6;
            p.put("$ai_input_tokens", in).put("$ai_output_tokens", out);
            if (in + out > 0) {
                p.put("$ai_input_cost_usd", round(inCost, 8)).put("$ai_output_cost_usd", round(outCost, 8)).put("$ai_total_cost_usd", round(inCost + outCost, 8));
            }
        }

        /** Marks an event failed; SDKs often send no HTTP status (-1) or 0 even for HTTP errors, so the text must carry it. */
        void fail(ObjectNode p, int status, String message) {
            p.put("$ai_is_error", true).put("$ai_error", message);
            if (status >= 0) {
                p.put("$ai_http_status", status);
            } else {
                p.remove("$ai_http_status");
            }
        }

        void metric(String name, double value) {
            clock += seconds(1, 10);
            emit("$ai_metric").put("$ai_metric_name", name).put("$ai_metric_value", value);
        }

        void close(String name, JsonNode in, JsonNode out) {
            if (!hasTraceEvent) {
                return;
            }
            clock += 0.05;
            ObjectNode p = emit("$ai_trace").put("$ai_span_id", traceId).put("$ai_span_name", name);
            p.set("$ai_input_state", in);
            p.set("$ai_output_state", out);
            p.put("$ai_latency", round(clock, 3));
            if (error != null) {
                p.put("$ai_is_error", true).put("$ai_error", error);
            }
        }

        /** Places the trace in the recent past: its last event a moment before {@code now}, the others before that. */
        List<ObjectNode> stamp(Instant now) {
            long lastMillis = now.toEpochMilli() - (long) (seconds(0.2, 20) * 1000);
            for (int i = 0; i < events.size(); i++) {
                long millis = lastMillis - Math.round((clock - ends.get(i)) * 1000);
                events.get(i).put("timestamp", Instant.ofEpochMilli(millis).toString());
            }
            return events;
        }
    }

    // ---- provider wire shapes ----

    private static JsonNode input(Format f, String system, List<Turn> turns) {
        if (f == Format.GEMINI) {
            ObjectNode body = MAPPER.createObjectNode();
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", system);
            ArrayNode contents = body.putArray("contents");
            turns.forEach(t -> contents.add(message(f, t)));
            return body;
        }
        ArrayNode messages = MAPPER.createArrayNode();
        ObjectNode sys = messages.addObject().put("role", "system");
        if (f == Format.VERCEL_AI) {
            sys.putArray("content").addObject().put("type", "text").put("text", system);
        } else {
            sys.put("content", system);
        }
        turns.forEach(t -> messages.add(message(f, t)));
        return messages;
    }

    /** Gemini is logged as the raw response with candidates; every other SDK logs a list of output messages. */
    private static JsonNode output(Format f, Turn reply) {
        if (f == Format.GEMINI) {
            ObjectNode response = MAPPER.createObjectNode();
            ObjectNode candidate = response.putArray("candidates").addObject();
            candidate.set("content", message(f, reply));
            candidate.put("finishReason", "STOP").put("index", 0);
            return response;
        }
        return MAPPER.createArrayNode().add(message(f, reply));
    }

    private static ObjectNode message(Format f, Turn t) {
        ObjectNode m = MAPPER.createObjectNode();
        switch (f) {
            case OPENAI_CHAT -> { // tool-call arguments travel as a JSON string, results as role "tool"
                switch (t.kind()) {
                    case USER, ASSISTANT -> m.put("role", t.kind() == Turn.Kind.USER ? "user" : "assistant").put("content", t.text());
                    case TOOL_CALL -> m.put("role", "assistant").putNull("content").putArray("tool_calls").addObject().put("id", t.callId())
                            .put("type", "function").putObject("function").put("name", t.tool()).put("arguments", t.args());
                    case TOOL_RESULT -> m.put("role", "tool").put("tool_call_id", t.callId()).put("content", t.text());
                }
            }
            case OPENAI_RESPONSES -> { // typed items rather than chat messages
                switch (t.kind()) {
                    case USER -> m.put("role", "user").putArray("content").addObject().put("type", "input_text").put("text", t.text());
                    case ASSISTANT -> m.put("type", "message").put("role", "assistant").putArray("content").addObject()
                            .put("type", "output_text").put("text", t.text());
                    case TOOL_CALL -> m.put("type", "function_call").put("call_id", t.callId()).put("name", t.tool()).put("arguments", t.args());
                    case TOOL_RESULT -> m.put("type", "function_call_output").put("call_id", t.callId()).put("output", t.text());
                }
            }
            case ANTHROPIC -> { // content blocks; tool results come back in a user message
                switch (t.kind()) {
                    case USER -> m.put("role", "user").put("content", t.text());
                    case ASSISTANT -> m.put("role", "assistant").putArray("content").addObject().put("type", "text").put("text", t.text());
                    case TOOL_CALL -> m.put("role", "assistant").putArray("content").addObject().put("type", "tool_use").put("id", t.callId())
                            .put("name", t.tool()).set("input", parse(t.args()));
                    case TOOL_RESULT -> m.put("role", "user").putArray("content").addObject().put("type", "tool_result")
                            .put("tool_use_id", t.callId()).put("content", t.text());
                }
            }
            case GEMINI -> { // contents with parts; the model's role is "model" and function calls carry no id
                ObjectNode part = m.put("role", t.kind() == Turn.Kind.USER || t.kind() == Turn.Kind.TOOL_RESULT ? "user" : "model")
                        .putArray("parts").addObject();
                switch (t.kind()) {
                    case USER, ASSISTANT -> part.put("text", t.text());
                    case TOOL_CALL -> part.putObject("functionCall").put("name", t.tool()).set("args", parse(t.args()));
                    case TOOL_RESULT -> {
                        JsonNode response = parse(t.text());
                        part.putObject("functionResponse").put("name", t.tool())
                                .set("response", response.isObject() ? response : MAPPER.createObjectNode().put("error", t.text()));
                    }
                }
            }
            case VERCEL_AI -> { // every message holds typed parts, tool calls carry their input as an object
                ObjectNode part = m.put("role", switch (t.kind()) {
                    case USER -> "user";
                    case TOOL_RESULT -> "tool";
                    default -> "assistant";
                }).putArray("content").addObject();
                switch (t.kind()) {
                    case USER, ASSISTANT -> part.put("type", "text").put("text", t.text());
                    case TOOL_CALL -> part.put("type", "tool-call").put("toolCallId", t.callId()).put("toolName", t.tool()).set("input", parse(t.args()));
                    case TOOL_RESULT -> {
                        JsonNode value = parse(t.text());
                        part.put("type", "tool-result").put("toolCallId", t.callId()).put("toolName", t.tool())
                                .putObject("output").put("type", value.isTextual() ? "error-text" : "json").set("value", value);
                    }
                }
            }
        }
        return m;
    }

    /** The topic's tool declared the way each SDK declares tools; the JSON schema is derived from the example arguments. */
    private static JsonNode tools(Format f, Topic topic) {
        boolean gemini = f == Format.GEMINI;
        ObjectNode schema = MAPPER.createObjectNode().put("type", gemini ? "OBJECT" : "object");
        ObjectNode properties = schema.putObject("properties");
        for (Map.Entry<String, JsonNode> arg : parse(topic.args()).properties()) {
            JsonNode v = arg.getValue();
            String type = v.isTextual() ? "string" : v.isIntegralNumber() ? "integer" : v.isNumber() ? "number" : v.isArray() ? "array" : "object";
            properties.putObject(arg.getKey()).put("type", gemini ? type.toUpperCase() : type);
        }
        ObjectNode decl = MAPPER.createObjectNode().put("name", topic.tool()).put("description", topic.toolDescription());
        decl.set(switch (f) {
            case ANTHROPIC -> "input_schema";
            case VERCEL_AI -> "inputSchema";
            default -> "parameters";
        }, schema);
        ArrayNode list = MAPPER.createArrayNode();
        switch (f) {
            case OPENAI_CHAT -> list.addObject().put("type", "function").set("function", decl);
            case OPENAI_RESPONSES, VERCEL_AI -> list.addObject().put("type", "function").setAll(decl);
            case ANTHROPIC -> list.add(decl);
            case GEMINI -> list.addObject().putArray("functionDeclarations").add(decl);
        }
        return list;
    }

    /** LangChain's message dump, as LangGraph node states hold it. */
    private ArrayNode langChain(List<Turn> turns) {
        ArrayNode out = MAPPER.createArrayNode();
        for (Turn t : turns) {
            ObjectNode m = out.addObject();
            switch (t.kind()) {
                case USER -> m.put("content", t.text()).put("type", "human").put("id", uuid());
                case ASSISTANT -> m.put("content", t.text()).put("type", "ai").put("id", "run-" + uuid()).putArray("tool_calls");
                case TOOL_CALL -> m.put("content", "").put("type", "ai").put("id", "run-" + uuid()).putArray("tool_calls").addObject()
                        .put("name", t.tool()).put("id", t.callId()).put("type", "tool_call").set("args", parse(t.args()));
                case TOOL_RESULT -> m.put("content", t.text()).put("type", "tool").put("name", t.tool()).put("tool_call_id", t.callId())
                        .put("status", t.text().startsWith("Error") ? "error" : "success");
            }
        }
        return out;
    }

    /** The exception text each SDK records: Python dict reprs for the Python SDKs, a JSON-encoded JS error for the AI SDK. */
    private String errorText(Format f, Model m, Failure failure) {
        if (f == Format.VERCEL_AI) {
            String name = failure == Failure.TIMEOUT ? "AI_RetryError" : "AI_APICallError";
            String message = switch (failure) {
                case RATE_LIMIT -> "Rate limit exceeded. Please retry after 20s.";
                case SERVER_ERROR -> "Internal Server Error";
                case TIMEOUT -> "Failed after 3 attempts. Last error: Request timed out";
            };
            return MAPPER.createObjectNode().put("name", name).put("message", message).put("stack", name + ": " + message
                    + "\n    at postToApi (/app/node_modules/@ai-sdk/provider-utils/dist/index.mjs:612:15)"
                    + "\n    at async generateText (/app/node_modules/ai/dist/index.mjs:4419:24)").toString();
        }
        String provider = m.provider();
        return switch (failure) {
            case RATE_LIMIT -> switch (provider) {
                case "anthropic" -> "Error code: 429 - {'type': 'error', 'error': {'type': 'rate_limit_error', 'message': 'This request would "
                        + "exceed the rate limit for your organization of 40,000 input tokens per minute.'}, 'request_id': 'req_" + token(22) + "'}";
                case "gemini" -> "429 RESOURCE_EXHAUSTED. {'error': {'code': 429, 'message': 'Resource has been exhausted (e.g. check quota).', "
                        + "'status': 'RESOURCE_EXHAUSTED'}}";
                default -> "Error code: 429 - {'error': {'message': 'Rate limit reached for " + m.name() + " in organization org-" + token(6)
                        + " on tokens per min (TPM): Limit 30000, Used 28410, Requested 4212. Please try again in 5.2s.', 'type': 'tokens', "
                        + "'param': None, 'code': 'rate_limit_exceeded'}}";
            };
            case SERVER_ERROR -> switch (provider) {
                case "anthropic" -> "Error code: 500 - {'type': 'error', 'error': {'type': 'api_error', 'message': 'Internal server error'}, "
                        + "'request_id': 'req_" + token(22) + "'}";
                case "gemini" -> "500 INTERNAL. {'error': {'code': 500, 'message': 'An internal error has occurred.', 'status': 'INTERNAL'}}";
                default -> "Error code: 500 - {'error': {'message': 'The server had an error while processing your request. Sorry about that!', "
                        + "'type': 'server_error', 'param': None, 'code': None}}";
            };
            case TIMEOUT -> switch (provider) {
                case "anthropic" -> "anthropic.APITimeoutError: Request timed out.";
                case "gemini" -> "504 DEADLINE_EXCEEDED. {'error': {'code': 504, 'message': 'Deadline expired before operation could complete.', "
                        + "'status': 'DEADLINE_EXCEEDED'}}";
                default -> "openai.APITimeoutError: Request timed out.";
            };
        };
    }

    /** A Python traceback through the tool framework into the topic's tool, ending in one of the usual crashes. */
    private String traceback(Topic topic) {
        String[] crash = pick(TOOL_CRASHES);
        return "Traceback (most recent call last):\n"
                + "  File \"/app/.venv/lib/python3.12/site-packages/langchain_core/tools/base.py\", line 848, in run\n"
                + "    response = context.run(self._run, *tool_args, **tool_kwargs)\n"
                + "  File \"/app/" + topic.app() + "/tools.py\", line " + (40 + random.nextInt(160)) + ", in " + topic.tool() + "\n"
                + "    " + crash[0] + "\n" + crash[1];
    }

    // ---- small helpers ----

    private static String lastLine(String text) {
        return text.substring(text.lastIndexOf('\n') + 1);
    }

    private static ObjectNode state(String key, String value) {
        return MAPPER.createObjectNode().put(key, value);
    }

    private static ObjectNode state(String key, JsonNode value) {
        ObjectNode state = MAPPER.createObjectNode();
        state.set(key, value);
        return state;
    }

    /** JSON text as a tree; text that is not JSON (an error message) stays a string. */
    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(json);
        }
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private double seconds(double min, double max) {
        return round(min + random.nextDouble() * (max - min), 3);
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    private Format pickFormat() {
        return weighted(Format.values(), f -> f.weight);
    }

    private <E> E weighted(E[] values, ToIntFunction<E> weight) {
        int total = 0;
        for (E v : values) {
            total += weight.applyAsInt(v);
        }
        int roll = random.nextInt(total);
        for (E v : values) {
            roll -= weight.applyAsInt(v);
            if (roll < 0) {
                return v;
            }
        }
        throw new IllegalStateException("weights changed while picking");
    }

    /** A version-4-shaped UUID from the seeded generator, so ids repeat with the seed. */
    private String uuid() {
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private String callId(Format f) {
        return f == Format.ANTHROPIC ? "toolu_01" + token(22) : "call_" + token(24);
    }

    private String token(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
