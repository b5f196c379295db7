package dev.prism.config;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrismConfigTest {

    private static PrismConfig config(Map<String, Object> file, Map<String, String> env, Map<String, String> sys) {
        return PrismConfig.from(new ConfigSource(file, env, sys));
    }

    @Test
    @DisplayName("defaults apply when nothing is configured: port 8080, ./data, embedded PostgreSQL, 60 s idle, 20 MB bodies")
    void defaults() {
        PrismConfig c = config(Map.of(), Map.of(), Map.of());
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.store().dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.store().pgUrl()).isEmpty();
        assertThat(c.traces().idleSeconds()).isEqualTo(60);
        assertThat(c.http().bodyLimitBytes()).isEqualTo(20L * 1024 * 1024);
        assertThat(c.auth().adminToken()).isEmpty();
        assertThat(c.demo().enabled()).isFalse();
    }

    @Test
    @DisplayName("the environment overrides the file and system properties override both")
    void precedence() {
        Map<String, Object> file = Map.of("http", Map.of("port", 9000), "trace", Map.of("idleSeconds", 5), "dataDir", "/from-file");
        PrismConfig fileOnly = config(file, Map.of(), Map.of());
        assertThat(fileOnly.http().port()).isEqualTo(9000);
        assertThat(fileOnly.traces().idleSeconds()).isEqualTo(5);

        PrismConfig withEnv = config(file, Map.of("PRISM_HTTP_PORT", "9100", "PRISM_DATA_DIR", "/from-env"), Map.of());
        assertThat(withEnv.http().port()).isEqualTo(9100);
        assertThat(withEnv.store().dataDir()).isEqualTo(Path.of("/from-env"));
        assertThat(withEnv.traces().idleSeconds()).isEqualTo(5);

        PrismConfig withSys = config(file, Map.of("PRISM_HTTP_PORT", "9100"), Map.of("prism.http.port", "9200"));
        assertThat(withSys.http().port()).isEqualTo(9200);
    }

    @Test
    @DisplayName("an invalid value stops startup with a message naming the key, where it came from and the value")
    void invalidValues() {
        assertThatThrownBy(() -> config(Map.of(), Map.of("PRISM_HTTP_PORT", "eighty"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port").hasMessageContaining("PRISM_HTTP_PORT").hasMessageContaining("'eighty'");
        assertThatThrownBy(() -> config(Map.of("trace", Map.of("idleSeconds", -3)), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("trace.idleSeconds").hasMessageContaining("conf/prism.json").hasMessageContaining("'-3'");
        assertThatThrownBy(() -> config(Map.of(), Map.of("PRISM_DEMO", "maybe"), Map.of()))
                .hasMessageContaining("demo.enabled").hasMessageContaining("true or false");
        assertThatThrownBy(() -> config(Map.of(), Map.of("PRISM_PG_URL", "mysql://secret@db/x"), Map.of()))
                .hasMessageContaining("pg.url").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> config(Map.of(), Map.of("PRISM_ADMIN_TOKEN", "short"), Map.of()))
                .hasMessageContaining("auth.adminToken").hasMessageNotContaining("short'");
    }

    @Test
    @DisplayName("dashboard.publicUrl is one setting: absent by default, trailing slashes dropped, anything but an http(s) URL refused")
    void dashboardPublicUrl() {
        assertThat(config(Map.of(), Map.of(), Map.of()).dashboard().publicUrl()).isEmpty();
        assertThat(config(Map.of("dashboard", Map.of("publicUrl", "https://prism.example.com/app//")), Map.of(), Map.of()).dashboard().publicUrl())
                .contains("https://prism.example.com/app");
        assertThat(config(Map.of(), Map.of("PRISM_DASHBOARD_PUBLIC_URL", "http://10.0.0.5:8080"), Map.of()).dashboard().publicUrl())
                .contains("http://10.0.0.5:8080");
        assertThatThrownBy(() -> config(Map.of(), Map.of("PRISM_DASHBOARD_PUBLIC_URL", "javascript:alert(1)"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dashboard.publicUrl");
    }

    @Test
    @DisplayName("secrets never show in the configuration's string form")
    void secretsHidden() {
        PrismConfig c = config(Map.of(), Map.of("PRISM_ADMIN_TOKEN", "super-secret-admin-token"), Map.of());
        assertThat(c.toString()).doesNotContain("super-secret-admin-token");
    }

    @Test
    @DisplayName("the prompt's trace cap defaults to 60,000 characters; prices for any model come from llm.prices, invalid ones name the key")
    void promptCapAndPrices() {
        PrismConfig d = config(Map.of(), Map.of(), Map.of());
        assertThat(d.llm().maxTraceChars()).isEqualTo(60_000);
        assertThat(d.llm().pricing().known("mystery-9000")).isFalse();
        PrismConfig c = config(Map.of("llm", Map.of("maxTraceChars", 8000, "prices", "mystery-9000=2/8/0.2/2.5")),
                Map.of(), Map.of());
        assertThat(c.llm().maxTraceChars()).isEqualTo(8_000);
        assertThat(c.llm().pricing().price("mystery-9000").cacheWrite()).isEqualTo(2.5);
        assertThat(c.llm().toString()).contains("mystery-9000");
        assertThatThrownBy(() -> config(Map.of(), Map.of("PRISM_LLM_PRICES", "mystery=cheap"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("llm.prices").hasMessageContaining("PRISM_LLM_PRICES");
        assertThatThrownBy(() -> config(Map.of(), Map.of("PRISM_LLM_MAX_TRACE_CHARS", "10"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("llm.maxTraceChars");
    }
}
