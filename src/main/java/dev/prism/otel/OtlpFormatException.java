package dev.prism.otel;

/** The body is not an OTLP export request in the encoding it claims: the whole request is refused with 400. */
final class OtlpFormatException extends RuntimeException {

    OtlpFormatException(String message) {
        super(message, null, false, false);
    }
}
