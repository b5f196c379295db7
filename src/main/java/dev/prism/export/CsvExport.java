package dev.prism.export;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The CSV export: RFC 4180 (Commons CSV, CRLF line ends, quotes where needed), one file with a {@code level} column:
 * one {@code cluster} row per cluster (its figures), then one {@code member} row per exported member of it (the
 * cluster's id and title repeated, so a spreadsheet filter on {@code level} gives either table). Text cells that a
 * spreadsheet would run as a formula (starting with {@code = + - @}, tab or CR) get a leading {@code '}; numbers are
 * written as numbers.
 */
public final class CsvExport {

    public static final List<String> HEADER = List.of("level", "cluster_id", "cluster_title", "size", "share", "lifecycle", "last_day",
            "previous_day", "growth", "error_rate", "distinct_users", "representative", "trace_id", "trace_version", "distance", "at",
            "title", "summary", "link");

    private CsvExport() {
    }

    public static byte[] render(ThemeReport r) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(HEADER.toArray(String[]::new)).get())) {
            for (ThemeReport.ClusterPart c : r.clusters()) {
                csv.printRecord(row("cluster", c, c.size(), c.share(), c.lifecycle(), c.lastDay(), c.previousDay(), c.growth(), c.errorRate(),
                        c.distinctUsers(), null, null, null, null, null, c.title(), c.description(), c.link()));
                java.util.Set<String> reps = new java.util.HashSet<>();
                c.representatives().forEach(m -> reps.add(m.traceId()));
                for (ThemeReport.Member m : c.members()) {
                    csv.printRecord(row("member", c, null, null, null, null, null, null, null, null, reps.contains(m.traceId()), m.traceId(),
                            m.traceVersion(), m.distance(), m.at() == null ? null : m.at().toString(), m.title(), m.summary(), m.link()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<Object> row(String level, ThemeReport.ClusterPart c, Object... rest) {
        List<Object> cells = new ArrayList<>(HEADER.size());
        cells.add(level);
        cells.add(cell(c.id()));
        cells.add(cell(c.title()));
        for (Object o : rest) {
            cells.add(o instanceof String s ? cell(s) : o);
        }
        return cells;
    }

    /** OWASP's advice for CSV injection: a cell a spreadsheet would evaluate starts with a quote instead. */
    static String cell(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        char first = text.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r' ? "'" + text : text;
    }
}
