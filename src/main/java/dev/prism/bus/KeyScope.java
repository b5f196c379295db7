package dev.prism.bus;

import java.util.Locale;
import java.util.Optional;

/** What an API key may do: send events ({@code ingest}), read a project ({@code read}), or also change it ({@code admin}). */
public enum KeyScope {
    INGEST, READ, ADMIN;

    /** The name used in JSON, the CLI and the database. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<KeyScope> parse(String text) {
        for (KeyScope s : values()) {
            if (s.wire().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
