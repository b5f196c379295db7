package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The WebSocket message schema")
class LiveProtocolTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static LiveProtocol.Invalid invalid(String text) {
        LiveProtocol.Request r = LiveProtocol.parse(text);
        assertThat(r).isInstanceOf(LiveProtocol.Invalid.class);
        return (LiveProtocol.Invalid) r;
    }

    @Test
    @DisplayName("reads auth, subscribe, unsubscribe and ping requests with their correlation ids")
    void parsesRequests() {
        assertThat(LiveProtocol.parse("{\"type\": \"auth\", \"token\": \" key-1 \", \"id\": 7}"))
                .isEqualTo(new LiveProtocol.Auth(JSON.getNodeFactory().numberNode(7), "key-1"));
        assertThat(LiveProtocol.parse("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"error_analysis\", \"ux_issues\"]}"))
                .isEqualTo(new LiveProtocol.Subscribe(null, "default", List.of("error_analysis", "ux_issues")));
        assertThat(LiveProtocol.parse("{\"type\": \"subscribe\", \"project\": \"default\", \"id\": \"a\"}"))
                .isEqualTo(new LiveProtocol.Subscribe(JSON.getNodeFactory().textNode("a"), "default", null));
        assertThat(LiveProtocol.parse("{\"type\": \"unsubscribe\", \"project\": \"default\", \"themes\": null}"))
                .isEqualTo(new LiveProtocol.Unsubscribe(null, "default", null));
        assertThat(LiveProtocol.parse("{\"type\": \"ping\"}")).isEqualTo(new LiveProtocol.Ping(null));
        assertThat(LiveProtocol.parse("{\"type\": \"auth\", \"token\": \"secret-key\"}").toString()).doesNotContain("secret-key");
    }

    @Test
    @DisplayName("answers malformed requests with an error code and a sentence")
    void rejectsMalformed() {
        assertThat(invalid("{not json").error()).isEqualTo("invalid_json");
        assertThat(invalid("[1, 2]").error()).isEqualTo("invalid_message");
        assertThat(invalid("{\"token\": \"x\"}").error()).isEqualTo("invalid_message");
        LiveProtocol.Invalid unknown = invalid("{\"type\": \"subscribe_all\", \"id\": 3}");
        assertThat(unknown.error()).isEqualTo("unknown_type");
        assertThat(unknown.detail()).contains("subscribe_all");
        assertThat(unknown.id().asInt()).isEqualTo(3);
        assertThat(invalid("{\"type\": \"auth\", \"token\": \"\"}").detail()).contains("token");
        assertThat(invalid("{\"type\": \"auth\", \"token\": 12}").error()).isEqualTo("invalid_message");
        assertThat(invalid("{\"type\": \"subscribe\"}").detail()).contains("project");
        assertThat(invalid("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": []}").detail()).contains("themes");
        assertThat(invalid("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": \"error_analysis\"}").detail()).contains("themes");
        assertThat(invalid("{\"type\": \"subscribe\", \"project\": \"default\", \"themes\": [\"Bad Theme\"]}").detail()).contains("Bad Theme");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= LiveProtocol.MAX_THEMES_PER_REQUEST; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        assertThat(invalid("{\"type\": \"unsubscribe\", \"project\": \"default\", \"themes\": " + many + "]}").error()).isEqualTo("invalid_message");
        assertThat(invalid("{\"type\": \"subscribe\", \"project\": \"\"}").error()).isEqualTo("invalid_message");
    }

    @Test
    @DisplayName("writes replies: the subscription now held, errors with the request's id, pongs and dropped notices")
    void writesReplies() throws Exception {
        JsonNode some = json(LiveProtocol.subscription("subscribed", new Subscriptions.View("default", false, List.of("a", "b"), List.of()),
                JSON.getNodeFactory().numberNode(1)));
        assertThat(some).isEqualTo(json("{\"type\": \"subscribed\", \"project\": \"default\", \"themes\": [\"a\", \"b\"], \"id\": 1}"));
        JsonNode all = json(LiveProtocol.subscription("unsubscribed", new Subscriptions.View("default", true, List.of(), List.of("c")), null));
        assertThat(all).isEqualTo(json("{\"type\": \"unsubscribed\", \"project\": \"default\", \"themes\": null, \"except\": [\"c\"]}"));
        assertThat(json(LiveProtocol.error("unknown_type", "No.", JSON.getNodeFactory().textNode("x"))))
                .isEqualTo(json("{\"type\": \"error\", \"error\": \"unknown_type\", \"detail\": \"No.\", \"id\": \"x\"}"));
        assertThat(json(LiveProtocol.dropped(12))).isEqualTo(json("{\"type\": \"dropped\", \"count\": 12}"));
        assertThat(json(LiveProtocol.pong(null))).isEqualTo(json("{\"type\": \"pong\"}"));
        assertThat(json(LiveProtocol.authenticated(null))).isEqualTo(json("{\"type\": \"authenticated\"}"));
    }

    @Test
    @DisplayName("renders an update once as {type, project, theme, data}, with a coalescing key scoped to its type, project and theme")
    void updates() throws Exception {
        LiveProtocol.Update u = LiveProtocol.update("run.progress", "default", "errors", "12", json("{\"id\": 12}"));
        assertThat(json(u.text())).isEqualTo(json("{\"type\": \"run.progress\", \"project\": \"default\", \"theme\": \"errors\", \"data\": {\"id\": 12}}"));
        assertThat(u.text()).isSameAs(u.text());
        assertThat(u.coalesceKey).isNotEqualTo(LiveProtocol.update("cluster.updated", "default", "errors", "12", null).coalesceKey);
        assertThat(LiveProtocol.update("alert.fired", "default", null, null, null).coalesceKey).isNull();
        assertThat(json(LiveProtocol.update("alert.fired", "default", null, null, null).text()).get("theme").isNull()).isTrue();
        assertThat(LiveProtocol.update("error", "default", "t", null, null)).as("control types are not updates").isNull();
        assertThat(LiveProtocol.update("cluster.updated", null, "t", null, null)).as("no project, no route").isNull();
    }

    @Test
    @DisplayName("routes a feature's JSON object by its project and theme fields and coalesces it by key or id")
    void routesObjects() throws Exception {
        LiveProtocol.Update cluster = LiveProtocol.route("cluster.updated",
                json("{\"project_id\": \"default\", \"theme_id\": \"errors\", \"cluster_id\": \"c7\", \"size\": 4}"), "cluster_id", "id");
        assertThat(cluster.project).isEqualTo("default");
        assertThat(cluster.theme).isEqualTo("errors");
        assertThat(cluster.coalesceKey).endsWith("\nc7");
        assertThat(json(cluster.text()).get("data").get("size").asInt()).isEqualTo(4);
        LiveProtocol.Update keyed = LiveProtocol.route("cluster.updated",
                json("{\"project\": \"default\", \"theme\": \"errors\", \"key\": \"k\", \"id\": \"c7\"}"), "cluster_id", "id");
        assertThat(keyed.coalesceKey).endsWith("\nk");
        LiveProtocol.Update alert = LiveProtocol.route("alert.fired", json("{\"projectId\": \"default\", \"id\": 5}"));
        assertThat(alert.coalesceKey).as("alerts are events, not states").isNull();
        assertThat(alert.theme).isNull();
        assertThat(LiveProtocol.route("alert.fired", json("{\"id\": 5}"))).isNull();
        assertThat(LiveProtocol.route("alert.fired", json("[1]"))).isNull();
    }

    enum Trend { GROWING }

    record Member(String traceId, double score) {
    }

    record ClusterUpdated(String projectId, String themeId, String clusterId, Trend trend, Instant updatedAt, Optional<String> label,
                          List<Member> members, Map<String, Integer> counts, int[] sizes, Double nothing) {
    }

    @Test
    @DisplayName("turns any record into snake_case JSON with ISO-8601 times, so features can publish their own records")
    void recordsAsJson() throws Exception {
        Instant t = Instant.parse("2025-03-04T14:20:01.200Z");
        JsonNode out = LiveProtocol.toJson(new ClusterUpdated("default", "errors", "c1", Trend.GROWING, t, Optional.empty(),
                List.of(new Member("t1", 0.5)), Map.of("day", 3), new int[]{1, 2}, Double.NaN));
        assertThat(out).isEqualTo(json("""
                {"project_id": "default", "theme_id": "errors", "cluster_id": "c1", "trend": "GROWING", "updated_at": "2025-03-04T14:20:01.200Z",
                 "label": null, "members": [{"trace_id": "t1", "score": 0.5}], "counts": {"day": 3}, "sizes": [1, 2], "nothing": null}"""));
        LiveProtocol.Update routed = LiveProtocol.route("cluster.updated", out, "cluster_id");
        assertThat(routed.project).isEqualTo("default");
        assertThat(routed.coalesceKey).endsWith("\nc1");
        assertThat(LiveProtocol.snakeCase("costUSD")).isEqualTo("cost_usd");
        assertThat(LiveProtocol.snakeCase("p95LatencyMs")).isEqualTo("p95_latency_ms");
        assertThat(LiveProtocol.snakeCase("already_snake")).isEqualTo("already_snake");
    }
}
