package dev.prism.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;

/**
 * A configured service's base URL ({@code https://api.openai.com/v1}, {@code http://localhost:11434}) read once: host,
 * port (the scheme's default when none is given), TLS, and the path every request is relative to, without a trailing
 * slash. One reading for every client that calls a configured service (LLM and embedding providers).
 */
public record BaseUrl(String host, int port, boolean tls, String path) {

    /** @throws IllegalArgumentException when the value is not an absolute http(s) URL with a host */
    public static BaseUrl parse(String value) {
        URI uri = URI.create(value.strip());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL with a host: " + value);
        }
        boolean tls = scheme.equals("https");
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return new BaseUrl(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80, tls, path);
    }

    /** {@code path} plus a relative path: {@code "/v1" + "/chat/completions"}; a missing leading slash is added. */
    public String resolve(String relative) {
        return path + (relative.startsWith("/") ? relative : "/" + relative);
    }

    /** A client whose requests go to this host, port and scheme, with up to {@code maxConnections} HTTP/1 connections. */
    public WebClient client(Vertx vertx, int maxConnections) {
        return WebClient.create(vertx, new WebClientOptions().setDefaultHost(host).setDefaultPort(port).setSsl(tls),
                new PoolOptions().setHttp1MaxSize(maxConnections));
    }
}
