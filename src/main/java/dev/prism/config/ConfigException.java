package dev.prism.config;

/** A configuration value that cannot be used; the message names the key, its source and the value. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
