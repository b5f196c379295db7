package dev.prism.alert;

import dev.prism.PrismServer;
import dev.prism.config.ConfigSource;
import dev.prism.config.PrismConfig;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Prism server with the test {@link ReceiverDestination}, configured by {@code -Dprism.*} properties, running until
 * killed: the crash side of {@code AlertCrashRecoveryTest}. It prints the server's "listening" line.
 */
public final class AlertServerChild {

    public static void main(String[] args) throws Exception {
        Map<String, String> system = new HashMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("prism.")) {
                system.put(k.toString(), v.toString());
            }
        });
        PrismConfig config = PrismConfig.from(new ConfigSource(Map.of(), Map.of(), system));
        Vertx vertx = Vertx.vertx();
        PrismServer server = PrismServer.start(vertx, config, System.out, List.of(new ReceiverDestination(vertx)))
                .toCompletionStage().toCompletableFuture().get();
        System.out.println("Prism listening on http://127.0.0.1:" + server.httpPort());
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await(); // serves until the test kills this process
    }
}
