package dev.prism.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * How every destination turns what happened into a {@link SendOutcome}: 5xx, 429, 408 and timeouts are worth another
 * attempt (with the destination's {@code Retry-After}), other 4xx are not, a refused address is not. Every detail goes
 * through {@link #redact} with the destination's secrets first, so not even a receiver that echoes its token back can
 * put it in the delivery log. Pure.
 */
final class Outcomes {

    private static final int MAX_DETAIL = 300;

    private Outcomes() {
    }

    static boolean retryable(int status) {
        return status == 429 || status == 408 || status >= 500;
    }

    /** A failed outcome for an HTTP answer: {@code what} says which call ("webhook", "Linear issueCreate"). */
    static SendOutcome ofStatus(int status, String retryAfterHeader, String what, String message, List<String> secrets) {
        return SendOutcome.failed(status, retryable(status), retryable(status) ? retryAfter(retryAfterHeader, Instant.now()) : null,
                redact(what + " answered HTTP " + status + (message == null || message.isBlank() ? "" : ": " + message.strip()), secrets));
    }

    /** A failed outcome for a call that got no usable answer. */
    static SendOutcome ofFailure(Throwable error, String what, List<String> secrets) {
        if (error instanceof GuardedHttp.Refused) {
            return SendOutcome.failed(null, false, null, redact(error.getMessage(), secrets));
        }
        if (error instanceof GuardedHttp.TimedOut || error instanceof TimeoutException) {
            return SendOutcome.failed(null, true, null, redact(what + ": " + error.getMessage(), secrets));
        }
        // The client's messages name host and port at most, but they are redacted like everything else.
        String message = error.getMessage() == null ? "" : ": " + error.getMessage();
        return SendOutcome.failed(null, true, null, redact(what + " failed, " + error.getClass().getSimpleName() + message, secrets));
    }

    /**
     * {@code Retry-After} as seconds or an HTTP date, null when absent or unreadable.
     */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        try {
            return Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(value) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    /**
     * {@code text} with every secret (and every secret's URL path, which is where a Slack webhook keeps its token)
     * replaced by {@code ***}, cut at {@value #MAX_DETAIL} characters.
     */
    static String redact(String text, List<String> secrets) {
        if (text == null) {
            return null;
        }
        List<String> needles = new ArrayList<>();
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 4) {
                needles.add(secret);
                int path = secret.indexOf('/', secret.indexOf("://") + 3);
                if (secret.contains("://") && path > 0 && secret.length() - path > 4) {
                    needles.add(secret.substring(path));
                }
            }
        }
        needles.sort(Comparator.comparingInt(String::length).reversed());
        String out = text;
        for (String needle : needles) {
            out = out.replace(needle, "***");
        }
        return out.length() > MAX_DETAIL ? out.substring(0, MAX_DETAIL) + "…" : out;
    }
}
