package dev.prism.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * What one external ticket is kept under: project, rule, destination within the rule and cluster identity. Its derived
 * names are deterministic, so a retried create carries the same id (Linear) or the same hidden marker (GitHub). Pure.
 */
record TicketKey(String projectId, String ruleId, String destinationKey, String clusterId) {

    /**
     * The key of a notice's ticket: its cluster, or for a notice about the whole theme ({@code share_changed}) the
     * theme, for a test the rule, so those get one issue each too.
     */
    static TicketKey of(AlertNotice n, String destinationKey) {
        String subject = n.clusterId() != null ? n.clusterId()
                : AlertRule.TEST.equals(n.kind()) ? "test:" + n.ruleId() : AlertEvaluator.themeSubject(n.themeId());
        return new TicketKey(n.projectId(), n.ruleId(), destinationKey, subject);
    }

    TicketKey withCluster(String clusterId) {
        return new TicketKey(projectId, ruleId, destinationKey, clusterId);
    }

    /**
     * What tickets are shared under: project, destination and cluster without the rule (see {@link AlertTickets}),
     * so notices of two rules for one cluster are handled one after the other and cannot both create an issue.
     */
    String sharedText() {
        return projectId + '\0' + destinationKey + '\0' + clusterId;
    }

    /** One string for hashing; NUL never occurs in ids. */
    String text() {
        return projectId + '\0' + ruleId + '\0' + destinationKey + '\0' + clusterId;
    }

    /** The issue's id: a UUID in the v4 format Linear asks for, derived from the key instead of drawn at random. */
    UUID issueId() {
        return uuid("issue\0" + text());
    }

    /** A comment's id for one notice on this ticket, so a retried comment cannot be posted twice. */
    UUID commentId(String noticeKey) {
        return uuid("comment\0" + text() + '\0' + noticeKey);
    }

    /** The hidden line in a GitHub issue's body that finds it again after an uncertain create. */
    String marker() {
        return "<!-- prism-cluster: " + hex("marker\0" + text()).substring(0, 32) + " -->";
    }

    /** The hidden line in a comment that finds it again after an uncertain post. */
    static String noticeMarker(String noticeKey) {
        return "<!-- prism-notice: " + hex("notice\0" + noticeKey).substring(0, 32) + " -->";
    }

    private static UUID uuid(String name) {
        byte[] b = digest(name);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (b[i] & 0xff);
            lsb = (lsb << 8) | (b[i + 8] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    private static String hex(String name) {
        return HexFormat.of().formatHex(digest(name));
    }

    private static byte[] digest(String name) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
