package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tool calls as {@code name(arg=value)} and tool lists as signatures, in every SDK's shape. */
class ToolRendererTest {

    private static JsonNode json(String s) {
        return TestTraces.props("{\"v\": " + s + "}").get("v");
    }

    private static List<String> signatures(String tools) {
        return ToolRenderer.signatures(json(tools)).stream().map(ToolRenderer.Signature::text).toList();
    }

    private static String available(String tools, RenderContext ctx) {
        TextOut out = new TextOut();
        ToolRenderer.available(out, json(tools), ctx);
        return out.toString();
    }

    @Nested
    @DisplayName("calls")
    class Calls {

        @Test
        @DisplayName("arguments given as a JSON string are decoded into arg=value pairs")
        void jsonStringArguments() {
            assertThat(ToolRenderer.call("find_slots", TextNode.valueOf("{\"attendees\": [\"ana\", \"jordi\"], \"minutes\": 45, \"remote\": true}")))
                    .isEqualTo("find_slots(attendees=[\"ana\", \"jordi\"], minutes=45, remote=true)");
        }

        @Test
        @DisplayName("object arguments, nested values and arguments encoded twice read the same way")
        void objectArguments() {
            assertThat(ToolRenderer.call("renew", json("{\"ids\": [\"L-1\"], \"options\": {\"notify\": false}}")))
                    .isEqualTo("renew(ids=[\"L-1\"], options={notify: false})");
            assertThat(ToolRenderer.call("twice", TextNode.valueOf("\"{\\\"a\\\": 1}\""))).isEqualTo("twice(a=1)");
        }

        @Test
        @DisplayName("missing, empty, scalar and raw-text arguments are shown as they are")
        void otherArguments() {
            assertThat(ToolRenderer.call("now", null)).isEqualTo("now()");
            assertThat(ToolRenderer.call("now", TextNode.valueOf(""))).isEqualTo("now()");
            assertThat(ToolRenderer.call("sql", TextNode.valueOf("SELECT 1"))).isEqualTo("sql(\"SELECT 1\")");
            assertThat(ToolRenderer.call(null, json("[1, 2]"))).isEqualTo("(unnamed tool)([1, 2])");
        }

        @Test
        @DisplayName("broken JSON arguments are shown raw and say so")
        void brokenArguments() {
            assertThat(ToolRenderer.call("calc", TextNode.valueOf("{\"principal\": 3200")))
                    .startsWith("calc(\"(invalid JSON, shown raw) {\"principal\": 3200");
        }

        @Test
        @DisplayName("long argument values are cut, so one call cannot flood the text")
        void longValues() {
            String call = ToolRenderer.call("write_file", json("{\"path\": \"a.txt\", \"content\": \"" + "word ".repeat(2000) + "\"}"));

            assertThat(call).startsWith("write_file(path=\"a.txt\", content=\"word word").contains("chars cut]").endsWith(")");
            assertThat(call.length()).isLessThan(400);
        }
    }

    @Nested
    @DisplayName("available tools")
    class Available {

        @Test
        @DisplayName("OpenAI Chat, Responses, Anthropic, Vercel and MCP definitions give name(params)")
        void shapes() {
            assertThat(signatures("""
                    [{"type": "function", "function": {"name": "a", "parameters": {"properties": {"x": {}, "y": {}}}}},
                     {"type": "function", "name": "b", "parameters": {"properties": {"q": {}}}},
                     {"name": "c", "input_schema": {"properties": {"id": {}}}},
                     {"type": "function", "name": "d", "inputSchema": {"jsonSchema": {"properties": {"repo": {}}}}},
                     {"name": "e", "inputSchema": {"properties": {"path": {}}}}]"""))
                    .containsExactly("a(x, y)", "b(q)", "c(id)", "d(repo)", "e(path)");
        }

        @Test
        @DisplayName("Gemini declarations, built-in tools and OpenInference JSON schemas are recognised")
        void otherShapes() {
            assertThat(signatures("""
                    [{"functionDeclarations": [{"name": "set_temp", "parameters": {"properties": {"room": {}, "c": {}}}}]},
                     {"googleSearch": {}}, {"type": "web_search_preview"},
                     {"tool.json_schema": "{\\"type\\": \\"function\\", \\"function\\": {\\"name\\": \\"mortgage\\", \\"parameters\\": {\\"properties\\": {\\"years\\": {}}}}}"}]"""))
                    .containsExactly("set_temp(room, c)", "googleSearch()", "web_search_preview()", "mortgage(years)");
        }

        @Test
        @DisplayName("optional parameters are marked with ? when the schema lists the required ones")
        void optional() {
            assertThat(signatures("""
                    [{"name": "weather", "input_schema": {"properties": {"city": {}, "unit": {}}, "required": ["city"]}}]"""))
                    .containsExactly("weather(city, unit?)");
        }

        @Test
        @DisplayName("a short list shows descriptions; a list seen before in the trace is named, not repeated")
        void descriptionsAndRepeats() {
            RenderContext ctx = new RenderContext();
            String tools = """
                    [{"type": "function", "function": {"name": "list_loans", "description": "Lists a member's loans.\\nMore detail.",
                      "parameters": {"properties": {"member_id": {}}}}}]""";

            assertThat(available(tools, ctx)).isEqualTo("tools (1):\n  - list_loans(member_id) - Lists a member's loans. …\n");
            assertThat(available(tools, ctx)).isEqualTo("tools: the same 1 tool as above (list_loans)\n");
        }

        @Test
        @DisplayName("a long list keeps every tool name and drops the descriptions")
        void longList() {
            StringBuilder tools = new StringBuilder("[");
            for (int i = 0; i < 120; i++) {
                tools.append(i == 0 ? "" : ",").append("{\"name\": \"tool_number_").append(i)
                        .append("\", \"description\": \"").append("A very long description. ".repeat(20))
                        .append("\", \"input_schema\": {\"properties\": {\"a\": {}, \"b\": {}}}}");
            }

            String text = available(tools.append(']').toString(), new RenderContext());

            for (int i = 0; i < 120; i++) {
                assertThat(text).contains("tool_number_" + i + "(a, b)");
            }
            assertThat(text).startsWith("tools (120):").doesNotContain("A very long description");
            assertThat(text.length()).isLessThan(120 * 30);
        }

        @Test
        @DisplayName("a tool list that is not valid JSON is shown raw and short")
        void invalid() {
            assertThat(available("\"{not valid json\"", new RenderContext())).isEqualTo("tools: (invalid JSON, shown raw) {not valid json\n");
        }
    }
}
