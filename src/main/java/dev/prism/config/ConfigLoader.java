package dev.prism.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the three configuration layers with vertx-config, each store on its own so that precedence is
 * decided by {@link ConfigSource} (file, then environment, then system properties), not by merge order.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    public static Future<PrismConfig> load(Vertx vertx, Path configFile) {
        Future<JsonObject> file = Files.exists(configFile)
                ? read(vertx, new ConfigStoreOptions().setType("file").setFormat("json")
                        .setConfig(new JsonObject().put("path", configFile.toString())))
                : Future.succeededFuture(new JsonObject());
        Future<JsonObject> env = read(vertx, new ConfigStoreOptions().setType("env")
                .setConfig(new JsonObject().put("keys", new io.vertx.core.json.JsonArray(
                        PrismConfig.SETTINGS.stream().map(Setting::env).toList()))));
        Future<JsonObject> sys = read(vertx, new ConfigStoreOptions().setType("sys").setConfig(new JsonObject().put("cache", false)));
        return Future.all(file, env, sys).map(all -> PrismConfig.from(new ConfigSource(
                nested(file.result()), strings(env.result()), strings(sys.result()))));
    }

    private static Future<JsonObject> read(Vertx vertx, ConfigStoreOptions store) {
        ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
                .setIncludeDefaultStores(false).setScanPeriod(0).addStore(store));
        return retriever.getConfig().andThen(ar -> retriever.close());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nested(JsonObject json) {
        // JsonObject.getMap() may hold JsonObject values; a plain nested Map keeps ConfigSource free of Vert.x.
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json.encode(), Map.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException("Cannot read configuration file: " + e.getOriginalMessage());
        }
    }

    private static Map<String, String> strings(JsonObject json) {
        Map<String, String> out = new HashMap<>();
        json.forEach(e -> {
            if (e.getValue() != null) {
                out.put(e.getKey(), String.valueOf(e.getValue()));
            }
        });
        return out;
    }
}
