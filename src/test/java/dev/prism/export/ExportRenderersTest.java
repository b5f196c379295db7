package dev.prism.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The four export formats on a hand-made report whose trace-derived text is hostile to each destination. */
@DisplayName("Theme export renderers")
public class ExportRenderersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FORMULA = "=HYPERLINK(\"http://evil.example/x\",\"click\")";
    static final String MARKUP = "Checkout | **fails** <img src=x onerror=alert(1)> [win](javascript:alert(1)) `code`\n# not a heading";

    static ThemeReport report() {
        Instant at = Instant.parse("2026-12-05T10:00:00Z");
        List<ThemeReport.Member> members = new ArrayList<>();
        String[] summaries = {"+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\tTAB first", "\rCR first", "a, \"quoted\"\nsecond line"};
        for (int i = 0; i < summaries.length; i++) {
            members.add(new ThemeReport.Member("trace " + i + "|x", 1, 0.1 * i, at, i == 0 ? FORMULA : "Title " + i, summaries[i],
                    new Links("https://prism.example.com/").trace("trace " + i + "|x")));
        }
        var one = new ThemeReport.ClusterPart("c1", FORMULA, MARKUP, 9, 0.6, null,
                List.of(new ThemeReport.Day(LocalDate.parse("2026-12-04"), 2), new ThemeReport.Day(LocalDate.parse("2026-12-05"), 6)),
                6, 2, 2.0, 0.5, 4, "https://prism.example.com/#/themes/checkout/clusters", members.subList(0, 3), members);
        var two = new ThemeReport.ClusterPart("c2", "Slow search", "", 6, 0.4, "growing", List.of(), 0, 0, null, 0, 2,
                "https://prism.example.com/#/themes/checkout/clusters", List.of(), List.of());
        return new ThemeReport("default", "checkout", "Checkout | problems", "Watch *checkout*", at, 15, 0, at, 1000,
                "https://prism.example.com/#/themes/checkout/clusters", List.of(one, two));
    }

    @Test
    @DisplayName("Markdown escaping: trace text opens no link, image, HTML, emphasis, heading or table cell")
    void markdownEscaping() {
        assertThat(MarkdownText.escape("a|b")).isEqualTo("a\\|b");
        assertThat(MarkdownText.escape("<b>x</b>")).isEqualTo("\\<b\\>x\\</b\\>");
        assertThat(MarkdownText.escape("[a](javascript:x)")).isEqualTo("\\[a\\](javascript:x)");
        assertThat(MarkdownText.escape("**bold** _it_ `c` ~~s~~")).isEqualTo("\\*\\*bold\\*\\* \\_it\\_ \\`c\\` \\~\\~s\\~\\~");
        assertThat(MarkdownText.escape("# h")).isEqualTo("\\# h");
        assertThat(MarkdownText.escape("- item")).isEqualTo("\\- item");
        assertThat(MarkdownText.escape("> quote")).isEqualTo("\\> quote");
        assertThat(MarkdownText.escape("1. first")).isEqualTo("1\\. first");
        assertThat(MarkdownText.escape("a\nb\r\nc")).isEqualTo("a b c");
        assertThat(MarkdownText.escape("&amp; \\")).isEqualTo("\\&amp; \\\\");
        assertThat(MarkdownText.escape("Payment API timed out after 30 s (retried twice).")).isEqualTo("Payment API timed out after 30 s (retried twice).");
    }

    @Test
    @DisplayName("Markdown report: one table row and one section per cluster, every table row with its 8 cells, hostile text inert")
    void markdownReport() {
        String md = new String(MarkdownExport.render(report()), StandardCharsets.UTF_8);
        assertThat(md).startsWith("# Checkout \\| problems: clusters\n");
        List<String> rows = md.lines().filter(l -> l.startsWith("| ")).toList();
        assertThat(rows).hasSize(3); // header and two clusters
        for (String row : rows) {
            assertThat(row.split("(?<!\\\\)\\|", -1)).as("unescaped pipes in " + row).hasSize(10);
        }
        assertThat(md.lines().filter(l -> l.startsWith("## "))).hasSize(2);
        assertThat(md.lines().filter(l -> l.startsWith("#"))).as("no heading from trace text").hasSize(3);
        assertThat(md).doesNotContainPattern("(?<!\\\\)<img").doesNotContainPattern("(?<!\\\\)\\]\\(javascript").doesNotContain("**fails**")
                .contains("\\<img src=x onerror=alert(1)\\>").contains("\\[win\\](javascript:alert(1))");
        assertThat(md).contains("[trace trace 0\\|x](https://prism.example.com/#/traces/trace%200%7Cx)");
        assertThat(md).contains("| 1 | \\=HYPERLINK(\"http://evil.example/x\",\"click\") | 9 | 60.0 % | – | 6 | 2 | +200 % |");
        assertThat(md).contains("- Lifecycle: growing");
    }

    @Test
    @DisplayName("CSV parses back (RFC 4180) with one cluster row per cluster and one member row per member, formulas neutralised")
    void csvParsesBack() throws Exception {
        String csv = new String(CsvExport.render(report()), StandardCharsets.UTF_8);
        assertThat(csv).contains("\r\n");
        List<CSVRecord> records;
        try (CSVParser parser = CSVParser.parse(new StringReader(csv), CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertThat(parser.getHeaderNames()).isEqualTo(CsvExport.HEADER);
            records = parser.getRecords();
        }
        assertThat(records).hasSize(2 + 6);
        assertThat(records.stream().filter(r -> r.get("level").equals("cluster")).map(r -> r.get("cluster_id"))).containsExactly("c1", "c2");
        CSVRecord cluster = records.get(0);
        assertThat(cluster.get("cluster_title")).isEqualTo("'" + FORMULA);
        assertThat(cluster.get("size")).isEqualTo("9");
        assertThat(cluster.get("growth")).isEqualTo("2.0");
        List<CSVRecord> members = records.stream().filter(r -> r.get("level").equals("member")).toList();
        assertThat(members.stream().map(r -> r.get("summary"))).containsExactly("'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(1)", "'\tTAB first",
                "'\rCR first", "a, \"quoted\"\nsecond line");
        assertThat(members.get(0).get("title")).isEqualTo("'" + FORMULA);
        assertThat(members.get(0).get("trace_id")).isEqualTo("trace 0|x");
        assertThat(members.stream().map(r -> r.get("representative"))).containsExactly("true", "true", "true", "false", "false", "false");
        for (CSVRecord r : records) {
            for (String cell : r) {
                assertThat(cell).as("no cell a spreadsheet would evaluate").doesNotStartWith("=").doesNotStartWith("+").doesNotStartWith("@")
                        .doesNotStartWith("\t").doesNotStartWith("\r");
                if (cell.startsWith("-")) {
                    assertThat(cell).as("only numbers may start with -").matches("-[0-9.E]+");
                }
            }
        }
    }

    @Test
    @DisplayName("JSON keeps its documented shape")
    void jsonShape() throws Exception {
        JsonNode json = JSON.readTree(JsonExport.render(report()));
        assertThat(json.get("schema").asText()).isEqualTo("prism.theme-export");
        assertThat(json.get("version").asInt()).isEqualTo(1);
        assertThat(json.get("theme").get("name").asText()).isEqualTo("Checkout | problems");
        JsonNode c = json.get("clusters").get(0);
        assertThat(c.fieldNames()).toIterable().containsExactly("id", "title", "description", "size", "share", "lifecycle", "link", "trend",
                "metrics", "representatives", "members", "members_truncated");
        assertThat(c.get("trend").get("daily").get(1).get("date").asText()).isEqualTo("2026-12-05");
        assertThat(c.get("members").get(0).fieldNames()).toIterable().containsExactly("trace_id", "trace_version", "distance", "at", "title",
                "summary", "link");
        assertThat(c.get("members_truncated").asBoolean()).isTrue();
        assertThat(json.get("clusters").get(1).get("lifecycle").asText()).isEqualTo("growing");
    }

    @Test
    @DisplayName("the notebook validates against the official nbformat 4.5 schema and embeds the JSON export intact")
    void notebookIsValid() throws Exception {
        byte[] nb = NotebookExport.render(report());
        assertValidNotebook(nb);
        JsonNode json = JSON.readTree(nb);
        JsonNode cells = json.get("cells");
        assertThat(cells).hasSize(1 + 2 + 2); // overview, two clusters, two code cells
        assertThat(cells.get(0).get("cell_type").asText()).isEqualTo("markdown");
        assertThat(String.join("", JSON.convertValue(cells.get(1).get("source"), String[].class))).startsWith("## 1. ");
        String code = String.join("", JSON.convertValue(cells.get(3).get("source"), String[].class));
        assertThat(code).contains("import pandas as pd").contains("DATA = json.loads(");
        // The data is one JSON string literal whose content is the JSON export: reading it back gives the same document.
        String literal = code.substring(code.indexOf("json.loads(") + "json.loads(".length(), code.indexOf(")\n", code.indexOf("json.loads(")));
        JsonNode embedded = JSON.readTree(JSON.readValue(literal, String.class));
        assertThat(embedded).isEqualTo(JSON.readTree(JsonExport.render(report())));
        assertThat(json.get("metadata").get("kernelspec").get("name").asText()).isEqualTo("python3");
    }

    @Test
    @DisplayName("a large theme (20 clusters at the cap of 1,000 members) renders in every format, and the figures are printed")
    void largeTheme() throws Exception {
        Instant at = Instant.parse("2026-12-05T10:00:00Z");
        List<ThemeReport.ClusterPart> clusters = new ArrayList<>();
        Links links = new Links(null);
        for (int c = 0; c < 20; c++) {
            List<ThemeReport.Member> members = new ArrayList<>();
            for (int m = 0; m < 1_000; m++) {
                String id = "trace-" + c + "-" + m;
                members.add(new ThemeReport.Member(id, 1, m / 1000.0, at, "Payment gateway timed out " + m,
                        "The payment provider did not answer within 30 s; the order was retried twice and then abandoned.", links.trace(id)));
            }
            clusters.add(new ThemeReport.ClusterPart("c" + c, "Cluster " + c, "Two sentences about it. Second one.", 5_000, 0.05, null,
                    List.of(new ThemeReport.Day(LocalDate.parse("2026-12-05"), 5_000)), 100, 80, 0.25, 0.1, 50, links.theme("t"),
                    members.subList(0, 3), members));
        }
        ThemeReport big = new ThemeReport("default", "t", "Big", "", at, 100_000, 0, at, 1_000, links.theme("t"), clusters);
        for (ExportFormat f : ExportFormat.values()) {
            ExportVerticle.render(f, big); // warm-up
            long t0 = System.nanoTime();
            byte[] out = ExportVerticle.render(f, big);
            System.out.printf("[export] %s: 20 clusters x 1,000 members -> %,d bytes in %.0f ms%n", f.extension, out.length,
                    (System.nanoTime() - t0) / 1e6);
            assertThat(out.length).isPositive().isLessThan(64 * 1024 * 1024);
            if (f == ExportFormat.IPYNB) {
                assertValidNotebook(out);
            }
        }
    }

    /** Validates against nbformat.v4.5.schema.json (draft 4), bundled from nbformat 5.11.1, and checks ids are unique. */
    public static void assertValidNotebook(byte[] notebook) throws Exception {
        JsonObject schema;
        try (InputStream in = ExportRenderersTest.class.getResourceAsStream("/nbformat/nbformat.v4.5.schema.json")) {
            schema = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Validator validator = Validator.create(JsonSchema.of(schema),
                new JsonSchemaOptions().setDraft(Draft.DRAFT4).setBaseUri("https://prism.test/").setOutputFormat(OutputFormat.Basic));
        JsonObject nb = new JsonObject(new String(notebook, StandardCharsets.UTF_8));
        OutputUnit result = validator.validate(nb);
        assertThat(result.getValid()).as("nbformat 4.5 schema: " + result.getErrors()).isTrue();
        assertThat(nb.getInteger("nbformat")).isEqualTo(4);
        assertThat(nb.getInteger("nbformat_minor")).isEqualTo(5);
        List<String> ids = nb.getJsonArray("cells").stream().map(c -> ((JsonObject) c).getString("id")).toList();
        assertThat(ids).doesNotHaveDuplicates();
        // The validator must be able to fail: a cell without its id is refused.
        JsonObject broken = nb.copy();
        broken.getJsonArray("cells").getJsonObject(0).remove("id");
        assertThat(validator.validate(broken).getValid()).isFalse();
    }
}
