package dev.prism.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Errors: message, HTTP status (from the property or the text) and the telling line of a stack trace. */
class ErrorRendererTest {

    private static String error(String propsJson) {
        ObjectNode props = TestTraces.props(propsJson);
        TextOut out = new TextOut();
        ErrorRenderer.write(out, props);
        return out.toString();
    }

    private static String quoted(String s) {
        return TestTraces.JSON.valueToTree(s).toString();
    }

    @Test
    @DisplayName("the status comes from $ai_http_status when it is a real one")
    void statusFromProperty() {
        assertThat(error("{\"$ai_is_error\": true, \"$ai_http_status\": 503, \"$ai_error\": \"upstream unavailable\"}"))
                .isEqualTo("ERROR (HTTP 503): upstream unavailable\n");
    }

    @Test
    @DisplayName("with $ai_http_status 0 or absent, the status is found in the error text; the dict repr is kept")
    void statusFromText() {
        String text = error("{\"$ai_is_error\": true, \"$ai_http_status\": 0, \"$ai_error\": "
                + quoted("litellm.RateLimitError: Error code: 429 - {'error': {'message': 'Request too large', 'code': 'rate_limit_exceeded'}}") + "}");

        assertThat(text).startsWith("ERROR (HTTP 429): litellm.RateLimitError").contains("'code': 'rate_limit_exceeded'");
        assertThat(ErrorRenderer.statusIn("HTTP/1.1 502 Bad Gateway")).isEqualTo(502);
        assertThat(ErrorRenderer.statusIn("{\"status\": 500, \"message\": \"boom\"}")).isEqualTo(500);
        assertThat(ErrorRenderer.statusIn("status_code=404 for /v1/x")).isEqualTo(404);
        assertThat(ErrorRenderer.statusIn("503 Service Unavailable")).isEqualTo(503);
    }

    @Test
    @DisplayName("numbers that are not statuses (ports, line numbers, counts) are not taken for one")
    void noFalseStatus() {
        assertThat(ErrorRenderer.statusIn("connection to server at 10.0.4.17, port 5432 failed")).isNull();
        assertThat(ErrorRenderer.statusIn("File \"x.py\", line 500, in run")).isNull();
        assertThat(ErrorRenderer.statusIn("processed 429 rows")).isNull();
    }

    @Test
    @DisplayName("a Python traceback shows the final exception line, the last frame and the last frame in the application")
    void pythonTraceback() {
        String traceback = """
                Traceback (most recent call last):
                  File "/app/fleet/tools.py", line 112, in fuel_costs
                    df = pd.read_sql(QUERY, engine)
                  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec
                    self.dialect.do_execute(
                sqlalchemy.exc.OperationalError: too many connections for role "readonly\"""";

        String text = error("{\"$ai_is_error\": true, \"$ai_error\": " + quoted(traceback) + "}");

        assertThat(text).isEqualTo("""
                ERROR: sqlalchemy.exc.OperationalError: too many connections for role "readonly"
                  at File "/app/fleet/tools.py", line 112, in fuel_costs: df = pd.read_sql(QUERY, engine)
                  at File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec: self.dialect.do_execute(
                """);
    }

    @Test
    @DisplayName("a JavaScript error stored as JSON shows name: message and the first stack frame")
    void javascriptError() {
        String js = "{\"name\": \"APIConnectionError\", \"message\": \"Connection error.\", \"status\": 502,"
                + " \"stack\": \"APIConnectionError: Connection error.\\n    at OpenAI.makeRequest (/app/node_modules/openai/core.js:312:19)\\n    at async run (/app/agent.js:40:5)\"}";

        String text = error("{\"$ai_is_error\": true, \"$ai_error\": " + quoted(js) + "}");

        assertThat(text).isEqualTo("""
                ERROR (HTTP 502): APIConnectionError: Connection error.
                  at OpenAI.makeRequest (/app/node_modules/openai/core.js:312:19)
                """);
    }

    @Test
    @DisplayName("an error object (not a string) and a separate $ai_error_stack are read too")
    void objectAndStack() {
        String text = error("""
                {"$ai_is_error": "true", "$ai_error": {"error": {"type": "overloaded_error", "message": "Overloaded"}, "status": 529},
                 "$ai_error_stack": "Traceback (most recent call last):\\n  File \\"/srv/app.py\\", line 9, in main\\n    call()\\nanthropic.InternalServerError: Overloaded"}""");

        assertThat(text).startsWith("ERROR (HTTP 529): overloaded_error: Overloaded").contains("at File \"/srv/app.py\", line 9, in main: call()");
    }

    @Test
    @DisplayName("an event flagged as an error without a message still says it failed; one not flagged says nothing")
    void flagsOnly() {
        assertThat(error("{\"$ai_is_error\": true}")).isEqualTo("ERROR: (no error message)\n");
        assertThat(error("{\"$ai_http_status\": 500}")).isEqualTo("ERROR (HTTP 500): (no error message)\n");
        assertThat(error("{\"$ai_is_error\": false, \"$ai_error\": \"\", \"$ai_http_status\": 200}")).isEmpty();
    }

    @Test
    @DisplayName("a huge error message is cut, its head (the exception) kept")
    void hugeMessage() {
        String text = error("{\"$ai_is_error\": true, \"$ai_error\": " + quoted("ValueError: bad input " + "x".repeat(1_000_000)) + "}");

        assertThat(text).startsWith("ERROR: ValueError: bad input").contains("chars cut]");
        assertThat(text.length()).isLessThan(2000);
    }
}
