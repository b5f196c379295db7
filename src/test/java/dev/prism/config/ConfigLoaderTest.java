package dev.prism.config;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

    @AfterEach
    void clear() {
        System.clearProperty("prism.trace.idleSeconds");
        System.clearProperty("prism.http.port");
    }

    private static PrismConfig load(Vertx vertx, Path file) throws Exception {
        return ConfigLoader.load(vertx, file).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("reads conf/prism.json through vertx-config and lets system properties override it")
    void fileThenSystemProperties(Vertx vertx, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("prism.json");
        Files.writeString(file, "{\"http\": {\"port\": 9123}, \"trace\": {\"idleSeconds\": 7}}");
        PrismConfig fromFile = load(vertx, file);
        assertThat(fromFile.http().port()).isEqualTo(9123);
        assertThat(fromFile.traces().idleSeconds()).isEqualTo(7);

        System.setProperty("prism.trace.idleSeconds", "11");
        assertThat(load(vertx, file).traces().idleSeconds()).isEqualTo(11);
    }

    @Test
    @DisplayName("a missing file means defaults; the repository's own conf/prism.json loads")
    void missingAndShippedFile(Vertx vertx, @TempDir Path dir) throws Exception {
        assertThat(load(vertx, dir.resolve("absent.json")).http().port()).isEqualTo(8080);
        assertThat(load(vertx, Path.of("conf/prism.json")).traces().idleSeconds()).isEqualTo(60);
    }

    @Test
    @DisplayName("an invalid value in the file fails loading with the key and value named")
    void invalidValue(Vertx vertx, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("prism.json");
        Files.writeString(file, "{\"http\": {\"port\": \"eighty\"}}");
        assertThatThrownBy(() -> load(vertx, file)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConfigException.class).hasMessageContaining("http.port").hasMessageContaining("'eighty'");
    }
}
