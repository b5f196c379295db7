package dev.prism.trace;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/** Keyset position in the trace list (last event time, trace id), opaque to clients. */
record TraceCursor(Instant lastSeen, String traceId) {

    String encode() {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, lastSeen);
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + "|" + traceId).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException for a cursor this server did not make */
    static TraceCursor decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int bar = s.indexOf('|');
            long micros = Long.parseLong(s.substring(0, bar));
            return new TraceCursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), s.substring(bar + 1));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid cursor", e);
        }
    }
}
