package dev.prism.alert;

import java.util.ArrayList;
import java.util.List;

/**
 * A notice as a Linear or GitHub issue: a one-line title, a markdown body with the figures and summaries, and the
 * comments that later notices add. Trace data is escaped with {@link Markdown#escape}; the title is plain text in
 * both trackers and only made one line. Pure.
 */
final class TicketText {

    private static final int MAX_TITLE = 200;

    private TicketText() {
    }

    static String title(AlertNotice n) {
        if (n.themeLevel()) {
            return NoticeText.oneLine("[Prism] Share of relevant traces (" + NoticeText.themeName(n) + ")", MAX_TITLE);
        }
        return NoticeText.oneLine("[Prism] " + NoticeText.clusterName(n) + " (" + NoticeText.themeName(n) + ")", MAX_TITLE);
    }

    /** The issue's body; {@code marker} (an HTML comment, invisible when rendered) is appended when given. */
    static String body(AlertNotice n, String marker) {
        if (n.themeLevel()) {
            return themeText(n, marker, true);
        }
        StringBuilder b = new StringBuilder();
        b.append("**").append(NoticeText.headline(n)).append("** in theme **").append(Markdown.escape(NoticeText.themeName(n)))
                .append("**: ").append(Markdown.escape(NoticeText.clusterName(n))).append("\n\n");
        b.append("| Size | Growth | Lifecycle | Severity |\n|---|---|---|---|\n");
        b.append("| ").append(n.size()).append(" | ").append(Markdown.escape(NoticeText.growth(n))).append(" | ")
                .append(Markdown.escape(NoticeText.orDash(n.lifecycle()))).append(" | ").append(Markdown.escape(NoticeText.orDash(n.severity())))
                .append(" |\n\n");
        summaries(b, n, "Representative summaries");
        links(b, n);
        b.append("Rule: ").append(Markdown.escape(NoticeText.orDash(n.ruleName()))).append(" · cluster `").append(safeId(n.clusterId())).append("`\n");
        if (marker != null) {
            b.append("\n").append(marker).append("\n");
        }
        return b.toString();
    }

    /** A later notice on an existing issue (growth, size, regression); {@code marker} as in {@link #body}. */
    static String comment(AlertNotice n, String marker) {
        if (n.themeLevel()) {
            return themeText(n, marker, false);
        }
        StringBuilder b = new StringBuilder();
        b.append("**").append(NoticeText.headline(n)).append("**: now ").append(n.size()).append(" traces, growth ")
                .append(Markdown.escape(NoticeText.growth(n))).append(", lifecycle ").append(Markdown.escape(NoticeText.orDash(n.lifecycle())))
                .append(".\n\n");
        summaries(b, n, "Latest representative summaries");
        links(b, n);
        if (marker != null) {
            b.append(marker).append("\n");
        }
        return b.toString();
    }

    /** A notice about the whole theme: the share of relevant traces before and now. */
    private static String themeText(AlertNotice n, String marker, boolean issue) {
        StringBuilder b = new StringBuilder();
        b.append("**").append(NoticeText.headline(n)).append("**");
        if (issue) {
            b.append(" in theme **").append(Markdown.escape(NoticeText.themeName(n))).append("**");
        }
        b.append(": ").append(Markdown.escape(NoticeText.share(n))).append(" of analysed traces relevant (")
                .append(n.previousSize() == null ? "—" : n.previousSize()).append(" → ").append(n.size()).append(" traces).\n\n");
        String link = Markdown.link("Open the theme's clusters in Prism", n.clusterUrl());
        if (!link.isEmpty()) {
            b.append(link).append("\n\n");
        }
        if (issue) {
            b.append("Rule: ").append(Markdown.escape(NoticeText.orDash(n.ruleName()))).append('\n');
        }
        if (marker != null) {
            b.append(issue ? "\n" : "").append(marker).append('\n');
        }
        return b.toString();
    }

    private static void summaries(StringBuilder b, AlertNotice n, String heading) {
        List<String> summaries = NoticeText.summaries(n);
        if (!summaries.isEmpty()) {
            b.append("**").append(heading).append("**\n\n");
            summaries.forEach(s -> b.append("- ").append(Markdown.escape(s)).append('\n'));
            b.append('\n');
        }
    }

    private static void links(StringBuilder b, AlertNotice n) {
        List<String> links = new ArrayList<>();
        String cluster = Markdown.link("Open the cluster in Prism", n.clusterUrl());
        String trace = Markdown.link("Open a trace", n.traceUrl());
        if (!cluster.isEmpty()) {
            links.add(cluster);
        }
        if (!trace.isEmpty()) {
            links.add(trace);
        }
        if (!links.isEmpty()) {
            b.append(String.join(" · ", links)).append("\n\n");
        }
    }

    /** Cluster ids are Prism's own, but a code span must not end early. */
    private static String safeId(String id) {
        return id == null ? "" : id.replace("`", "");
    }
}
