package dev.prism.format;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static dev.prism.format.TestTraces.generation;
import static dev.prism.format.TestTraces.span;
import static org.assertj.core.api.Assertions.assertThat;

/** Each SDK's message shape, in small hand-written events, comes out as roles, text and tool calls. */
class MessageShapesTest {

    /** A base64 payload long enough to be recognised as binary, with a distinctive middle. */
    static final String PNG = "iVBORw0KGgoAAAANSUhEUgAA" + "QmluYXJ5TWlkZGxlTWFya2Vy".repeat(20) + "AAAAElFTkSuQmCC";
    static final String PNG_MIDDLE = "QmluYXJ5TWlkZGxlTWFya2VyQmluYXJ5";

    @Nested
    @DisplayName("OpenAI Chat Completions")
    class OpenAiChat {

        @Test
        @DisplayName("string contents are shown with their roles, in order")
        void stringContent() {
            String text = generation("""
                    {"$ai_model": "gpt-4o-mini",
                     "$ai_input": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}],
                     "$ai_output_choices": [{"role": "assistant", "content": "Hello!"}]}""");

            assertThat(text).contains("[system] Be brief.").contains("[user] Hi there").contains("[assistant] Hello!");
            assertThat(text.indexOf("[system]")).isLessThan(text.indexOf("[user]"));
            assertThat(text.indexOf("[user]")).isLessThan(text.indexOf("[assistant]"));
        }

        @Test
        @DisplayName("content parts: text is shown, an image data URL becomes a typed placeholder")
        void partsContent() {
            String text = generation("""
                    {"$ai_input": [{"role": "user", "content": [
                        {"type": "text", "text": "What is on this picture?"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,%s", "detail": "high"}}]}]}""".formatted(PNG));

            assertThat(text).contains("[user] What is on this picture?").contains("[image/png base64, ").doesNotContain(PNG_MIDDLE);
        }

        @Test
        @DisplayName("tool_calls with JSON-string arguments read as name(arg=value) and the tool message is named after its call")
        void toolCalls() {
            String text = generation("""
                    {"$ai_input": [
                        {"role": "user", "content": "Weather in Paris?"},
                        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                            "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\", \\"days\\": 2}"}}]},
                        {"role": "tool", "tool_call_id": "call_1", "content": "{\\"temp_c\\": 21, \\"sky\\": \\"clear\\"}"}]}""");

            assertThat(text).contains("[assistant] tool call: get_weather(city=\"Paris\", days=2)")
                    .contains("[tool] get_weather returned: {temp_c: 21, sky: \"clear\"}")
                    .doesNotContain("\\\"");
        }

        @Test
        @DisplayName("a refusal is shown as such, and a message with null content says it had none")
        void refusalAndNullContent() {
            String text = generation("""
                    {"$ai_input": [{"role": "assistant", "content": null}],
                     "$ai_output_choices": [{"role": "assistant", "content": null, "refusal": "I can't help with that."}]}""");

            assertThat(text).contains("[assistant] (no content)").contains("[assistant] refusal: I can't help with that.");
        }

        @Test
        @DisplayName("a whole chat.completion object as output is read through its choices")
        void completionObject() {
            String text = generation("""
                    {"$ai_output_choices": {"id": "chatcmpl-1", "object": "chat.completion", "choices": [
                        {"index": 0, "finish_reason": "length", "message": {"role": "assistant", "content": "Partial answer"}}]}}""");

            assertThat(text).contains("[assistant] Partial answer").contains("finish reason: length").doesNotContain("chatcmpl-1");
        }
    }

    @Nested
    @DisplayName("OpenAI Responses")
    class OpenAiResponses {

        @Test
        @DisplayName("message, function_call and function_call_output items become a call and its named result")
        void items() {
            String text = generation("""
                    {"$ai_instructions": "You are ShipWise.",
                     "$ai_input": [
                        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Ship 3 kg to Lyon?"}]},
                        {"type": "function_call", "call_id": "fc_1", "name": "get_rates", "arguments": "{\\"kg\\": 3}"},
                        {"type": "function_call_output", "call_id": "fc_1", "output": "{\\"cheapest\\": \\"DPD €14.20\\"}"}],
                     "$ai_output_choices": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "DPD, €14.20."}]}]}""");

            assertThat(text).contains("[system] You are ShipWise.").contains("[user] Ship 3 kg to Lyon?")
                    .contains("[assistant] tool call: get_rates(kg=3)").contains("[tool] get_rates returned: {cheapest: \"DPD €14.20\"}")
                    .contains("[assistant] DPD, €14.20.");
        }

