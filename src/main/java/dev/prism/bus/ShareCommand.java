package dev.prism.bus;

import java.time.Instant;

/**
 * Share links of one theme's results, answered by the share feature on {@value Addresses#SHARE_COMMAND}. A share token
 * reads exactly one theme's clusters and exports; it is stored only as a hash and shown once, in the answer to
 * {@link Create}.
 */
public sealed interface ShareCommand {

    /** → {@link Share} with its token. Fails with 404 for an unknown theme, 400 for an expiry in the past. */
    record Create(String projectId, String themeId, Instant expiresAt) implements ShareCommand {
    }

    /** → {@link Shares}: the theme's links, revoked and expired ones included, without tokens. */
    record List(String projectId, String themeId) implements ShareCommand {
    }

    /** → the revoked {@link Share}; 404 when the theme has no such link. Revoking twice is harmless. */
    record Revoke(String projectId, String themeId, long shareId) implements ShareCommand {
    }

    /**
     * → the {@link Share} a token grants (without the token), read from the database on every request so a revocation
     * holds at once; 404 {@code share_not_found} alike for unknown, revoked and expired tokens.
     */
    record Resolve(String token) implements ShareCommand {
        @Override
        public String toString() {
            return "Resolve[<redacted>]";
        }
    }

    /**
     * @param token     the secret, only in the answer to {@link Create}; null otherwise
     * @param display   the token's first characters, so people can tell links apart
     * @param expiresAt null: until revoked
     */
    record Share(long id, String projectId, String themeId, String display, Instant createdAt, Instant expiresAt, Instant revokedAt,
                 String token) {
        @Override
        public String toString() {
            return "Share[" + id + ", " + projectId + ", " + themeId + ", revoked=" + (revokedAt != null) + "]";
        }
    }

    record Shares(java.util.List<Share> shares) {
    }
}
