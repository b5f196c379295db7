package dev.prism.otel;

import dev.prism.bus.Failure;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Inflates an OTLP body sent with {@code Content-Encoding: gzip} (the exporters' {@code compression: gzip}), with the
 * limit applied to the inflated bytes so a small compressed bomb cannot exhaust memory.
 */
final class OtlpBodyDecoder {

    private OtlpBodyDecoder() {
    }

    static byte[] decode(byte[] body, String contentEncoding, long limit) {
        String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        if (encoding.isEmpty() || encoding.equals("identity")) {
            return body;
        }
        if (!encoding.equals("gzip")) {
            throw new Failure(415, "unsupported_compression", "Content-Encoding '" + contentEncoding + "' is not supported; send gzip or none").exception();
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 16 * 1024)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, body.length * 4));
            byte[] chunk = new byte[16 * 1024];
            long total = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw new Failure(413, "payload_too_large", "The decompressed body exceeds the limit of " + limit + " bytes").exception();
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new Failure(400, "invalid_compression", "The body is not valid gzip: " + e.getMessage()).exception();
        }
    }
}