        @Test
        @DisplayName("a reasoning item shows its summary; its encrypted content becomes a placeholder")
        void reasoning() {
            String encrypted = "gAAAAABo" + "ZW5jcnlwdGVkUmVhc29uaW5nMTIz".repeat(12);
            String text = generation("""
                    {"$ai_output_choices": [{"type": "reasoning", "id": "rs_1",
                        "summary": [{"type": "summary_text", "text": "Compared two carriers."}], "encrypted_content": "%s"}]}""".formatted(encrypted));

            assertThat(text).contains("[reasoning] Compared two carriers. [encrypted reasoning, ").doesNotContain("ZW5jcnlwdGVk");
        }

        @Test
        @DisplayName("custom tool calls, web searches and code interpreter runs are described")
        void builtInItems() {
            String text = generation("""
                    {"$ai_output_choices": [
                        {"type": "custom_tool_call", "call_id": "ct_1", "name": "run_sql", "input": "SELECT 1"},
                        {"type": "web_search_call", "id": "ws_1", "status": "completed", "action": {"type": "search", "query": "Lyon weather"}},
                        {"type": "code_interpreter_call", "id": "ci_1", "code": "print(6*7)", "outputs": [{"type": "logs", "logs": "42"}]}]}""");

            assertThat(text).contains("tool call: run_sql(\"SELECT 1\")").contains("web search: Lyon weather")
                    .contains("code interpreter:").contains("print(6*7)").contains("code output:").contains("42");
        }

        @Test
        @DisplayName("a whole response object as output is read through its output items")
        void responseObject() {
            String text = generation("""
                    {"$ai_output_choices": {"id": "resp_1", "object": "response", "status": "completed", "output": [
                        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."},
                                                                             {"type": "refusal", "refusal": "Not that part."}]}]}}""");

            assertThat(text).contains("[assistant] Done.").contains("refusal: Not that part.").doesNotContain("resp_1");
        }
    }

    @Nested
    @DisplayName("Anthropic")
    class Anthropic {

        @Test
        @DisplayName("tool_use and tool_result (list or string content) pair up; images and thinking signatures become placeholders")
        void blocks() {
            String signature = "EqQBCkYIBRgCKkD" + "c2lnbmF0dXJlU2lnbmF0dXJl".repeat(8);
            String text = generation("""
                    {"$ai_input": [
                        {"role": "system", "content": "You are the library assistant."},
                        {"role": "user", "content": [
                            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "%s"}},
                            {"type": "text", "text": "Renew my books"}]},
                        {"role": "assistant", "content": [
                            {"type": "thinking", "thinking": "List loans first.", "signature": "%s"},
                            {"type": "tool_use", "id": "toolu_1", "name": "list_loans", "input": {"member": "M-1"}}]},
                        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                            "content": [{"type": "text", "text": "[{\\"title\\": \\"Piranesi\\"}]"}]}]},
                        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_2", "name": "renew", "input": {}}]},
                        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_2", "is_error": true,
                            "content": "no renewals left"}]},
                        {"role": "assistant", "content": [{"type": "redacted_thinking", "data": "%s"}]}]}""".formatted(PNG, signature, signature));

            assertThat(text).contains("[system] You are the library assistant.")
                    .contains("[user] [image/png base64, ").contains("Renew my books")
                    .contains("[assistant] [reasoning] List loans first. [signature, ")
                    .contains("tool call: list_loans(member=\"M-1\")")
                    .contains("[tool] list_loans returned: [{title: \"Piranesi\"}]")
                    .contains("[tool] renew returned an error: no renewals left")
                    .contains("[assistant] [redacted thinking, ")
                    .doesNotContain(PNG_MIDDLE).doesNotContain("c2lnbmF0dXJl");
        }

        @Test
        @DisplayName("a PDF document block keeps its title and becomes a placeholder")
        void document() {
            String pdf = "JVBERi0xLjcK" + "UERGQm9keUJ5dGVz".repeat(20);
            String text = generation("""
                    {"$ai_input": [{"role": "user", "content": [
                        {"type": "document", "title": "Annual Report", "source": {"type": "base64", "media_type": "application/pdf", "data": "%s"}}]}]}""".formatted(pdf));

            assertThat(text).contains("document \"Annual Report\" [application/pdf base64, ").doesNotContain("UERGQm9keUJ5");
        }
    }

