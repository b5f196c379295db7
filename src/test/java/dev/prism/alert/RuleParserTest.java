package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Alert rule parsing")
class RuleParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static AlertRule parse(String json) throws Exception {
        return RuleParser.parse("p", "r1", JSON.readTree(json), List.of("webhook"),
                (type, config) -> config.hasNonNull("url") ? null : "url: required", null, Instant.now());
    }

    @Test
    @DisplayName("a growth rule with defaults: window day, min_count 10, cooldown one hour, enabled")
    void defaults() throws Exception {
        AlertRule r = parse("{\"name\": \"Errors triple\", \"theme_id\": \"error_analysis\", \"trigger\": {\"type\": \"growth\", \"percent\": 200},"
                + " \"destinations\": [{\"type\": \"webhook\", \"url\": \"https://hooks.example.com/T0/secret-token\", \"secret\": \"s3cr3t\"}]}");
        assertThat(r.trigger()).isEqualTo(new AlertRule.Trigger("growth", null, 200.0, "day", 10, null, null));
        assertThat(r.cooldownSeconds()).isEqualTo(3600);
        assertThat(r.enabled()).isTrue();
        assertThat(r.conditions()).isEqualTo(AlertRule.Conditions.NONE);
    }

    @Test
    @DisplayName("share_changed: points, window day or week, min_count 20 by default; conditions (about clusters) refused")
    void shareChanged() throws Exception {
        String dest = " \"destinations\": [{\"type\": \"webhook\", \"url\": \"https://hooks.example.com/x\"}]";
        AlertRule week = parse("{\"name\": \"Errors share\", \"theme_id\": \"error_analysis\","
                + " \"trigger\": {\"type\": \"share_changed\", \"points\": 5, \"window\": \"week\"}," + dest + "}");
        assertThat(week.trigger()).isEqualTo(new AlertRule.Trigger("share_changed", null, null, "week", 20, null, 5.0));
        AlertRule day = parse("{\"name\": \"Errors share\", \"theme_id\": \"error_analysis\","
                + " \"trigger\": {\"type\": \"share_changed\", \"points\": 2.5, \"min_count\": 50}," + dest + "}");
        assertThat(day.trigger()).isEqualTo(new AlertRule.Trigger("share_changed", null, null, "day", 50, null, 2.5));
        assertThatThrownBy(() -> parse("{\"name\": \"x\", \"theme_id\": \"t\", \"trigger\": {\"type\": \"share_changed\", \"points\": 5},"
                + " \"conditions\": {\"min_severity\": \"high\"}," + dest + "}"))
                .hasMessageContaining("conditions: share_changed watches the theme, not a cluster");
        assertThatThrownBy(() -> parse("{\"name\": \"x\", \"theme_id\": \"t\", \"trigger\": {\"type\": \"share_changed\"}," + dest + "}"))
                .hasMessageContaining("trigger.points: required, a number from 0.1 to 100");
    }

    @Test
    @DisplayName("every invalid field is named in one message")
    void problems() {
        assertThatThrownBy(() -> parse("{\"theme_id\": 3, \"trigger\": {\"type\": \"growth\", \"percent\": -1, \"window\": \"month\"},"
                + " \"conditions\": {\"min_severity\": \"urgent\", \"colour\": \"red\"}, \"destinations\": [{\"type\": \"pager\"}, {\"type\": \"webhook\"}],"
                + " \"cooldown_seconds\": \"soon\"}"))
                .isInstanceOf(RuleParser.Invalid.class)
                .hasMessageContaining("name: required")
                .hasMessageContaining("theme_id: a text")
                .hasMessageContaining("trigger.percent: required, a number from 1 to 1000000")
                .hasMessageContaining("trigger.window: day or week, got 'month'")
                .hasMessageContaining("conditions.min_severity: one of low, medium, high")
                .hasMessageContaining("conditions.colour: unknown condition")
                .hasMessageContaining("destinations[0].type: one of webhook, got 'pager'")
                .hasMessageContaining("destinations[1]: url: required")
                .hasMessageContaining("cooldown_seconds: an integer from 0 to 2592000");
        assertThatThrownBy(() -> parse("{\"name\": \"x\", \"theme_id\": \"t\", \"trigger\": {\"type\": \"size_reached\"}, \"destinations\": []}"))
                .hasMessageContaining("trigger.size: required").hasMessageContaining("destinations: an array of at least one object");
    }

    @Test
    @DisplayName("the public view of a destination shows its type and plain fields, never a secret or a URL's path")
    void secretsWriteOnly() throws Exception {
        ObjectNode d = (ObjectNode) JSON.readTree("{\"type\": \"webhook\", \"url\": \"https://hooks.example.com/T0/secret-token\","
                + " \"secret\": \"s3cr3t\", \"api_key\": \"lin_api_123\", \"team_id\": \"ENG\", \"labels\": [\"bug\", \"alert\"],"
                + " \"callback\": \"https://x.example.org/?token=abc\"}");
        JsonNode view = RuleParser.publicView(d);
        assertThat(view.toString()).doesNotContain("secret-token", "s3cr3t", "lin_api_123", "token=abc");
        assertThat(view.get("type").asText()).isEqualTo("webhook");
        assertThat(view.get("url_set").asBoolean()).isTrue();
        assertThat(view.get("url_host").asText()).isEqualTo("hooks.example.com");
        assertThat(view.get("secret_set").asBoolean()).isTrue();
        assertThat(view.get("api_key_set").asBoolean()).isTrue();
        assertThat(view.get("team_id").asText()).isEqualTo("ENG");
        assertThat(view.get("labels").size()).isEqualTo(2);
        assertThat(view.get("callback_host").asText()).isEqualTo("x.example.org");
    }

    @Test
    @DisplayName("a rule written and read back is the same rule")
    void roundTrip() throws Exception {
        AlertRule r = parse("{\"name\": \"Back\", \"theme_id\": \"t\", \"trigger\": {\"type\": \"regressed\", \"quiet_days\": 5},"
                + " \"conditions\": {\"title_contains\": \"payment\", \"min_severity\": \"high\", \"min_distinct_users\": 3},"
                + " \"destinations\": [{\"type\": \"webhook\", \"url\": \"https://a.example.com\"}], \"cooldown_seconds\": 0, \"enabled\": false}");
        ObjectNode stored = RuleParser.stored(r);
        AlertRule again = RuleParser.parse("p", "r1", stored, List.of("webhook"), (t, c) -> null, null, r.updatedAt());
        assertThat(again).isEqualTo(r);
    }
}
