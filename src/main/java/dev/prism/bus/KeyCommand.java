package dev.prism.bus;

import java.time.Instant;
import java.util.Set;

/** API-key management of one project, answered by the project feature on {@value Addresses#PROJECT_KEYS}. */
public sealed interface KeyCommand {

    String projectId();

    /** → {@link Key} with its secret, the only time it is shown. Fails with 400 on an empty name or no scope. */
    record Create(String projectId, String name, Set<KeyScope> scopes) implements KeyCommand {
    }

    /** → {@link Keys}: the project's keys, revoked ones included, without secrets. */
    record List(String projectId) implements KeyCommand {
    }

    /** → the revoked {@link Key}; fails with 404 when the project has no such key. Revoking twice is harmless. */
    record Revoke(String projectId, long id) implements KeyCommand {
    }

    /**
     * One key as the API shows it.
     *
     * @param display   the key's first characters, so people can tell keys apart
     * @param secret    the whole key, only in the answer to {@link Create}; null otherwise
     * @param revokedAt null while the key works
     */
    record Key(long id, String projectId, String name, Set<KeyScope> scopes, String display, Instant createdAt, Instant revokedAt,
               String secret) {
        @Override
        public String toString() {
            return "Key[" + id + ", " + projectId + ", " + name + ", " + scopes + ", revoked=" + (revokedAt != null) + "]";
        }
    }

    record Keys(java.util.List<Key> keys) {
    }
}