    @Nested
    @DisplayName("Gemini")
    class Gemini {

        @Test
        @DisplayName("a native request (systemInstruction, contents, functionCall, functionResponse) reads as a conversation")
        void request() {
            String text = generation("""
                    {"$ai_input": {"systemInstruction": {"parts": [{"text": "You control the thermostat."}]},
                                   "contents": [
                        {"role": "user", "parts": [{"text": "Set kids to 21"}, {"inlineData": {"mimeType": "image/png", "data": "%s"}}]},
                        {"role": "model", "parts": [{"functionCall": {"name": "set_temp", "args": {"room": "kids", "c": 21}}}]},
                        {"role": "user", "parts": [{"functionResponse": {"name": "set_temp", "response": {"eta_min": 35}}}]}]}}""".formatted(PNG));

            assertThat(text).contains("[system] You control the thermostat.").contains("[user] Set kids to 21")
                    .contains("[image/png base64, ").contains("[assistant] tool call: set_temp(room=\"kids\", c=21)")
                    .contains("[tool] set_temp returned: {eta_min: 35}").doesNotContain(PNG_MIDDLE);
        }

        @Test
        @DisplayName("a raw response with candidates reads as the assistant's answer; a thought's signature becomes a placeholder")
        void response() {
            String signature = "CiQB0e2Kb" + "dGhvdWdodFNpZ25hdHVyZQ".repeat(8);
            String text = generation("""
                    {"$ai_output_choices": {"candidates": [{"content": {"role": "model", "parts": [
                        {"text": "Checking first.", "thought": true, "thoughtSignature": "%s"},
                        {"text": "It will take 35 minutes."}]}, "finishReason": "MAX_TOKENS"}],
                      "usageMetadata": {"promptTokenCount": 1}}}""".formatted(signature));

            assertThat(text).contains("[assistant] [reasoning] Checking first. [thought signature, ")
                    .contains("It will take 35 minutes.").contains("finish reason: MAX_TOKENS")
                    .doesNotContain("dGhvdWdodFNp").doesNotContain("promptTokenCount");
        }
    }

    @Nested
    @DisplayName("LangChain and LangGraph")
    class LangChain {

        @Test
        @DisplayName("message dumps map human/ai/tool to roles; a call in both tool_calls and additional_kwargs is shown once")
        void dumps() {
            String text = span("""
                    {"$ai_span_name": "agent", "$ai_input_state": {"messages": [
                        {"type": "human", "content": "Fuel costs for October?", "additional_kwargs": {}, "id": "1"},
                        {"type": "ai", "content": "", "additional_kwargs": {"tool_calls": [{"id": "call_9", "type": "function",
                            "function": {"name": "fuel_costs", "arguments": "{\\"month\\": \\"2025-10\\"}"}}]},
                         "tool_calls": [{"name": "fuel_costs", "args": {"month": "2025-10"}, "id": "call_9", "type": "tool_call"}]},
                        {"type": "tool", "name": "fuel_costs", "tool_call_id": "call_9", "status": "error", "content": "too many connections"}],
                      "next": "writer"}}""");

            assertThat(text).contains("[user] Fuel costs for October?").contains("[assistant] tool call: fuel_costs(month=\"2025-10\")")
                    .contains("[tool] fuel_costs returned an error: too many connections").contains("next: writer");
            assertThat(text.split("tool call: fuel_costs", -1)).hasSize(2);
        }

        @Test
        @DisplayName("serialized constructors ({lc: 1, type: constructor, id: [..., HumanMessage], kwargs}) read as messages")
        void serialized() {
            String text = span("""
                    {"$ai_input_state": [
                        {"lc": 1, "type": "constructor", "id": ["langchain_core", "messages", "SystemMessage"], "kwargs": {"content": "Be a tutor."}},
                        {"lc": 1, "type": "constructor", "id": ["langchain_core", "messages", "HumanMessage"], "kwargs": {"content": "Por o para?"}}],
                     "$ai_output_state": {"lc": 1, "type": "constructor", "id": ["langchain_core", "messages", "AIMessageChunk"],
                                          "kwargs": {"content": "Gracias por tu ayuda."}}}""");

            assertThat(text).contains("[system] Be a tutor.").contains("[user] Por o para?").contains("[assistant] Gracias por tu ayuda.")
                    .doesNotContain("constructor").doesNotContain("[object Object]");
        }

