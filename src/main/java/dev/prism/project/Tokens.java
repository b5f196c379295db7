package dev.prism.project;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Secrets: generation and the one-way form we store. Tokens carry 256 random bits, so an unsalted SHA-256 is as
 * strong as a slow password hash here and costs microseconds per request.
 */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new token such as {@code prism_ingest_3q2…}: the prefix tells a reader what the secret is for. */
    public static String generate(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String token) {
        return dev.prism.common.Hashing.sha256Hex(token);
    }
}
