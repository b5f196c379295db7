package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** JSON values as readable text: decoding, placeholders for binary, middle cuts. */
class ValueTextTest {

    private static String written(JsonNode v) {
        TextOut out = new TextOut();
        ValueText.labeled(out, "value", v);
        return out.toString();
    }

    private static JsonNode json(String s) {
        return TestTraces.props("{\"v\": " + s + "}").get("v");
    }

    private static String base64(int bytes, byte... magic) {
        byte[] data = new byte[bytes];
        new Random(3).nextBytes(data);
        System.arraycopy(magic, 0, data, 0, magic.length);
        return Base64.getEncoder().encodeToString(data);
    }

    @Nested
    @DisplayName("cutting long values")
    class Cutting {

        @Test
        @DisplayName("a value within the limit is returned as it is")
        void short_() {
            String s = "short value";

            assertThat(ValueText.cut(s, 100)).isSameAs(s);
        }

        @Test
        @DisplayName("a long value keeps its head and tail and says exactly how many characters were cut")
        void middleCut() {
            String s = "HEAD-" + "m".repeat(20_000) + "-TAIL";

            String cut = ValueText.cut(s, 1000);

            assertThat(cut).startsWith("HEAD-").endsWith("-TAIL").hasSizeLessThanOrEqualTo(1000);
            int kept = cut.length() - cut.substring(cut.indexOf("… ["), cut.indexOf("] …") + 3).length() - 2;
            assertThat(cut).contains("… [" + Fmt.count(s.length() - kept) + " chars cut] …");
        }

        @Test
        @DisplayName("a cut in a log snaps to line breaks, so the note stands on its own line")
        void snapsToLines() {
            StringBuilder log = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                log.append("row ").append(i).append(",ok\n");
            }

            String cut = ValueText.cut(log.toString(), 600);

            assertThat(cut.lines()).anyMatch(l -> l.matches("… \\[[\\d,]+ chars cut] …")).allMatch(l -> l.startsWith("row ") || l.startsWith("…"));
        }

