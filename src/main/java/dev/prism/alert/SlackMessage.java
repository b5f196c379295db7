package dev.prism.alert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A notice as a Slack incoming-webhook message: Block Kit blocks (a header, the cluster with its figures, the
 * representative summaries, buttons to the cluster and a trace) and a {@code text} fallback for notifications.
 * Every text from trace data is escaped ({@link #escape}) before it enters mrkdwn, so {@code <!channel>} or
 * {@code <http://evil|click>} in a summary shows as typed and pings or links nothing. The header is plain_text, which
 * Slack never parses for mentions or links. Pure.
 */
final class SlackMessage {

    /** Slack's limit for a header's text. */
    private static final int MAX_HEADER = 150;

    private SlackMessage() {
    }

    /** The three characters Slack's mrkdwn treats as control characters, as the entities Slack documents. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static ObjectNode of(AlertNotice n) {
        if (n.themeLevel()) {
            return ofTheme(n);
        }
        ObjectNode message = NoticeJson.MAPPER.createObjectNode();
        String cluster = escape(NoticeText.clusterName(n));
        String theme = escape(NoticeText.themeName(n));
        message.put("text", NoticeText.headline(n) + " in " + theme + ": " + cluster + " (" + n.size() + " traces, growth "
                + NoticeText.growth(n) + ")");
        ArrayNode blocks = message.putArray("blocks");

        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text")
                .put("text", NoticeText.oneLine(NoticeText.headline(n) + " · " + NoticeText.themeName(n), MAX_HEADER));

        ObjectNode figures = blocks.addObject().put("type", "section");
        figures.putObject("text").put("type", "mrkdwn").put("text", "*" + cluster + "*\nRule: " + escape(NoticeText.orDash(n.ruleName())));
        ArrayNode fields = figures.putArray("fields");
        field(fields, "Theme", theme);
        field(fields, "Size", n.size() + " traces");
        field(fields, "Growth", NoticeText.growth(n));
        field(fields, "Lifecycle", escape(NoticeText.orDash(n.lifecycle())));
        if (n.severity() != null && !n.severity().isBlank()) {
            field(fields, "Severity", escape(NoticeText.orDash(n.severity())));
        }

        List<String> summaries = NoticeText.summaries(n);
        if (!summaries.isEmpty()) {
            StringBuilder text = new StringBuilder("*Representative summaries*");
            summaries.forEach(s -> text.append("\n• ").append(escape(s)));
            blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", text.toString());
        }

        if (n.clusterUrl() != null || n.traceUrl() != null) {
            ArrayNode buttons = blocks.addObject().put("type", "actions").putArray("elements");
            if (n.clusterUrl() != null) {
                button(buttons, "Open cluster", n.clusterUrl(), "open_cluster");
            }
            if (n.traceUrl() != null) {
                button(buttons, "Open a trace", n.traceUrl(), "open_trace");
            }
        }
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", "Prism · " + escape(NoticeText.orDash(n.kind())) + " · " + (n.firedAt() == null ? "" : n.firedAt().toString()));
        return message;
    }

    /** A notice about the whole theme: its share of relevant traces before and now, a button to its clusters. */
    private static ObjectNode ofTheme(AlertNotice n) {
        ObjectNode message = NoticeJson.MAPPER.createObjectNode();
        String theme = escape(NoticeText.themeName(n));
        message.put("text", NoticeText.headline(n) + " in " + theme + ": " + NoticeText.share(n) + " of analysed traces relevant");
        ArrayNode blocks = message.putArray("blocks");
        blocks.addObject().put("type", "header").putObject("text").put("type", "plain_text")
                .put("text", NoticeText.oneLine(NoticeText.headline(n) + " · " + NoticeText.themeName(n), MAX_HEADER));
        ObjectNode figures = blocks.addObject().put("type", "section");
        figures.putObject("text").put("type", "mrkdwn").put("text", "*" + theme + "*: share of analysed traces relevant to the theme\nRule: "
                + escape(NoticeText.orDash(n.ruleName())));
        ArrayNode fields = figures.putArray("fields");
        field(fields, "Share", NoticeText.share(n));
        field(fields, "Relevant traces", (n.previousSize() == null ? "—" : n.previousSize().toString()) + " → " + n.size());
        if (n.clusterUrl() != null) {
            button(blocks.addObject().put("type", "actions").putArray("elements"), "Open the theme's clusters", n.clusterUrl(), "open_cluster");
        }
        blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", "Prism · " + escape(NoticeText.orDash(n.kind())) + " · " + (n.firedAt() == null ? "" : n.firedAt().toString()));
        return message;
    }

    private static void field(ArrayNode fields, String label, String escapedValue) {
        fields.addObject().put("type", "mrkdwn").put("text", "*" + label + "*\n" + escapedValue);
    }

    private static void button(ArrayNode buttons, String label, String url, String actionId) {
        ObjectNode button = buttons.addObject().put("type", "button").put("action_id", actionId).put("url", url);
        button.putObject("text").put("type", "plain_text").put("text", label);
    }
}
