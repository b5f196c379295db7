package dev.prism.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static dev.prism.ingest.EventParserTest.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

class PayloadDecoderTest {

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    @DisplayName("gzip is inflated when the header, PostHog's gzip-js parameter or the magic bytes say so; plain JSON passes through")
    void inflates() throws IOException {
        byte[] json = "{\"a\": 1}".getBytes(StandardCharsets.UTF_8);
        assertThat(PayloadDecoder.decode(gzip(json), "gzip", null, 1000)).isEqualTo(json);
        assertThat(PayloadDecoder.decode(gzip(json), null, "gzip-js", 1000)).isEqualTo(json);
        assertThat(PayloadDecoder.decode(gzip(json), null, null, 1000)).isEqualTo(json);
        assertThat(PayloadDecoder.decode(json, null, null, 1000)).isSameAs(json);
    }

    @Test
    @DisplayName("a small gzip body that inflates past the limit is refused with 413 without inflating it all")
    void bomb() throws IOException {
        byte[] bomb = gzip(new byte[50 * 1024 * 1024]);
        assertThat(bomb.length).isLessThan(100_000);
        assertStatus(() -> PayloadDecoder.decode(bomb, "gzip", null, 1024 * 1024), 413, "payload_too_large");
    }

    @Test
    @DisplayName("broken gzip is a 400 and unknown encodings a 415")
    void errors() {
        assertStatus(() -> PayloadDecoder.decode(new byte[]{0x1f, (byte) 0x8b, 0, 1}, "gzip", null, 1000), 400, "invalid_compression");
        assertStatus(() -> PayloadDecoder.decode(new byte[]{1}, "br", null, 1000), 415, "unsupported_compression");
        assertStatus(() -> PayloadDecoder.decode(new byte[]{1}, null, "lz64", 1000), 415, "unsupported_compression");
    }
}
