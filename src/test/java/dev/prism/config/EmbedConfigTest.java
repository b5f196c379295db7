package dev.prism.config;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Embedding configuration")
class EmbedConfigTest {

    private static PrismConfig config(Map<String, String> env) {
        return PrismConfig.from(new ConfigSource(Map.of(), env, Map.of()));
    }

    @Test
    @DisplayName("defaults to the local model, batches of 64 or 100 ms, one ONNX thread per call and one worker per core")
    void defaults() {
        PrismConfig.Embed e = config(Map.of()).embed();
        assertThat(e.provider()).isEqualTo("local");
        assertThat(e.baseUrl()).isEmpty();
        assertThat(e.batchSize()).isEqualTo(64);
        assertThat(e.batchWaitMillis()).isEqualTo(100);
        assertThat(e.intraOpThreads()).isEqualTo(1);
        assertThat(e.workers()).isZero();
        assertThat(e.maxAttempts()).isEqualTo(5);
    }

    @Test
    @DisplayName("reads the OpenAI-compatible provider from the environment and never shows its key")
    void openai() {
        PrismConfig.Embed e = config(Map.of("PRISM_EMBED_PROVIDER", "OpenAI", "PRISM_EMBED_BASE_URL", "http://localhost:11434/v1",
                "PRISM_EMBED_API_KEY", "sk-very-secret-embedding-key", "PRISM_EMBED_MODEL", "nomic-embed-text", "PRISM_EMBED_BATCH_SIZE", "16",
                "PRISM_EMBED_BATCH_WAIT_MS", "250", "PRISM_EMBED_INTRA_OP_THREADS", "2", "PRISM_EMBED_WORKERS", "3")).embed();
        assertThat(e.provider()).isEqualTo("openai");
        assertThat(e.baseUrl()).contains("http://localhost:11434/v1");
        assertThat(e.model()).contains("nomic-embed-text");
        assertThat(e.batchSize()).isEqualTo(16);
        assertThat(e.batchWaitMillis()).isEqualTo(250);
        assertThat(e.intraOpThreads()).isEqualTo(2);
        assertThat(e.workers()).isEqualTo(3);
        assertThat(e.toString()).doesNotContain("sk-very-secret-embedding-key").contains("apiKey=<set>");
    }

    @Test
    @DisplayName("an unknown provider or an out-of-range batch size stops startup naming the key")
    void invalid() {
        assertThatThrownBy(() -> config(Map.of("PRISM_EMBED_PROVIDER", "cohere"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("embed.provider").hasMessageContaining("local, openai");
        assertThatThrownBy(() -> config(Map.of("PRISM_EMBED_BATCH_SIZE", "0"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("embed.batchSize");
    }
}
