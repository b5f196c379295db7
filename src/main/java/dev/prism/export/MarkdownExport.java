package dev.prism.export;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Markdown export: a report a person reads (overview table, then one section per cluster with its trend and
 * representative summaries). Every value that came from traces goes through {@link MarkdownText}; links are built here
 * from percent-encoded ids, so none carries markup either.
 */
public final class MarkdownExport {

    private MarkdownExport() {
    }

    public static byte[] render(ThemeReport r) {
        return text(r).getBytes(StandardCharsets.UTF_8);
    }

    static String text(ThemeReport r) {
        StringBuilder md = new StringBuilder(4096);
        md.append("# ").append(MarkdownText.escape(r.themeName())).append(": clusters\n\n");
        if (r.themeDescription() != null && !r.themeDescription().isBlank()) {
            md.append(MarkdownText.escape(r.themeDescription())).append("\n\n");
        }
        md.append("Exported ").append(r.generatedAt()).append(" from project ").append(MarkdownText.escape(r.projectId()))
                .append(", theme ").append(MarkdownText.escape(r.themeId())).append(": ").append(r.themeSummaries())
                .append(" summaries, ").append(r.clusters().size()).append(" clusters, ").append(r.unassigned())
                .append(" in no cluster (Other). ")
                .append(r.lastRunAt() == null ? "Not re-clustered yet." : "Last re-clustering " + r.lastRunAt() + ".")
                .append(" [Open in the dashboard](").append(r.themeLink()).append(")\n\n");
        if (r.clusters().isEmpty()) {
            md.append("No clusters yet.\n");
            return md.toString();
        }
        md.append("| # | Cluster | Size | Share | Lifecycle | Last 24 h | Day before | Growth |\n");
        md.append("|---:|---|---:|---:|---|---:|---:|---:|\n");
        int n = 0;
        for (ThemeReport.ClusterPart c : r.clusters()) {
            md.append("| ").append(++n).append(" | ").append(MarkdownText.escape(c.title())).append(" | ").append(c.size())
                    .append(" | ").append(percent(c.share())).append(" | ").append(c.lifecycle() == null ? "–" : MarkdownText.escape(c.lifecycle()))
                    .append(" | ").append(c.lastDay()).append(" | ").append(c.previousDay()).append(" | ").append(growth(c.growth()))
                    .append(" |\n");
        }
        n = 0;
        for (ThemeReport.ClusterPart c : r.clusters()) {
            md.append("\n## ").append(++n).append(". ").append(MarkdownText.escape(c.title())).append("\n\n");
            if (c.description() != null && !c.description().isBlank()) {
                md.append(MarkdownText.escape(c.description())).append("\n\n");
            }
            md.append("- Size: ").append(c.size()).append(" (").append(percent(c.share())).append(" of the theme), error rate ")
                    .append(percent(c.errorRate())).append(", ").append(c.distinctUsers()).append(c.distinctUsers() == 1 ? " user\n" : " users\n");
            if (c.lifecycle() != null) {
                md.append("- Lifecycle: ").append(MarkdownText.escape(c.lifecycle())).append('\n');
            }
            md.append("- Trend: ").append(c.lastDay()).append(" in the last 24 h, ").append(c.previousDay()).append(" the day before, growth ")
                    .append(growth(c.growth())).append("; per UTC day since ")
                    .append(c.daily().isEmpty() ? "–" : c.daily().get(0).date().toString()).append(": ")
                    .append(c.daily().stream().map(d -> Long.toString(d.count())).collect(Collectors.joining(" "))).append('\n');
            md.append("- [Cluster in the dashboard](").append(c.link()).append(")\n\n");
            if (!c.representatives().isEmpty()) {
                md.append("Representative summaries (nearest the centroid):\n\n");
                int i = 0;
                for (ThemeReport.Member m : c.representatives()) {
                    md.append(++i).append(". ");
                    if (m.title() != null) {
                        md.append("**").append(MarkdownText.escape(m.title())).append("**: ");
                    }
                    md.append(MarkdownText.escape(m.summary())).append(" ([trace ").append(MarkdownText.escape(m.traceId()))
                            .append("](").append(m.link()).append("))\n");
                }
            }
        }
        return md.toString();
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    static String growth(Double growth) {
        return growth == null ? "–" : String.format(Locale.ROOT, "%+.0f %%", growth * 100);
    }
}
