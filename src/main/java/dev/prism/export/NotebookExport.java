package dev.prism.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The notebook export: a Jupyter notebook in nbformat 4.5 (cell ids, kernelspec and language_info), with a Markdown cell
 * for the overview and one per cluster (the Markdown export's text), then code cells that load the JSON export, embedded
 * in the notebook, into pandas data frames and chart the daily trend. Nothing runs when the notebook is opened; its
 * outputs are empty.
 */
public final class NotebookExport {

    private static final ObjectMapper COMPACT = dev.prism.common.JsonMapping.MAPPER;

    private NotebookExport() {
    }

    public static byte[] render(ThemeReport r) {
        ObjectNode nb = JsonExport.MAPPER.createObjectNode();
        ArrayNode cells = nb.putArray("cells");
        int[] next = {0};
        for (String part : sections(MarkdownExport.text(r))) {
            cells.add(markdown(next, part));
        }
        cells.add(code(next, load(r)));
        cells.add(code(next, """
                # Members per cluster and UTC day, one column per cluster (needs matplotlib to draw)
                trend = daily.pivot_table(index="date", columns="cluster_title", values="count", aggfunc="sum", fill_value=0)
                trend.plot(title=DATA["theme"]["name"], figsize=(10, 4))"""));
        ObjectNode meta = nb.putObject("metadata");
        meta.putObject("kernelspec").put("name", "python3").put("display_name", "Python 3").put("language", "python");
        meta.putObject("language_info").put("name", "python").put("file_extension", ".py").put("mimetype", "text/x-python");
        meta.putObject("prism").put("schema", JsonExport.SCHEMA).put("version", JsonExport.VERSION).put("project_id", r.projectId())
                .put("theme_id", r.themeId()).put("generated_at", r.generatedAt().toString());
        nb.put("nbformat", 4).put("nbformat_minor", 5);
        try {
            return dev.prism.common.JsonMapping.PRETTY.writeValueAsBytes(nb);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serialises", e);
        }
    }

    /** The Markdown report cut before each cluster heading: the overview, then one part per cluster. */
    private static List<String> sections(String md) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int at = md.indexOf("\n## "); at >= 0; at = md.indexOf("\n## ", at + 1)) {
            out.add(md.substring(start, at + 1));
            start = at + 1;
        }
        out.add(md.substring(start));
        return out;
    }

    /**
     * The data travels as one JSON string literal: JSON string escapes ({@code \" \\ \n \\uXXXX}) mean the same in
     * Python, so no trace text can end the literal or inject code.
     */
    private static String load(ThemeReport r) {
        String data;
        try {
            data = COMPACT.writeValueAsString(COMPACT.writeValueAsString(JsonExport.tree(r)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return """
                import json
                import pandas as pd

                # The JSON export of this theme (schema prism.theme-export v1), as it was when the notebook was made.
                DATA = json.loads(%s)

                clusters = pd.json_normalize(DATA["clusters"], sep="_").drop(columns=["representatives", "members", "trend_daily"])
                members = pd.json_normalize(DATA["clusters"], record_path="members", meta=["id", "title"], meta_prefix="cluster_")
                daily = pd.json_normalize(DATA["clusters"], record_path=["trend", "daily"], meta=["id", "title"], meta_prefix="cluster_")
                daily["date"] = pd.to_datetime(daily["date"])
                clusters[["title", "size", "share", "lifecycle", "trend_last_day", "trend_previous_day", "trend_growth"]]""".formatted(data);
    }

    private static ObjectNode markdown(int[] next, String source) {
        ObjectNode cell = JsonExport.MAPPER.createObjectNode().put("id", "cell-" + next[0]++).put("cell_type", "markdown");
        cell.putObject("metadata");
        cell.set("source", lines(source));
        return cell;
    }

    private static ObjectNode code(int[] next, String source) {
        ObjectNode cell = JsonExport.MAPPER.createObjectNode().put("id", "cell-" + next[0]++).put("cell_type", "code");
        cell.putNull("execution_count");
        cell.putObject("metadata");
        cell.putArray("outputs");
        cell.set("source", lines(source));
        return cell;
    }

    /** Jupyter's own layout: the source as lines, each but the last ending in its newline. */
    private static ArrayNode lines(String source) {
        ArrayNode out = JsonExport.MAPPER.createArrayNode();
        int start = 0;
        for (int i = 0; i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                out.add(source.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < source.length()) {
            out.add(source.substring(start));
        }
        return out;
    }
}
