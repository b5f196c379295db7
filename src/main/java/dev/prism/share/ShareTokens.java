package dev.prism.share;

import dev.prism.common.Hashing;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Share tokens and their stored form, the same scheme as API keys (the project feature's, which this feature may not
 * import): 256 random bits, so an unsalted SHA-256 is as strong as a slow password hash here.
 */
final class ShareTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ShareTokens() {
    }

    static String generate(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        return Hashing.sha256Hex(token);
    }
}
