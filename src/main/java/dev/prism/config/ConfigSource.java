package dev.prism.config;

import java.util.Map;
import java.util.Optional;

/**
 * The three layers configuration is read from, already loaded. Pure: no Vert.x, so resolution is unit-tested on maps.
 *
 * @param file   the parsed {@code conf/prism.json} (nested objects), empty when there is no file
 * @param env    environment variables
 * @param system system properties
 */
public record ConfigSource(Map<String, Object> file, Map<String, String> env, Map<String, String> system) {

    /** The raw value of a setting with the source it came from, or empty when only the default applies. */
    public Optional<Raw> lookup(Setting setting) {
        String sys = system.get(setting.systemProperty());
        if (sys != null) {
            return Optional.of(new Raw(sys, "system property " + setting.systemProperty()));
        }
        String fromEnv = env.get(setting.env());
        if (fromEnv != null) {
            return Optional.of(new Raw(fromEnv, "environment variable " + setting.env()));
        }
        Object node = file;
        for (String part : setting.path().split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                node = null;
                break;
            }
            node = map.get(part);
        }
        if (node == null || node instanceof Map) {
            return Optional.empty();
        }
        return Optional.of(new Raw(String.valueOf(node), "conf/prism.json key " + setting.path()));
    }

    /** A value as written, and where it was written, for error messages. */
    public record Raw(String value, String origin) {
    }
}