        @Test
        @DisplayName("a chat history under any key of a state is read as messages, the other keys as values")
        void historyField() {
            String text = span("""
                    {"$ai_input_state": {"input": "And in French?", "chat_history": [
                        {"type": "human", "content": "Say hello"}, {"type": "ai", "content": "Hello!"}]}}""");

            assertThat(text).contains("input:\n").contains("input: And in French?").contains("chat_history:")
                    .contains("[user] Say hello").contains("[assistant] Hello!");
        }

        @Test
        @DisplayName("a named AI message shows its speaker, as LangGraph nodes name their answers")
        void namedMessage() {
            String text = span("""
                    {"$ai_output_state": {"messages": [{"type": "ai", "name": "researcher", "content": "Key changes: …"}]}}""");

            assertThat(text).contains("[assistant: researcher] Key changes: …");
        }
    }

    @Nested
    @DisplayName("Vercel AI SDK")
    class Vercel {

        @Test
        @DisplayName("tool-call and tool-result parts (output {type: json, value}) pair up; reasoning and files are shown")
        void parts() {
            String text = generation("""
                    {"$ai_input": [
                        {"role": "posthog", "content": "[3 messages removed due to size limit]"},
                        {"role": "user", "content": [{"type": "text", "text": "Regressions?"},
                                                     {"type": "file", "mediaType": "application/pdf", "data": "JVBERi0x%s"}]},
                        {"role": "assistant", "content": [{"type": "reasoning", "text": "Need the issue list."},
                            {"type": "tool-call", "toolCallId": "c1", "toolName": "listIssues", "input": {"label": "regression"}}]},
                        {"role": "tool", "content": [{"type": "tool-result", "toolCallId": "c1", "toolName": "listIssues",
                            "output": {"type": "json", "value": [{"number": 4412}]}}]}],
                     "$ai_output_choices": [{"role": "assistant", "content": [
                        {"type": "tool-call", "id": "c2", "function": {"name": "closeIssue", "arguments": "{\\"number\\": 4412}"}}]}]}""".formatted(PNG));

            assertThat(text).contains("[posthog] [3 messages removed due to size limit]")
                    .contains("[user] Regressions?").contains("[application/pdf base64, ")
                    .contains("[assistant] [reasoning] Need the issue list.").contains("tool call: listIssues(label=\"regression\")")
                    .contains("[tool] listIssues returned: [{number: 4412}]").contains("tool call: closeIssue(number=4412)")
                    .doesNotContain(PNG_MIDDLE);
        }

        @Test
        @DisplayName("an error tool result ({type: error-text}) is marked as an error")
        void errorResult() {
            String text = generation("""
                    {"$ai_input": [{"role": "tool", "content": [{"type": "tool-result", "toolCallId": "c1", "toolName": "search",
                        "output": {"type": "error-text", "value": "index offline"}}]}]}""");

            assertThat(text).contains("[tool] search returned an error: index offline");
        }
    }

    @Nested
    @DisplayName("OTel GenAI")
    class OTel {

        @Test
        @DisplayName("text, tool_call, tool_call_response, reasoning, blob, uri and file parts are rendered")
        void parts() {
            String text = generation("""
                    {"$ai_input": [
                        {"role": "user", "parts": [{"type": "text", "content": "Reset my VPN token"},
                            {"type": "blob", "modality": "image", "mime_type": "image/png", "content": "%s"},
                            {"type": "uri", "modality": "image", "mime_type": "image/jpeg", "uri": "https://example.com/a.jpg"},
                            {"type": "file", "modality": "document", "mime_type": "application/pdf", "file_id": "file-77"}]},
                        {"role": "assistant", "parts": [{"type": "reasoning", "content": "Check the username."},
                            {"type": "tool_call", "id": "t1", "name": "reset_vpn_token", "arguments": {"user": "m.alvarez"}}]},
                        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "t1", "response": {"status": "reset"}}]}]}""".formatted(PNG));

            assertThat(text).contains("[user] Reset my VPN token").contains("[image/png base64, ")
                    .contains("[image image/jpeg: https://example.com/a.jpg]").contains("file-77")
                    .contains("[assistant] [reasoning] Check the username.").contains("tool call: reset_vpn_token(user=\"m.alvarez\")")
                    .contains("[tool] reset_vpn_token returned: {status: \"reset\"}").doesNotContain(PNG_MIDDLE);
        }
    }

