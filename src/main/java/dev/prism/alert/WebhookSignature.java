package dev.prism.alert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature a webhook receiver checks: {@code sha256=} + hex HMAC-SHA256, keyed with the destination's secret, of
 * {@code timestamp + "." + body} where timestamp is the {@code X-Prism-Timestamp} header (unix seconds). Signing the
 * timestamp with the body lets a receiver reject a replayed request (older than five minutes) that it could not tell
 * apart otherwise. Pure.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "X-Prism-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Prism-Signature";

    private WebhookSignature() {
    }

    public static String sign(String secret, long timestampSeconds, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }
}
