package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Slack destination against a fake incoming webhook that checks the Block Kit shape")
class SlackDestinationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> BLOCK_TYPES = Set.of("header", "section", "actions", "context", "divider");

    private HttpServer server;
    private GuardedHttp http;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        await(http.close());
        await(server.close());
    }

    /** Slack's own checks of an incoming-webhook payload, as far as this message uses them; empty when valid. */
    static List<String> blockKitProblems(JsonNode message) {
        List<String> problems = new ArrayList<>();
        if (!message.path("text").isTextual() || message.path("text").asText().isBlank()) {
            problems.add("text fallback missing");
        }
        JsonNode blocks = message.path("blocks");
        if (!blocks.isArray() || blocks.isEmpty() || blocks.size() > 50) {
            problems.add("blocks must be 1..50");
        }
        for (JsonNode block : blocks) {
            String type = block.path("type").asText();
            if (!BLOCK_TYPES.contains(type)) {
                problems.add("unknown block " + type);
            }
            switch (type) {
                case "header" -> {
                    if (!block.path("text").path("type").asText().equals("plain_text") || block.path("text").path("text").asText().length() > 150) {
                        problems.add("header must be plain_text up to 150");
                    }
                }
                case "section" -> {
                    textObject(block.path("text"), 3000, problems);
                    if (block.has("fields")) {
                        if (block.path("fields").size() > 10) {
                            problems.add("at most 10 fields");
                        }
                        block.path("fields").forEach(f -> textObject(f, 2000, problems));
                    }
                }
                case "actions" -> {
                    if (block.path("elements").isEmpty() || block.path("elements").size() > 25) {
                        problems.add("actions need 1..25 elements");
                    }
                    for (JsonNode button : block.path("elements")) {
                        if (!button.path("type").asText().equals("button") || !button.path("text").path("type").asText().equals("plain_text")
                                || button.path("text").path("text").asText().length() > 75 || button.path("url").asText().length() > 3000
                                || !button.path("url").asText().startsWith("https://")) {
                            problems.add("bad button " + button);
                        }
                    }
                }
                case "context" -> block.path("elements").forEach(e -> textObject(e, 3000, problems));
                default -> {
                }
            }
        }
        return problems;
    }

    private static void textObject(JsonNode text, int max, List<String> problems) {
        String type = text.path("type").asText();
        if (!type.equals("mrkdwn") && !type.equals("plain_text")) {
            problems.add("text object type " + type);
        }
        if (text.path("text").asText().isEmpty() || text.path("text").asText().length() > max) {
            problems.add("text length");
        }
    }

    private int fakeSlack(Vertx vertx) throws Exception {
        server = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            if (req.path().equals("/services/T000/B000/limited")) {
                req.response().setStatusCode(429).putHeader("Retry-After", "17").end("rate_limited");
                return;
            }
            if (!req.path().equals("/services/T000/B000/XXXXSECRET")) {
                req.response().setStatusCode(404).end("no_service");
                return;
            }
            try {
                JsonNode json = MAPPER.readTree(b.toString());
                received.add(json);
                boolean valid = blockKitProblems(json).isEmpty() && "application/json".equals(req.getHeader("Content-Type"));
                req.response().setStatusCode(valid ? 200 : 400).end(valid ? "ok" : "invalid_blocks");
            } catch (Exception e) {
                req.response().setStatusCode(400).end("invalid_payload");
            }
        })).listen(0, "127.0.0.1"));
        return server.actualPort();
    }

    @Test
    @DisplayName("a growth notice becomes exactly this Block Kit message, with trace data escaped so no mention or link is made")
    void exactMessage(Vertx vertx) throws Exception {
        int port = fakeSlack(vertx);
        http = new GuardedHttp(vertx, AddressPolicy.allowAll(), GuardedHttp.HostResolver.system(vertx), 2_000, "t");
        SlackDestination slack = new SlackDestination(http);
        JsonObject config = new JsonObject().put("type", "slack").put("url", "http://127.0.0.1:" + port + "/services/T000/B000/XXXXSECRET");
        assertThat(slack.validate(config)).isNull();
        SendOutcome outcome = await(slack.send(Notices.growth("c-7", 10, 30, "k"), config));
        assertThat(outcome).isEqualTo(SendOutcome.delivered(200, null));
        assertThat(received).singleElement().satisfies(message -> {
            assertThat(blockKitProblems(message)).isEmpty();
            assertThat(message).isEqualTo(MAPPER.readTree("""
                    {"text": "Cluster growing in Error analysis: Payment timeout &lt;!channel&gt; *now* (30 traces, growth +200% (10 → 30))",
                     "blocks": [
                      {"type": "header", "text": {"type": "plain_text", "text": "Cluster growing · Error analysis"}},
                      {"type": "section", "text": {"type": "mrkdwn", "text": "*Payment timeout &lt;!channel&gt; *now**\\nRule: Errors growing"},
                       "fields": [{"type": "mrkdwn", "text": "*Theme*\\nError analysis"},
                                  {"type": "mrkdwn", "text": "*Size*\\n30 traces"},
                                  {"type": "mrkdwn", "text": "*Growth*\\n+200% (10 → 30)"},
                                  {"type": "mrkdwn", "text": "*Lifecycle*\\ngrowing"},
                                  {"type": "mrkdwn", "text": "*Severity*\\nhigh"}]},
                      {"type": "section", "text": {"type": "mrkdwn", "text": "*Representative summaries*\\n• Payment API timed out after 30 s\\n• See &lt;http://evil.example|click here&gt; &amp; [x](http://evil.example) @here\\n• Checkout retried twice then gave up"}},
                      {"type": "actions", "elements": [
                        {"type": "button", "action_id": "open_cluster", "url": "https://prism.example/#/projects/p1/themes/error_analysis/clusters/c-7", "text": {"type": "plain_text", "text": "Open cluster"}},
                        {"type": "button", "action_id": "open_trace", "url": "https://prism.example/#/projects/p1/traces/t-42", "text": {"type": "plain_text", "text": "Open a trace"}}]},
                      {"type": "context", "elements": [{"type": "mrkdwn", "text": "Prism · growth · 2026-12-05T13:00:00Z"}]}
                     ]}"""));
            // No Slack control sequence anywhere a mrkdwn parser reads: every '<' from trace data is an entity.
            assertThat(message.toString()).doesNotContain("<!channel>").doesNotContain("<http://evil.example");
        });
    }

    @Test
    @DisplayName("without dashboard links there are no buttons; a notice without summaries has no summaries block")
    void withoutLinks(Vertx vertx) throws Exception {
        int port = fakeSlack(vertx);
        http = new GuardedHttp(vertx, AddressPolicy.allowAll(), GuardedHttp.HostResolver.system(vertx), 2_000, "t");
        AlertNotice bare = new AlertNotice("p", "r", "rule", "t", null, "c", null, "new_cluster", "new", 5, null, null, null,
                List.of(), null, null, null, "k");
        SendOutcome outcome = await(new SlackDestination(http).send(bare,
                new JsonObject().put("url", "http://127.0.0.1:" + port + "/services/T000/B000/XXXXSECRET")));
        assertThat(outcome.delivered()).isTrue();
        JsonNode message = received.get(0);
        assertThat(message.path("blocks").findValuesAsText("type")).containsExactly("header", "plain_text", "section", "mrkdwn", "mrkdwn", "mrkdwn",
                "mrkdwn", "mrkdwn", "context", "mrkdwn");
        assertThat(message.path("text").asText()).isEqualTo("New cluster in t: Unnamed cluster (5 traces, growth —)");
    }

    @Test
    @DisplayName("Slack's 429 is retried after its Retry-After, a 404 (removed webhook) is not; the URL's token never shows")
    void failures(Vertx vertx) throws Exception {
        int port = fakeSlack(vertx);
        http = new GuardedHttp(vertx, AddressPolicy.allowAll(), GuardedHttp.HostResolver.system(vertx), 2_000, "t");
        SlackDestination slack = new SlackDestination(http);
        SendOutcome limited = await(slack.send(Notices.growth("c", 1, 2, "k"),
                new JsonObject().put("url", "http://127.0.0.1:" + port + "/services/T000/B000/limited")));
        assertThat(limited).isEqualTo(SendOutcome.failed(429, true, Duration.ofSeconds(17), "Slack answered HTTP 429: rate_limited"));
        SendOutcome gone = await(slack.send(Notices.growth("c", 1, 2, "k"),
                new JsonObject().put("url", "http://127.0.0.1:" + port + "/services/T000/B000/revoked")));
        assertThat(gone).isEqualTo(SendOutcome.failed(404, false, null, "Slack answered HTTP 404: no_service"));
    }
}