    @Nested
    @DisplayName("OpenInference")
    class OpenInference {

        @Test
        @DisplayName("message.* dotted keys, with tool calls in tool_call.* keys, read as messages")
        void dottedMessages() {
            String text = generation("""
                    {"$ai_input": [
                        {"message.role": "user", "message.content": "Monthly payment on 320,000 EUR?"},
                        {"message.role": "assistant", "message.tool_calls": [{"tool_call.id": "c1",
                            "tool_call.function.name": "calculate_mortgage", "tool_call.function.arguments": "{\\"principal\\": 320000}"}]},
                        {"message.role": "tool", "message.tool_call_id": "c1", "message.content": "{\\"monthly\\": 1671.36}"}]}""");

            assertThat(text).contains("[user] Monthly payment on 320,000 EUR?")
                    .contains("[assistant] tool call: calculate_mortgage(principal=320000)")
                    .contains("[tool] calculate_mortgage returned: {monthly: 1671.36}");
        }

        @Test
        @DisplayName("fully flattened llm.input_messages.N.message.* attributes read as messages in index order")
        void flattened() {
            String text = generation("""
                    {"$ai_input": {"llm.input_messages.1.message.role": "user", "llm.input_messages.1.message.content": "Second",
                                   "llm.input_messages.0.message.role": "system", "llm.input_messages.0.message.content": "First"}}""");

            assertThat(text).contains("[system] First").contains("[user] Second");
            assertThat(text.indexOf("[system] First")).isLessThan(text.indexOf("[user] Second"));
        }
    }

    @Nested
    @DisplayName("strings and broken JSON")
    class Strings {

        @Test
        @DisplayName("a plain string input is the user's, a plain string output the assistant's")
        void plainStrings() {
            String text = generation("""
                    {"$ai_input": "Which wine with risotto?", "$ai_output_choices": "A Pinot Noir."}""");

            assertThat(text).contains("[user] Which wine with risotto?").contains("[assistant] A Pinot Noir.");
        }

        @Test
        @DisplayName("JSON stored as a string is decoded, also when encoded twice, and never printed with escapes")
        void jsonStrings() {
            String text = generation("""
                    {"$ai_input": "[{\\"role\\": \\"user\\", \\"content\\": \\"Under 15 euros?\\"}]",
                     "$ai_output_choices": "\\"{\\\\\\"role\\\\\\": \\\\\\"assistant\\\\\\", \\\\\\"content\\\\\\": \\\\\\"Try a Chilean Pinot.\\\\\\"}\\""}""");

            assertThat(text).contains("[user] Under 15 euros?").contains("[assistant] Try a Chilean Pinot.")
                    .doesNotContain("\"role\"").doesNotContain("\\\"");
        }

        @Test
        @DisplayName("broken JSON is shown raw (unescaped) and shortened, and says so")
        void brokenJson() {
            String tail = "x".repeat(5000);
            String text = generation("""
                    {"$ai_output_choices": "{\\"role\\": \\"assistant\\", \\"content\\": \\"312 returned 404, the rest \\\\\\"ok\\\\\\" %s""".formatted(tail) + "\"}");

            assertThat(text).contains("(invalid JSON, shown raw)").contains("312 returned 404").contains("chars cut]")
                    .doesNotContain("\\\"");
            assertThat(text.length()).isLessThan(2500);
        }

        @Test
        @DisplayName("non-ASCII text stays as it is, never as \\u escapes")
        void unicode() {
            String text = generation("""
                    {"$ai_input": "[{\\"role\\": \\"user\\", \\"content\\": \\"\\\\u00bfQu\\\\u00e9 tal? \\\\u65e5\\\\u672c \\\\ud83d\\\\ude00\\"}]"}""");

            assertThat(text).contains("[user] ¿Qué tal? 日本 😀").doesNotContainPattern("\\\\u[0-9a-fA-F]{4}");
        }

        @Test
        @DisplayName("a JavaScript SDK's [object Object] artefact is named, not echoed")
        void objectObject() {
            String text = generation("""
                    {"$ai_input": [{"role": "user", "content": "[object Object]"}]}""");

            assertThat(text).doesNotContain("[object Object]").contains("an object the SDK did not serialise");
        }
    }
}