        @Test
        @DisplayName("a cut never splits a surrogate pair")
        void surrogates() {
            String s = "😀".repeat(5000);

            String cut = ValueText.cut(s, 301);

            assertThat(cut.chars().filter(c -> Character.isSurrogate((char) c)).count() % 2).isZero();
            assertThat(cut.codePoints().filter(Character::isSupplementaryCodePoint).allMatch(c -> c == "😀".codePointAt(0))).isTrue();
        }
    }

    @Nested
    @DisplayName("binary content")
    class Binary {

        @Test
        @DisplayName("a data URL becomes a placeholder with its media type and decoded size")
        void dataUrl() {
            String url = "data:image/png;base64," + base64(48 * 1024, (byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');

            assertThat(BinaryText.placeholder("url", url)).isEqualTo("[image/png base64, 48 KB]");
        }

        @Test
        @DisplayName("a bare base64 blob is typed by its magic bytes: PNG, JPEG, PDF")
        void sniffing() {
            assertThat(BinaryText.placeholder(null, base64(3000, (byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G')))
                    .isEqualTo("[image/png base64, 2.9 KB]");
            assertThat(BinaryText.placeholder(null, base64(3000, (byte) 0xFF, (byte) 0xD8, (byte) 0xFF))).startsWith("[image/jpeg base64, ");
            assertThat(BinaryText.placeholder(null, base64(3000, (byte) '%', (byte) 'P', (byte) 'D', (byte) 'F', (byte) '-')))
                    .startsWith("[application/pdf base64, ");
            assertThat(BinaryText.placeholder(null, base64(3000, (byte) 1))).startsWith("[base64, ");
        }

        @Test
        @DisplayName("signatures and encrypted reasoning are replaced by key, whatever they look like")
        void opaqueKeys() {
            assertThat(BinaryText.placeholder("signature", "abcdefghijklmnopqrstuvwxyz0123456789")).isEqualTo("[signature, 27 B]");
            assertThat(BinaryText.placeholder("thoughtSignature", "x".repeat(400))).isEqualTo("[thought signature, 300 B]");
            assertThat(BinaryText.placeholder("encrypted_content", "y".repeat(4000))).isEqualTo("[encrypted reasoning, 2.9 KB]");
        }

        @Test
        @DisplayName("ordinary text, words, hex digests and URLs are left alone")
        void ordinaryText() {
            assertThat(BinaryText.placeholder("content", "The quick brown fox jumps over the lazy dog. ".repeat(10))).isNull();
            assertThat(BinaryText.placeholder(null, "a".repeat(500))).isNull();
            assertThat(BinaryText.placeholder(null, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".repeat(3))).isNull();
            assertThat(BinaryText.placeholder("url", "https://example.com/" + "path/".repeat(40))).isNull();
        }

        @Test
        @DisplayName("base64 runs and data URLs inside prose are replaced, the prose kept")
        void inProse() {
            String blob = base64(6000, (byte) 0xFF, (byte) 0xD8, (byte) 0xFF);
            String prose = "Here is the photo: data:image/jpeg;base64," + blob + " and the raw bytes " + blob.substring(0, 800) + " end.";

            String cleaned = ValueText.clean(prose, 100_000);

            assertThat(cleaned).isEqualTo("Here is the photo: [image/jpeg base64, 5.9 KB] and the raw bytes [image/jpeg base64, 600 B] end.");
        }

        @Test
        @DisplayName("prose without binary content comes back as the same string, not a copy")
        void noCopy() {
            String prose = "Plain words only, nothing binary in here at all. ".repeat(40);

            assertThat(ValueText.clean(prose, 100_000)).isSameAs(prose);
        }

        @Test
        @DisplayName("binary values inside structures become placeholders without quotes")
        void inStructures() {
            String text = written(json("{\"source\": {\"type\": \"base64\", \"media_type\": \"image/png\", \"data\": \"" + base64(900, (byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G') + "\"}}"));

            assertThat(text).isEqualTo("value: {source: {type: \"base64\", media_type: \"image/png\", data: [image/png base64, 900 B]}}\n");
        }
    }

    @Nested
    @DisplayName("structured values")
    class Structured {

        @Test
        @DisplayName("a short object stays on its label's line; keys are bare and strings quoted without escaping")
        void inline() {
            assertThat(written(json("{\"name\": \"Ana \\\"the boss\\\"\", \"age\": 41, \"tags\": [\"a\", \"b\"], \"x\": null}")))
                    .isEqualTo("value: {name: \"Ana \"the boss\"\", age: 41, tags: [\"a\", \"b\"]}\n");
        }

        @Test
        @DisplayName("a long object becomes key: value lines, list items become dashes, YAML-style")
        void block() {
            String text = written(json("""
                    {"summary": "%s", "rows": [{"id": 1, "note": "%s"}, "plain item"], "empty": {}}""".formatted("s".repeat(200), "n".repeat(200))));

            assertThat(text).isEqualTo("value:\n  summary: " + "s".repeat(200) + "\n  rows:\n    - id: 1\n      note: " + "n".repeat(200)
                    + "\n    - plain item\n");
        }

        @Test
        @DisplayName("long lists show their first and last items and count the rest")
        void longLists() {
            StringBuilder list = new StringBuilder("[");
            for (int i = 0; i < 1000; i++) {
                list.append(i == 0 ? "" : ",").append("\"item ").append(i).append('"');
            }
            String text = written(json(list.append(']').toString()));

            assertThat(text).contains("- item 0").contains("- item 39").doesNotContain("- item 40\n").contains("… 950 more items …")
                    .contains("- item 999");
        }

        @Test
        @DisplayName("JSON held in a string is decoded, recursively, and shown without escapes")
        void nestedJsonStrings() {
            JsonNode inner = TextNode.valueOf("{\"status\": \"ok\", \"payload\": \"{\\\"rows\\\": [1, 2]}\"}");

            assertThat(written(inner)).isEqualTo("value: {status: \"ok\", payload: {rows: [1, 2]}}\n");
        }

        @Test
        @DisplayName("numbers keep their value without exponent notation")
        void numbers() {
            assertThat(written(json("{\"cost\": 1.1e-05, \"big\": 12345678901234, \"ratio\": 0.25}")))
                    .isEqualTo("value: {cost: 0.000011, big: 12345678901234, ratio: 0.25}\n");
        }

        @Test
        @DisplayName("multi-line text hangs under its label")
        void multiLine() {
            assertThat(written(TextNode.valueOf("line one\nline two"))).isEqualTo("value: line one\n  line two\n");
        }

        @Test
        @DisplayName("deep nesting is summarised instead of recursing without end")
        void deepNesting() {
            String deep = "{\"a\": ".repeat(400) + "1" + "}".repeat(400);

            String text = written(json(deep));

            assertThat(text).contains("{…}");
            assertThat(text.length()).isLessThan(10_000);
        }
    }

    @Nested
    @DisplayName("JSON in strings")
    class JsonStrings {

        @Test
        @DisplayName("objects, lists and string literals parse; plain text and trailing garbage do not")
        void parse() {
            assertThat(ValueText.parseJson(" {\"a\": 1} ")).isNotNull();
            assertThat(ValueText.parseJson("[1, 2]")).isNotNull();
            assertThat(ValueText.parseJson("\"quoted\"").isTextual()).isTrue();
            assertThat(ValueText.parseJson("Hello {world}")).isNull();
            assertThat(ValueText.parseJson("{\"a\": 1} {\"b\": 2}")).isNull();
            assertThat(ValueText.parseJson("{'python': 'repr'}")).isNull();
        }

        @Test
        @DisplayName("broken JSON is recognised, and its escapes undone for display")
        void broken() {
            assertThat(ValueText.looksLikeBrokenJson("{\"role\": \"assistant\", \"content\": \"cut off")).isTrue();
            assertThat(ValueText.looksLikeBrokenJson("{'ticket_id': 88231}")).isFalse();
            assertThat(ValueText.looksLikeBrokenJson("[Day 1] Palermo")).isFalse();
            assertThat(ValueText.unescape("say \\\"hi\\\"\\nnext \\u00e9")).isEqualTo("say \"hi\"\nnext é");
        }
    }
}
