package dev.prism.alert;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("Destination secrets never appear in an outcome's detail or in the log, whatever the receiver answers")
class DestinationSecretsTest {

    private static final String WEBHOOK_SECRET = "whsec_TOPSECRET_4242424242";
    private static final String SLACK_PATH = "/services/T111/B222/SLACKSECRET9999";
    private static final String LINEAR_KEY = "lin_api_TOPSECRET_1234567";
    private static final String GITHUB_TOKEN = "ghp_TOPSECRET_abcdefghijkl";

    @Test
    @DisplayName("receivers that echo the request's secrets back in errors, refusals, timeouts and closed ports: no secret in details or logs")
    void noSecretsAnywhere(Vertx vertx) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        root.addAppender(log);
        // Every receiver answers an error that quotes the whole request back: path, headers, body.
        HttpServer echo = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            String quoted = "you sent " + req.uri() + " " + req.headers().entries() + " " + b;
            String json = new JsonObject().put("message", quoted).put("error", quoted)
                    .put("errors", new io.vertx.core.json.JsonArray().add(new JsonObject().put("message", quoted))).encode();
            if (!req.path().startsWith("/slow")) {
                req.response().setStatusCode(400).putHeader("Content-Type", "application/json").end(json);
            }
        })).listen(0, "127.0.0.1"));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + echo.actualPort();
        GuardedHttp allowing = new GuardedHttp(vertx, AddressPolicy.allowAll(), GuardedHttp.HostResolver.system(vertx), 10_000, "t");
        GuardedHttp impatient = new GuardedHttp(vertx, AddressPolicy.allowAll(), GuardedHttp.HostResolver.system(vertx), 300, "t");
        GuardedHttp refusing = new GuardedHttp(vertx, AddressPolicy.publicOnly(), GuardedHttp.HostResolver.system(vertx), 10_000, "t");
        List<SendOutcome> outcomes = new ArrayList<>();
        AlertNotice notice = Notices.growth("c", 1, 3, "k");
        try {
            List<java.util.Map.Entry<GuardedHttp, String>> cases = List.of(java.util.Map.entry(allowing, base),
                    java.util.Map.entry(impatient, base + "/slow"), java.util.Map.entry(allowing, "http://127.0.0.1:" + closedPort),
                    java.util.Map.entry(refusing, base));
            for (java.util.Map.Entry<GuardedHttp, String> c : cases) {
                GuardedHttp http = c.getKey();
                String root0 = c.getValue();
                {
                    List<java.util.function.Supplier<Future<SendOutcome>>> sends = List.of(() ->
                            new WebhookDestination(http, Clock.systemUTC()).send(notice,
                                    new JsonObject().put("url", root0 + "/hook?token=" + WEBHOOK_SECRET).put("secret", WEBHOOK_SECRET)),
                            () -> new SlackDestination(http).send(notice, new JsonObject().put("url", root0 + SLACK_PATH)),
                            () -> new LinearDestination(http, null).create(notice, new JsonObject().put("api_key", LINEAR_KEY).put("team_id", "t")
                                    .put("api_url", root0 + "/graphql"), new TicketKey("p", "r", "d", "c"))
                                    .map(i -> SendOutcome.delivered(200, null))
                                    .otherwise(e -> e instanceof TicketFlow.Failed f ? f.outcome : SendOutcome.failed(null, false, null, e.toString())),
                            () -> new GithubDestination(http, null, Clock.systemUTC()).create(notice, new JsonObject().put("token", GITHUB_TOKEN)
                                    .put("repo", "a/b").put("api_url", root0), new TicketKey("p", "r", "d", "c"))
                                    .map(i -> SendOutcome.delivered(200, null))
                                    .otherwise(e -> e instanceof TicketFlow.Failed f ? f.outcome : SendOutcome.failed(null, false, null, e.toString())));
                    for (java.util.function.Supplier<Future<SendOutcome>> send : sends) {
                        outcomes.add(await(send.get()));
                    }
                }
            }
        } finally {
            root.detachAppender(log);
            await(allowing.close());
            await(impatient.close());
            await(refusing.close());
            await(echo.close());
        }
        assertThat(outcomes).hasSize(16).allSatisfy(o -> {
            assertThat(o.delivered()).isFalse();
            assertThat(o.detail()).isNotBlank()
                    .doesNotContain(WEBHOOK_SECRET).doesNotContain("SLACKSECRET9999").doesNotContain(LINEAR_KEY).doesNotContain(GITHUB_TOKEN);
        });
        // The echoes did reach the details (redacted), so the check above is not vacuous.
        assertThat(outcomes).anySatisfy(o -> assertThat(o.detail()).contains("you sent").contains("***"));
        assertThat(outcomes).anySatisfy(o -> assertThat(o.detail()).contains("a loopback address"));
        assertThat(outcomes).anySatisfy(o -> assertThat(o.detail()).contains("no answer within 300 ms"));
        for (ILoggingEvent event : log.list) {
            String text = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
            assertThat(text).doesNotContain(WEBHOOK_SECRET).doesNotContain("SLACKSECRET9999").doesNotContain(LINEAR_KEY).doesNotContain(GITHUB_TOKEN);
        }
    }
}
