package dev.prism.ingest;

import dev.prism.bus.Failure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Turns a request body into JSON bytes: gunzips it when the client said so ({@code Content-Encoding: gzip},
 * PostHog's {@code ?compression=gzip-js}) or when it starts with the gzip magic, and enforces the size limit on the
 * inflated bytes so a small compressed bomb cannot exhaust memory.
 */
final class PayloadDecoder {

    private PayloadDecoder() {
    }

    static byte[] decode(byte[] body, String contentEncoding, String compression, long limit) {
        String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        String query = compression == null ? "" : compression.trim().toLowerCase(Locale.ROOT);
        boolean gzipMagic = body.length >= 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b;
        if (!query.isEmpty() && !query.startsWith("gzip")) {
            throw new Failure(415, "unsupported_compression", "Compression '" + compression + "' is not supported; send gzip or plain JSON").exception();
        }
        if (!encoding.isEmpty() && !encoding.equals("gzip") && !encoding.equals("identity")) {
            throw new Failure(415, "unsupported_compression", "Content-Encoding '" + contentEncoding + "' is not supported; send gzip or plain JSON").exception();
        }
        if (encoding.equals("gzip") || query.startsWith("gzip") || gzipMagic) {
            return gunzip(body, limit);
        }
        return body;
    }

    private static byte[] gunzip(byte[] body, long limit) {
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
