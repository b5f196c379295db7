package dev.prism.config;

/**
 * One configuration key: its path in {@code conf/prism.json}, its environment variable and its system property.
 * Precedence, lowest first: default, file, environment, system property.
 */
public record Setting(String path, String env, String defaultValue, String description) {

    public String systemProperty() {
        return "prism." + path;
    }
}
