package dev.prism.theme;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic sampling: whether a trace is in a theme's sample depends only on the theme's seed and the trace id,
 * so every run, node and restart picks the same traces, and raising the rate only adds traces (a trace sampled at
 * rate r stays sampled at any higher rate). Pure JDK (SHA-256), stable across JVMs and versions.
 */
public final class Sampler {

    private static final double TWO_POW_53 = 0x1p53;

    private Sampler() {
    }

    /**
     * @param rate from 0 (none) to 1 (all)
     * @throws IllegalArgumentException for a rate outside [0, 1]
     */
    public static boolean sampled(String seed, String traceId, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("sample rate must be from 0 to 1, got " + rate);
        }
        return position(seed, traceId) < rate;
    }

    /**
     * The trace's fixed position in [0, 1): the first 53 bits of SHA-256(length of seed, seed, trace id), so every
     * position is an exact double and the values are uniform. The seed's length comes first so that ("ab", "c") and
     * ("a", "bc") hash differently.
     */
    public static double position(String seed, String traceId) {
        byte[] s = seed.getBytes(StandardCharsets.UTF_8);
        byte[] t = traceId.getBytes(StandardCharsets.UTF_8);
        byte[] digest = dev.prism.common.Hashing.sha256(ByteBuffer.allocate(4).putInt(s.length).array(), s, t);
        long bits = ByteBuffer.wrap(digest).getLong();
        return (bits >>> 11) / TWO_POW_53;
    }
}
