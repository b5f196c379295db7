package dev.prism.alert;

import java.util.List;
import java.util.Locale;

/**
 * The words every destination uses for a notice before its own escaping: what happened, the growth, one-line summaries.
 * Pure; nothing here escapes, each destination escapes for its own markup.
 */
final class NoticeText {

    static final int MAX_SUMMARIES = 3;
    static final int MAX_SUMMARY_CHARS = 280;
    static final int MAX_NAME_CHARS = 200;

    private NoticeText() {
    }

    /** "Cluster growing", "New cluster", … */
    static String headline(AlertNotice n) {
        return switch (n.kind() == null ? "" : n.kind()) {
            case "new_cluster" -> "New cluster";
            case "size_reached" -> "Cluster reached " + n.size() + " traces";
            case "growth" -> "Cluster growing";
            case "regressed" -> "Cluster came back";
            case "share_changed" -> "Theme share changed";
            case "test" -> "Test alert";
            default -> "Alert";
        };
    }

    /** "+200% (14 → 42)", "+200%", or "—" when the notice measured none. */
    static String growth(AlertNotice n) {
        if (n.growthPercent() == null) {
            return n.previousSize() == null ? "—" : n.previousSize() + " → " + n.size();
        }
        String percent = String.format(Locale.ROOT, "%+.0f%%", n.growthPercent());
        return n.previousSize() == null ? percent : percent + " (" + n.previousSize() + " → " + n.size() + ")";
    }

    /** "10.0% → 30.0%": a theme-level notice's share of relevant traces, before and now. */
    static String share(AlertNotice n) {
        return String.format(Locale.ROOT, "%.1f%% → %.1f%%", n.previousSharePercent() == null ? Double.NaN : n.previousSharePercent(),
                n.sharePercent());
    }

    static String clusterName(AlertNotice n) {
        String name = n.clusterName() == null || n.clusterName().isBlank() ? "Unnamed cluster" : n.clusterName();
        return oneLine(name, MAX_NAME_CHARS);
    }

    static String themeName(AlertNotice n) {
        String name = n.themeName() == null || n.themeName().isBlank() ? n.themeId() : n.themeName();
        return oneLine(name == null ? "" : name, MAX_NAME_CHARS);
    }

    static String orDash(String value) {
        return value == null || value.isBlank() ? "—" : oneLine(value, MAX_NAME_CHARS);
    }

    /** The first {@value #MAX_SUMMARIES} summaries, each on one line and cut at {@value #MAX_SUMMARY_CHARS} characters. */
    static List<String> summaries(AlertNotice n) {
        return n.summaries().stream().filter(s -> s != null && !s.isBlank()).limit(MAX_SUMMARIES)
                .map(s -> oneLine(s, MAX_SUMMARY_CHARS)).toList();
    }

    /** Whitespace runs (newlines included) as one space, cut at {@code max} characters with an ellipsis. */
    static String oneLine(String text, int max) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() > max ? line.substring(0, max - 1) + "…" : line;
    }
}
