package dev.prism.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Alert texts: escaping per markup, ids, Retry-After and redaction")
class AlertTextTest {

    @Test
    @DisplayName("Slack escaping turns mentions and links from trace data into inert text")
    void slackEscape() {
        assertThat(SlackMessage.escape("<!channel> see <http://evil|x> & more")).isEqualTo("&lt;!channel&gt; see &lt;http://evil|x&gt; &amp; more");
    }

    @Test
    @DisplayName("markdown escaping leaves no link, image, HTML, heading or mention to be made from trace data")
    void markdownEscape() {
        String escaped = Markdown.escape("# [click](http://evil) ![i](x) <img src=x> @team *bold* `code` | cell");
        assertThat(escaped).isEqualTo("\\# \\[click\\]\\(http://evil\\) \\!\\[i\\]\\(x\\) \\<img src\\=x\\> @\u200Bteam \\*bold\\* \\`code\\` \\| cell");
        assertThat(Markdown.link("Open", "https://prism.example/#/p/clusters/c1")).isEqualTo("[Open](https://prism.example/#/p/clusters/c1)");
        assertThat(Markdown.link("Open", "javascript:alert(1)")).isEmpty();
        assertThat(Markdown.link("Open", "https://x.example/a) [evil](http://e")).isEmpty();
    }

    @Test
    @DisplayName("ticket ids are deterministic UUIDs in v4 format, different per key and per notice")
    void ids() {
        TicketKey key = new TicketKey("p", "r", "linear:team", "c1");
        UUID id = key.issueId();
        assertThat(id).isEqualTo(new TicketKey("p", "r", "linear:team", "c1").issueId());
        assertThat(id.version()).isEqualTo(4);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(key.withCluster("c2").issueId()).isNotEqualTo(id);
        assertThat(key.commentId("n1")).isNotEqualTo(key.commentId("n2")).isNotEqualTo(id);
        assertThat(key.marker()).matches("<!-- prism-cluster: [0-9a-f]{32} -->");
    }

    @Test
    @DisplayName("Retry-After is read as seconds or as an HTTP date")
    void retryAfter() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(Outcomes.retryAfter("7", now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(Outcomes.retryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Outcomes.retryAfter("soon", now)).isNull();
        assertThat(Outcomes.retryAfter(null, now)).isNull();
    }

    @Test
    @DisplayName("statuses: 5xx, 429 and 408 retry with Retry-After, other 4xx do not")
    void statuses() {
        SendOutcome busy = Outcomes.ofStatus(429, "12", "Slack", "rate_limited", List.of());
        assertThat(busy.retryable()).isTrue();
        assertThat(busy.retryAfter()).isEqualTo(Duration.ofSeconds(12));
        assertThat(busy.detail()).isEqualTo("Slack answered HTTP 429: rate_limited");
        assertThat(Outcomes.ofStatus(503, null, "x", "", List.of()).retryable()).isTrue();
        SendOutcome gone = Outcomes.ofStatus(404, "5", "x", "no_service", List.of());
        assertThat(gone.retryable()).isFalse();
        assertThat(gone.retryAfter()).isNull();
        assertThat(gone.delivered()).isFalse();
    }

    @Test
    @DisplayName("redaction removes every secret and a webhook URL's path from a detail")
    void redaction() {
        String url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";
        assertThat(Outcomes.redact("failed for " + url + " and /services/T000/B000/XXXXSECRET with tok_123456", List.of(url, "tok_123456")))
                .isEqualTo("failed for *** and *** with ***");
    }

    @Test
    @DisplayName("a theme-level share notice: Slack shows the share before and now with a button to the theme; trackers keep one issue per theme")
    void themeShareNotice() {
        AlertNotice n = new AlertNotice("p1", "r9", "Errors <share>", "error_analysis", "Error <analysis>", null, null, "share_changed", null,
                30, 10, null, null, List.of(), "https://prism.example/#/themes/error_analysis/clusters", null,
                java.time.Instant.parse("2026-12-05T13:00:00Z"), "r9/theme:error_analysis/share:day:2026-12-05", 30.0, 10.0);
        assertThat(n.themeLevel()).isTrue();
        com.fasterxml.jackson.databind.JsonNode slack = SlackMessage.of(n);
        assertThat(slack.get("text").asText()).isEqualTo("Theme share changed in Error &lt;analysis&gt;: 10.0% → 30.0% of analysed traces relevant");
        assertThat(slack.get("blocks").findValuesAsText("type")).containsSubsequence("header", "section", "actions", "context");
        assertThat(slack.toString()).contains("*Share*\\n10.0% → 30.0%", "*Relevant traces*\\n10 → 30", "Rule: Errors &lt;share&gt;",
                "https://prism.example/#/themes/error_analysis/clusters").doesNotContain("Unnamed cluster", "<share>");
        assertThat(TicketText.title(n)).isEqualTo("[Prism] Share of relevant traces (Error <analysis>)");
        assertThat(TicketText.body(n, "<!-- m -->")).isEqualTo("""
                **Theme share changed** in theme **Error \\<analysis\\>**: 10\\.0% → 30\\.0% of analysed traces relevant (10 → 30 traces).

                [Open the theme's clusters in Prism](https://prism.example/#/themes/error_analysis/clusters)

                Rule: Errors \\<share\\>

                <!-- m -->
                """);
        assertThat(TicketKey.of(n, "github:acme/app").clusterId()).isEqualTo("theme:error_analysis");
        AlertNotice test = new AlertNotice("p1", "r9", "rule", "error_analysis", null, null, "Test alert from Prism", "test", null, 0, null, null,
                null, List.of(), null, null, null, "k");
        assertThat(TicketKey.of(test, "github:acme/app").clusterId()).isEqualTo("test:r9");
        assertThat(NoticeJson.read(NoticeJson.write(n))).isEqualTo(n);
    }
}
