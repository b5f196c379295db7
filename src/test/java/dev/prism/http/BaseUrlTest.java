package dev.prism.http;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BaseUrlTest {

    @Test
    @DisplayName("host, the scheme's default port, TLS and the path without a trailing slash")
    void parses() {
        assertThat(BaseUrl.parse("https://api.openai.com/v1/")).isEqualTo(new BaseUrl("api.openai.com", 443, true, "/v1"));
        assertThat(BaseUrl.parse("http://localhost:11434")).isEqualTo(new BaseUrl("localhost", 11434, false, ""));
        assertThat(BaseUrl.parse(" http://127.0.0.1/proxy/openai// ")).isEqualTo(new BaseUrl("127.0.0.1", 80, false, "/proxy/openai"));
        assertThat(BaseUrl.parse("https://api.anthropic.com").resolve("v1/messages")).isEqualTo("/v1/messages");
        assertThat(BaseUrl.parse("https://x.example/v1").resolve("/embeddings")).isEqualTo("/v1/embeddings");
    }

    @Test
    @DisplayName("anything but an absolute http(s) URL with a host is refused, naming the value")
    void refuses() {
        assertThatThrownBy(() -> BaseUrl.parse("api.openai.com/v1")).hasMessageContaining("api.openai.com/v1");
        assertThatThrownBy(() -> BaseUrl.parse("ftp://files.example/")).isInstanceOf(IllegalArgumentException.class);
    }
}
