package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;

import java.net.InetAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one way alert destinations call out: every hop's URL is checked against the {@link AddressPolicy} after its name
 * is resolved, and the connection goes to the address that was checked (the Host header and TLS name stay the URL's),
 * so a name that resolves to a public address for the check and to 127.0.0.1 for the connect (DNS rebinding) gains
 * nothing. Redirects are never followed automatically: up to {@value #MAX_REDIRECTS} are followed here, each checked
 * again, and credentials ({@code Authorization}) are not sent on to another origin. A hard deadline covers the whole
 * exchange and reply bodies are read up to {@value #MAX_BODY_BYTES} bytes.
 */
public final class GuardedHttp {

    static final int MAX_REDIRECTS = 3;
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** Headers that authenticate the sender to its first host and must not follow a redirect elsewhere. */
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie", "proxy-authorization");

    /** Resolves a host name to every address it has; injectable so tests can make any name resolve to 127.0.0.1. */
    @FunctionalInterface
    public interface HostResolver {
        Future<List<InetAddress>> resolve(String host);

        /** The JVM's resolver (getAllByName blocks, so it runs on a worker thread). */
        static HostResolver system(Vertx vertx) {
            return host -> vertx.executeBlocking(() -> Arrays.asList(InetAddress.getAllByName(host)), false);
        }
    }

    /** A request as a destination builds it; {@code headers} may hold secrets and are never logged. */
    public record Request(HttpMethod method, URI uri, Map<String, String> headers, String body) {
        public Request {
            headers = Map.copyOf(headers);
        }

        public static Request postJson(URI uri, Map<String, String> headers, String body) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.putIfAbsent("Content-Type", "application/json");
            return new Request(HttpMethod.POST, uri, all, body);
        }
    }

    /** What the last hop answered. {@code body} is cut at {@value #MAX_BODY_BYTES} bytes. */
    public record Response(int status, MultiMap headers, String body, int redirects) {
    }

    /** The address policy refused a hop; the message is meant for the delivery log and names no secret. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The reply did not come within the deadline. */
    public static final class TimedOut extends RuntimeException {
        public TimedOut(long millis) {
            super("no answer within " + millis + " ms", null, false, false);
        }
    }

    private final HttpClientAgent client;
    private final AddressPolicy policy;
    private final HostResolver resolver;
    private final long timeoutMillis;
    private final String userAgent;

    public GuardedHttp(Vertx vertx, AddressPolicy policy, HostResolver resolver, long timeoutMillis, String userAgent) {
        this(vertx, policy, resolver, timeoutMillis, userAgent, null);
    }

    /** @param trust the certificates TLS receivers are checked against; null: the JVM's trust store */
    GuardedHttp(Vertx vertx, AddressPolicy policy, HostResolver resolver, long timeoutMillis, String userAgent, TrustOptions trust) {
        int timeoutSeconds = (int) Math.max(1, TimeUnit.MILLISECONDS.toSeconds(timeoutMillis));
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .setIdleTimeout(timeoutSeconds)
                // The connection goes to a checked IP address: TLS must still present and verify the URL's name.
                .setForceSni(true)
                .setVerifyHost(true);
        if (trust != null) {
            options.setTrustOptions(trust);
        }
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(8));
        this.policy = policy;
        this.resolver = resolver;
        this.timeoutMillis = timeoutMillis;
        this.userAgent = userAgent;
    }

    public AddressPolicy policy() {
        return policy;
    }

    /** Why {@code uri} may not be called at all (scheme, credentials), without resolving it; empty when it may be. */
    public Optional<String> checkUri(URI uri) {
        return policy.checkUri(uri);
    }

    /**
     * Sends the request, following redirects within the policy. Fails with {@link Refused} when a hop is refused,
     * {@link TimedOut} past the deadline, or the client's own exception when no connection could be made.
     */
    public Future<Response> send(Request request) {
        return hop(request, 0).timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(e instanceof java.util.concurrent.TimeoutException ? new TimedOut(timeoutMillis) : e));
    }

    private Future<Response> hop(Request request, int redirects) {
        URI uri = request.uri();
        Optional<String> badUri = policy.checkUri(uri);
        if (badUri.isPresent()) {
            return Future.failedFuture(new Refused(badUri.get()));
        }
        String host = AddressPolicy.stripBrackets(uri.getHost());
        return resolver.resolve(host)
                .recover(e -> Future.failedFuture(new Refused("destination host " + host + " does not resolve")))
                .compose(addresses -> {
                    Optional<String> refusal = policy.check(host, addresses);
                    if (refusal.isPresent()) {
                        return Future.failedFuture(new Refused(refusal.get()));
                    }
                    return exchange(request, addresses.get(0));
                })
                .compose(response -> {
                    String location = response.headers().get("Location");
                    if (!REDIRECTS.contains(response.status()) || location == null) {
                        return Future.succeededFuture(new Response(response.status(), response.headers(), response.body(), redirects));
                    }
                    if (redirects >= MAX_REDIRECTS) {
                        return Future.failedFuture(new Refused("destination redirected more than " + MAX_REDIRECTS + " times"));
                    }
                    URI next;
                    try {
                        next = uri.resolve(location.trim());
                    } catch (IllegalArgumentException e) {
                        return Future.failedFuture(new Refused("destination redirected to an unreadable location"));
                    }
                    return hop(redirected(request, next, response.status()), redirects + 1);
                });
    }

    /** The request for the next hop: 303 (and 301/302 after a POST, as clients do) becomes a GET without body. */
    private static Request redirected(Request request, URI next, int status) {
        boolean toGet = status == 303 || ((status == 301 || status == 302) && request.method() == HttpMethod.POST);
        boolean sameOrigin = Objects.equals(origin(request.uri()), origin(next));
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if ((sameOrigin || !CREDENTIAL_HEADERS.contains(lower)) && !(toGet && lower.equals("content-type"))) {
                headers.put(name, value);
            }
        });
        return new Request(toGet ? HttpMethod.GET : request.method(), next, headers, toGet ? null : request.body());
    }

    private static String origin(URI uri) {
        return (uri.getScheme() + "://" + uri.getHost() + ":" + port(uri)).toLowerCase(Locale.ROOT);
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private Future<Response> exchange(Request request, InetAddress checked) {
        URI uri = request.uri();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(AddressPolicy.stripBrackets(uri.getHost()))
                .setPort(port(uri))
                .setSsl("https".equalsIgnoreCase(uri.getScheme()))
                .setServer(SocketAddress.inetSocketAddress(port(uri), checked.getHostAddress()))
                .setURI(path)
                .setFollowRedirects(false)
                .putHeader("User-Agent", userAgent);
        request.headers().forEach(options::putHeader);
        return client.request(options)
                .compose(req -> request.body() == null ? req.send() : req.send(Buffer.buffer(request.body())))
                .compose(this::bounded);
    }

    /** Reads at most {@value #MAX_BODY_BYTES} bytes of the reply: a destination's answer is a status and a short text. */
    private Future<Response> bounded(HttpClientResponse response) {
        Promise<Response> done = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            int room = MAX_BODY_BYTES - body.length();
            if (room > 0) {
                body.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
            }
        });
        response.exceptionHandler(done::tryFail);
        response.endHandler(v -> done.tryComplete(new Response(response.statusCode(), response.headers(), body.toString(), 0)));
        return done.future();
    }

    public Future<Void> close() {
        return client.close();
    }
}
