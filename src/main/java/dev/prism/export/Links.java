package dev.prism.export;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Dashboard links in exports: absolute under {@code dashboard.publicUrl} when it is configured, else paths relative to
 * the server that made the export (a reader opens them on the same host).
 */
public final class Links {

    private final String base;

    /** @param publicUrl null or blank: relative links */
    public Links(String publicUrl) {
        String b = publicUrl == null ? "" : publicUrl.strip();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        this.base = b;
    }

    public String trace(String traceId) {
        return base + "/#/traces/" + encode(traceId);
    }

    public String theme(String themeId) {
        return base + "/#/themes/" + encode(themeId) + "/clusters";
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
