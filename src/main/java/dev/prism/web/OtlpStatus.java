package dev.prism.web;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The error body of OTLP/HTTP answers: a {@code google.rpc.Status} ({@code code = 1}, {@code message = 2}) in the
 * request's encoding, its gRPC code matching the HTTP status. Written by hand: two fields do not justify a dependency
 * on the common protos.
 */
final class OtlpStatus {

    private OtlpStatus() {
    }

    /** Protobuf unless the request said JSON: the protobuf exporters are the common case and the JSON ones say so. */
    static boolean protobuf(String contentType) {
        return contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("json");
    }

    static int grpcCode(int httpStatus) {
        return switch (httpStatus) {
            case 400, 415 -> 3; // INVALID_ARGUMENT
            case 401 -> 16; // UNAUTHENTICATED
            case 403 -> 7; // PERMISSION_DENIED
            case 404 -> 5; // NOT_FOUND
            case 413, 429 -> 8; // RESOURCE_EXHAUSTED
            case 503 -> 14; // UNAVAILABLE
            case 504 -> 4; // DEADLINE_EXCEEDED
            default -> 13; // INTERNAL
        };
    }

    static byte[] encode(boolean protobuf, int httpStatus, String message) {
        int code = grpcCode(httpStatus);
        if (!protobuf) {
            return Json.MAPPER.createObjectNode().put("code", code).put("message", message).toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeInt32(1, code);
            out.writeString(2, message);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
