package dev.prism.alert;

import java.time.Instant;
import java.util.List;

/** Notices for destination tests: a growing error cluster whose trace data tries every markup trick. */
final class Notices {

    static final String HOSTILE_NAME = "Payment timeout <!channel> *now*";
    static final String HOSTILE_SUMMARY = "See <http://evil.example|click here> & [x](http://evil.example) @here";

    private Notices() {
    }

    static AlertNotice growth(String clusterId, int previous, int size, String dedupeKey) {
        return notice("growth", clusterId, "growing", previous, size, dedupeKey);
    }

    static AlertNotice notice(String kind, String clusterId, String lifecycle, Integer previous, int size, String dedupeKey) {
        Double growth = previous == null || previous == 0 ? null : (size - previous) * 100.0 / previous;
        return new AlertNotice("p1", "rule-1", "Errors growing", "error_analysis", "Error analysis", clusterId, HOSTILE_NAME, kind,
                lifecycle, size, previous, growth, "high",
                List.of("Payment API timed out after 30 s", HOSTILE_SUMMARY, "Checkout retried twice\nthen gave up"),
                "https://prism.example/#/projects/p1/themes/error_analysis/clusters/" + clusterId,
                "https://prism.example/#/projects/p1/traces/t-42", Instant.parse("2026-12-05T13:00:00Z"), dedupeKey);
    }
}
