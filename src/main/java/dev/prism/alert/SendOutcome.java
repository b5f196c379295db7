package dev.prism.alert;

import java.time.Duration;

/**
 * How one attempt to deliver an {@link AlertNotice} ended, as the delivery log records it. Pure.
 *
 * @param statusCode  the destination's HTTP status, null when no answer came (connection refused, timeout)
 * @param retryable   5xx, 429 and timeouts are; 4xx other than 429 are not (a wrong URL stays wrong)
 * @param retryAfter  the destination's {@code Retry-After}, null when it gave none
 * @param detail      a short reason for the log, never containing a secret (no URL with its token, no header)
 * @param externalRef what the destination created or touched (a Linear issue id, a GitHub issue URL), or null
 */
public record SendOutcome(boolean delivered, Integer statusCode, boolean retryable, Duration retryAfter, String detail,
                          String externalRef) {

    public static SendOutcome delivered(int statusCode, String externalRef) {
        return new SendOutcome(true, statusCode, false, null, null, externalRef);
    }

    public static SendOutcome failed(Integer statusCode, boolean retryable, Duration retryAfter, String detail) {
        return new SendOutcome(false, statusCode, retryable, retryAfter, detail, null);
    }
}
