package dev.prism.http;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpRepliesTest {

    @Test
    @DisplayName("429, 408 and 5xx are retried; other client errors are not")
    void retryable() {
        assertThat(HttpReplies.retryable(429)).isTrue();
        assertThat(HttpReplies.retryable(408)).isTrue();
        assertThat(HttpReplies.retryable(529)).isTrue();
        assertThat(HttpReplies.retryable(400)).isFalse();
        assertThat(HttpReplies.retryable(401)).isFalse();
    }

    @Test
    @DisplayName("Retry-After in seconds becomes milliseconds; dates, garbage and negatives do not become waits")
    void retryAfter() {
        assertThat(HttpReplies.retryAfterMillis("2")).isEqualTo(2_000);
        assertThat(HttpReplies.retryAfterMillis(" 0.5 ")).isEqualTo(500);
        assertThat(HttpReplies.retryAfterMillis("-3")).isZero();
        assertThat(HttpReplies.retryAfterMillis("Wed, 21 Oct 2026 07:28:00 GMT")).isEqualTo(-1);
        assertThat(HttpReplies.retryAfterMillis(null)).isEqualTo(-1);
    }

    @Test
    @DisplayName("the error message is read from either error shape and cut at 300 characters")
    void errorMessage() {
        assertThat(HttpReplies.errorMessage("{\"error\": {\"message\": \"Rate limit reached\"}}")).isEqualTo("Rate limit reached");
        assertThat(HttpReplies.errorMessage("{\"error\": \"bad key\"}")).isEqualTo("bad key");
        assertThat(HttpReplies.errorMessage("<html>502</html>")).isEmpty();
        assertThat(HttpReplies.errorMessage("{\"error\": \"" + "x".repeat(400) + "\"}")).hasSize(300);
    }
}
