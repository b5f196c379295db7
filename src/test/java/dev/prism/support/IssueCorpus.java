package dev.prism.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Labelled theme summaries as an analyzer would write them: per theme several issue categories, each phrased many
 * different ways (openings × subjects × details × consequences, drawn at random), mixed with summaries about unrelated
 * app content (label -1). Deterministic for a seed.
 */
public final class IssueCorpus {

    /** @param label category index within the theme, -1 for unrelated content */
    public record Text(String themeId, int label, String category, String title, String summary) {
    }

    /** One category: ways to say its title and the parts its summaries are built from. */
    record Category(String name, String[] titles, String[] subjects, String[] details, String[] effects) {
    }

    public static final String ERRORS = "error_analysis";
    public static final String FEATURES = "feature_requests";

    static final List<Category> ERROR_CATEGORIES = List.of(
            new Category("payment-timeout",
                    new String[]{"Payment gateway timed out", "Checkout payment request timed out", "Stripe charge timeout at checkout",
                            "Card payment hung until timeout", "Payment provider did not respond in time"},
                    new String[]{"The call to the payment gateway", "The Stripe charge request", "Charging the customer's card",
                            "The checkout payment step", "The payment API request"},
                    new String[]{"timed out after 30 seconds", "exceeded the 30 s deadline and was aborted", "hung until the client gave up",
                            "never returned before the timeout", "took longer than the payment timeout allows"},
                    new String[]{"so the order was not placed.", "and the user had to retry checkout.", "leaving the purchase incomplete.",
                            "and the assistant apologised that payment failed.", "so the customer could not pay."}),
            new Category("rate-limit",
                    new String[]{"LLM provider rate limit hit", "OpenAI returned 429 Too Many Requests", "Model API throttled the request",
                            "Rate limited by the language model API", "Quota exceeded on the completion endpoint"},
                    new String[]{"The completion request to the model", "The call to OpenAI", "The language model provider",
                            "The chat completion endpoint", "Generation for this step"},
                    new String[]{"was rejected with HTTP 429 rate limit exceeded", "hit the tokens-per-minute quota",
                            "answered too many requests, retry later", "throttled the account for exceeding its request quota",
                            "refused the call because the rate limit was reached"},
                    new String[]{"and the retries were exhausted.", "so the answer was never generated.", "and the agent stopped mid-task.",
                            "after three backoff attempts.", "leaving the user without a reply."}),
            new Category("tool-json",
                    new String[]{"Malformed JSON in tool call arguments", "Tool call arguments failed to parse", "Invalid JSON from the model for a function call",
                            "Function arguments were not valid JSON", "Tool invocation broke on unparseable arguments"},
                    new String[]{"The model's arguments for the search tool", "The JSON passed to the function call", "The tool call payload",
                            "The arguments generated for the weather function", "The function-calling output"},
                    new String[]{"could not be parsed because of a trailing comma", "contained an unterminated string and failed JSON parsing",
                            "was truncated and is not valid JSON", "had single quotes instead of double quotes so the parser threw",
                            "failed schema validation as malformed JSON"},
                    new String[]{"so the tool never ran.", "and the agent loop crashed.", "causing a JSONDecodeError in the handler.",
                            "and the tool step was skipped.", "so the orchestrator raised an exception."}),
            new Category("vector-db",
                    new String[]{"Vector database connection refused", "Retrieval failed: cannot reach the vector store",
                            "Pinecone index unavailable", "Embedding search backend down", "Knowledge base lookup could not connect"},
                    new String[]{"The retrieval step", "The query to the vector database", "Searching the knowledge base index",
                            "The RAG document lookup", "The similarity search against Pinecone"},
                    new String[]{"failed with connection refused", "could not connect to the vector store host",
                            "got a DNS error resolving the index endpoint", "returned 503 service unavailable from the vector index",
                            "lost its connection to the embedding database"},
                    new String[]{"so no documents were retrieved.", "and the answer lacked any context.", "leaving retrieval empty.",
                            "and the assistant answered without sources.", "so the RAG pipeline returned nothing."}));

