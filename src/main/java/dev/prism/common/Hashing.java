package dev.prism.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one digest Prism uses: stored token hashes, cache keys, member-set fingerprints, sampling. Pure. */
public final class Hashing {

    private Hashing() {
    }

    /** SHA-256 of the parts in order. */
    public static byte[] sha256(byte[]... parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        for (byte[] part : parts) {
            sha.update(part);
        }
        return sha.digest();
    }

    /** SHA-256 of the UTF-8 text, in lower-case hex. */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }
}