    static final List<Category> FEATURE_CATEGORIES = List.of(
            new Category("dark-mode",
                    new String[]{"User wants a dark mode", "Request for a dark theme", "Asked for night mode in the app",
                            "Dark colour scheme requested", "Wants the interface darker at night"},
                    new String[]{"The user asked", "A customer requested", "The user wondered", "Someone suggested", "The person wanted to know"},
                    new String[]{"whether the app could offer a dark mode", "for a dark theme because the white screen hurts their eyes at night",
                            "if a night mode with dark backgrounds is planned", "to switch the interface to dark colours",
                            "for a black background option like other apps have"},
                    new String[]{"for late-evening use.", "since bright screens are tiring.", "to match the system dark setting.",
                            "because it would save battery.", "as they mostly work at night."}),
            new Category("export",
                    new String[]{"Request to export data as CSV", "User wants to download reports", "Export to Excel requested",
                            "Asked for a PDF export", "Wants to export the conversation history"},
                    new String[]{"The user asked", "A customer requested", "The user wondered", "Someone suggested", "The person wanted to know"},
                    new String[]{"how to export their results to a CSV file", "for a way to download the report as Excel",
                            "whether the data can be exported as a spreadsheet", "for a PDF export of the summary",
                            "if they can download all records in one file"},
                    new String[]{"to share with their team.", "for their accounting.", "to analyse it offline.",
                            "because copying by hand is slow.", "for a monthly review."}),
            new Category("language",
                    new String[]{"Request for Spanish language support", "User wants the app in German", "Asked for translations of the interface",
                            "Multilingual support requested", "Wants answers in French"},
                    new String[]{"The user asked", "A customer requested", "The user wondered", "Someone suggested", "The person wanted to know"},
                    new String[]{"whether the assistant can reply in Spanish", "for the interface to be translated into German",
                            "if other languages than English will be supported", "for localisation of the app into French",
                            "for multilingual answers in their native language"},
                    new String[]{"since their team does not read English.", "for customers abroad.", "because English is hard for them.",
                            "to roll it out in Latin America.", "for their European offices."}),
            new Category("calendar",
                    new String[]{"Google Calendar integration requested", "User wants meetings synced to their calendar",
                            "Asked for Outlook calendar sync", "Calendar integration for scheduling", "Wants events added to the calendar automatically"},
                    new String[]{"The user asked", "A customer requested", "The user wondered", "Someone suggested", "The person wanted to know"},
                    new String[]{"whether bookings can sync to Google Calendar", "for an integration with their Outlook calendar",
                            "if scheduled meetings could appear in their calendar automatically", "for calendar sync of appointments",
                            "to connect the scheduler with their work calendar"},
                    new String[]{"to avoid double bookings.", "so reminders show on their phone.", "because they copy events by hand today.",
                            "to see everything in one place.", "for their whole team."}));

    static final String[] UNRELATED = {
            "User asked for a vegetarian lasagna recipe and got step-by-step instructions.",
            "The conversation was about planning a weekend hike in the Alps.",
            "User requested a short poem about the sea at sunset.",
            "Discussion of the history of the Roman Empire and its emperors.",
            "User wanted tips for training a puppy to sit.",
            "A question about the rules of chess castling was answered.",
            "The assistant recommended three science fiction novels.",
            "User asked how photosynthesis works in simple words.",
            "Chat about the best time of year to visit Japan for cherry blossoms.",
            "User needed help choosing a name for their goldfish.",
            "The user asked what the capital of Australia is.",
            "Conversation about improving sleep with an evening routine.",
            "User requested a joke about penguins.",
            "Help converting a cake recipe from cups to grams.",
            "User asked about the distance from the Earth to the Moon.",
            "A chat about learning to play the ukulele as a beginner.",
            "The user wanted a workout plan for running a first 5k.",
            "User asked for gift ideas for a grandmother's birthday.",
            "Discussion about how volcanoes form.",
            "User wanted a summary of the plot of Hamlet.",
    };

    private IssueCorpus() {
    }

    /** For each of the two themes, {@code perCategory} texts of each of its four categories and {@code unrelated} others. */
    public static List<Text> generate(int perCategory, int unrelated, long seed) {
        Random random = new Random(seed);
        List<Text> out = new ArrayList<>();
        for (String theme : List.of(ERRORS, FEATURES)) {
            List<Category> categories = theme.equals(ERRORS) ? ERROR_CATEGORIES : FEATURE_CATEGORIES;
            for (int c = 0; c < categories.size(); c++) {
                Category cat = categories.get(c);
                for (int i = 0; i < perCategory; i++) {
                    String summary = pick(random, cat.subjects()) + " " + pick(random, cat.details()) + " " + pick(random, cat.effects());
                    out.add(new Text(theme, c, cat.name(), pick(random, cat.titles()), summary));
                }
            }
            for (int i = 0; i < unrelated; i++) {
                String text = UNRELATED[random.nextInt(UNRELATED.length)];
                String[] words = text.split(" ");
                out.add(new Text(theme, -1, "unrelated", String.join(" ", java.util.Arrays.copyOf(words, Math.min(5, words.length))), text));
            }
        }
        return out;
    }

    public static String categoryName(String themeId, int label) {
        if (label < 0) {
            return "unrelated";
        }
        return (themeId.equals(ERRORS) ? ERROR_CATEGORIES : FEATURE_CATEGORIES).get(label).name();
    }

    private static String pick(Random random, String[] options) {
        return options[random.nextInt(options.length)];
    }
}
