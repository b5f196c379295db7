package dev.prism.alert;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
@DisplayName("The guarded HTTP client every destination uses: address checks on every hop, manual redirects")
class GuardedHttpTest {

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final List<GuardedHttp> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (GuardedHttp c : clients) {
            await(c.close());
        }
        for (HttpServer s : servers) {
            await(s.close());
        }
    }

    private int serve(Vertx vertx, Consumer<HttpServerRequest> handler) throws Exception {
        HttpServer server = await(vertx.createHttpServer().requestHandler(handler::accept).listen(0, "127.0.0.1"));
        servers.add(server);
        return server.actualPort();
    }

    private GuardedHttp client(Vertx vertx, AddressPolicy policy, GuardedHttp.HostResolver resolver) {
        GuardedHttp http = new GuardedHttp(vertx, policy, resolver, 3_000, "test-agent");
        clients.add(http);
        return http;
    }

    /** Names under .test resolve as this map says, everything else as the system does (localhost included). */
    private static GuardedHttp.HostResolver fakeDns(Vertx vertx, Map<String, List<String>> names) {
        GuardedHttp.HostResolver system = GuardedHttp.HostResolver.system(vertx);
        return host -> {
            List<String> literals = names.get(host);
            if (literals == null) {
                return system.resolve(host);
            }
            try {
                InetAddress[] out = new InetAddress[literals.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = InetAddress.getByName(literals.get(i));
                }
                return Future.succeededFuture(List.of(out));
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
        };
    }

    private static GuardedHttp.Request get(String url) {
        return new GuardedHttp.Request(io.vertx.core.http.HttpMethod.GET, URI.create(url), Map.of(), null);
    }

    private static String refusal(Future<?> call) {
        Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> await(call));
        assertThat(e).isInstanceOf(ExecutionException.class);
        assertThat(e.getCause()).isInstanceOf(GuardedHttp.Refused.class);
        return e.getCause().getMessage();
    }

    @Test
    @DisplayName("a loopback literal is refused by default with the clear error, and nothing reaches the server")
    void loopbackLiteral(Vertx vertx) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        int port = serve(vertx, req -> {
            seen.add(req.path());
            req.response().end("ok");
        });
        GuardedHttp http = client(vertx, AddressPolicy.publicOnly(), GuardedHttp.HostResolver.system(vertx));
        assertThat(refusal(http.send(get("http://127.0.0.1:" + port + "/hook"))))
                .isEqualTo("destination resolves to 127.0.0.1, a loopback address; set alerts.allowPrivateDestinations to allow it");
        assertThat(seen).isEmpty();
    }

    @Test
    @DisplayName("private, link-local (metadata) and CGNAT literals are refused")
    void privateRanges(Vertx vertx) {
        GuardedHttp http = client(vertx, AddressPolicy.publicOnly(), GuardedHttp.HostResolver.system(vertx));
        assertThat(refusal(http.send(get("http://10.0.0.1/x")))).contains("10.0.0.1, a private address");
        assertThat(refusal(http.send(get("http://172.20.1.1/x")))).contains("172.20.1.1, a private address");
        assertThat(refusal(http.send(get("http://192.168.0.10/x")))).contains("192.168.0.10, a private address");
        assertThat(refusal(http.send(get("http://169.254.169.254/latest/meta-data/")))).contains("169.254.169.254, a link-local address");
        assertThat(refusal(http.send(get("http://100.100.100.200/x")))).contains("a carrier-grade NAT (CGNAT) address");
        assertThat(refusal(http.send(get("http://[fd00::1]/x")))).contains("a private (unique local) address");
        assertThat(refusal(http.send(get("http://[::ffff:127.0.0.1]/x")))).contains("127.0.0.1, a loopback address");
        assertThat(refusal(http.send(get("ftp://example.com/x")))).isEqualTo("destination URL scheme 'ftp' is not allowed; use http or https");
    }

    @Test
    @DisplayName("names resolving to 127.0.0.1 are refused: localhost, and any name a resolver maps there, even among public addresses")
    void namesResolvingToLoopback(Vertx vertx) throws Exception {
        int port = serve(vertx, req -> req.response().end("ok"));
        GuardedHttp http = client(vertx, AddressPolicy.publicOnly(), fakeDns(vertx, Map.of(
                "rebind.test", List.of("127.0.0.1"),
                "mixed.test", List.of("93.184.216.34", "127.0.0.1"))));
        assertThat(refusal(http.send(get("http://localhost:" + port + "/hook")))).contains("a loopback address; set alerts.allowPrivateDestinations to allow it");
        assertThat(refusal(http.send(get("http://rebind.test:" + port + "/hook"))))
                .isEqualTo("destination resolves to 127.0.0.1, a loopback address; set alerts.allowPrivateDestinations to allow it");
        assertThat(refusal(http.send(get("http://mixed.test:" + port + "/hook")))).contains("127.0.0.1, a loopback address");
    }

    @Test
    @DisplayName("an allowed receiver is called at the address that was checked, with the URL's host in the Host header")
    void allowedCallsCheckedAddress(Vertx vertx) throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        int port = serve(vertx, req -> {
            seen.put("host", req.getHeader("Host"));
            seen.put("agent", req.getHeader("User-Agent"));
            req.response().setStatusCode(202).end("accepted");
        });
        GuardedHttp http = client(vertx, AddressPolicy.parse("receiver.test"), fakeDns(vertx, Map.of("receiver.test", List.of("127.0.0.1"))));
        GuardedHttp.Response r = await(http.send(get("http://receiver.test:" + port + "/hook")));
        assertThat(r.status()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("accepted");
        assertThat(seen).containsEntry("host", "receiver.test:" + port).containsEntry("agent", "test-agent");
    }

    @Test
    @DisplayName("a redirect to a private address is refused although the first hop was allowed, and the private server is never called")
    void redirectToPrivate(Vertx vertx) throws Exception {
        List<String> internal = new CopyOnWriteArrayList<>();
        int internalPort = serve(vertx, req -> {
            internal.add(req.path());
            req.response().end("secret metadata");
        });
        int port = serve(vertx, req -> req.response().setStatusCode(302).putHeader("Location", "http://127.0.0.1:" + internalPort + "/latest/meta-data").end());
        GuardedHttp http = client(vertx, AddressPolicy.parse("receiver.test"), fakeDns(vertx, Map.of("receiver.test", List.of("127.0.0.1"))));
        assertThat(refusal(http.send(get("http://receiver.test:" + port + "/hook"))))
                .isEqualTo("destination resolves to 127.0.0.1, a loopback address; set alerts.allowPrivateDestinations to allow it");
        int metadataRedirect = serve(vertx, req -> req.response().setStatusCode(307).putHeader("Location", "http://169.254.169.254/latest/meta-data").end());
        assertThat(refusal(http.send(get("http://receiver.test:" + metadataRedirect + "/hook")))).contains("169.254.169.254, a link-local address");
        assertThat(internal).isEmpty();
    }

    @Test
    @DisplayName("allowed redirects are followed up to three times (307 keeps method and body), a fourth is refused")
    void redirectLimit(Vertx vertx) throws Exception {
        List<String> hops = new CopyOnWriteArrayList<>();
        int port = serve(vertx, req -> req.body().onSuccess(body -> {
            hops.add(req.method() + " " + req.path() + " " + body);
            int n = Integer.parseInt(req.path().substring(1));
            if (req.path().equals("/9") || n >= 9) {
                req.response().end("done");
            } else {
                req.response().setStatusCode(307).putHeader("Location", "/" + (n + 1)).end();
            }
        }));
        GuardedHttp http = client(vertx, AddressPolicy.allowAll(), GuardedHttp.HostResolver.system(vertx));
        GuardedHttp.Response r = await(http.send(GuardedHttp.Request.postJson(URI.create("http://127.0.0.1:" + port + "/6"), Map.of(), "{}")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.redirects()).isEqualTo(3);
        assertThat(hops).containsExactly("POST /6 {}", "POST /7 {}", "POST /8 {}", "POST /9 {}");
        hops.clear();
        assertThat(refusal(http.send(GuardedHttp.Request.postJson(URI.create("http://127.0.0.1:" + port + "/1"), Map.of(), "{}"))))
                .isEqualTo("destination redirected more than 3 times");
        assertThat(hops).hasSize(4);
    }

    @Test
    @DisplayName("credentials are not sent on to another origin by a redirect; same-origin redirects keep them")
    void credentialsStayHome(Vertx vertx) throws Exception {
        Map<String, String> auth = new ConcurrentHashMap<>();
        int other = serve(vertx, req -> {
            auth.put("other", String.valueOf(req.getHeader("Authorization")));
            req.response().end("ok");
        });
        int first = serve(vertx, req -> {
            if (req.path().equals("/start")) {
                req.response().setStatusCode(308).putHeader("Location", "/same").end();
            } else {
                auth.put("same", String.valueOf(req.getHeader("Authorization")));
                req.response().setStatusCode(308).putHeader("Location", "http://other.test:" + other + "/x").end();
            }
        });
        GuardedHttp http = client(vertx, AddressPolicy.allowAll(), fakeDns(vertx, Map.of("other.test", List.of("127.0.0.1"))));
        GuardedHttp.Response r = await(http.send(new GuardedHttp.Request(io.vertx.core.http.HttpMethod.POST,
                URI.create("http://127.0.0.1:" + first + "/start"), Map.of("Authorization", "Bearer tok"), "{}")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(auth).containsEntry("same", "Bearer tok").containsEntry("other", "null");
    }

    @Test
    @DisplayName("a receiver that never answers fails the call at the deadline as a timeout")
    void deadline(Vertx vertx) throws Exception {
        int port = serve(vertx, req -> {
            // never answers
        });
        GuardedHttp http = new GuardedHttp(vertx, AddressPolicy.allowAll(), GuardedHttp.HostResolver.system(vertx), 300, "t");
        clients.add(http);
        assertThatThrownBy(() -> await(http.send(get("http://127.0.0.1:" + port + "/slow"))))
                .cause().isInstanceOf(GuardedHttp.TimedOut.class).hasMessage("no answer within 300 ms");
    }

    @Test
    @DisplayName("over TLS the connection goes to the checked address but the certificate is verified against the URL's host name")
    void tlsKeepsTheUrlsName(Vertx vertx) throws Exception {
        io.vertx.core.net.SelfSignedCertificate cert = io.vertx.core.net.SelfSignedCertificate.create("receiver.test");
        HttpServer tls = await(vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
                .requestHandler(req -> req.response().end("tls " + req.authority().host())).listen(0, "127.0.0.1"));
        servers.add(tls);
        GuardedHttp http = new GuardedHttp(vertx, AddressPolicy.parse("receiver.test,impostor.test"),
                fakeDns(vertx, Map.of("receiver.test", List.of("127.0.0.1"), "impostor.test", List.of("127.0.0.1"))), 3_000, "t", cert.trustOptions());
        clients.add(http);
        GuardedHttp.Response r = await(http.send(get("https://receiver.test:" + tls.actualPort() + "/hook")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("tls receiver.test");
        // Same server, same address, but the URL names another host: the certificate does not match it.
        assertThatThrownBy(() -> await(http.send(get("https://impostor.test:" + tls.actualPort() + "/hook"))))
                .cause().isNotInstanceOf(GuardedHttp.Refused.class).isNotInstanceOf(GuardedHttp.TimedOut.class)
                .hasRootCauseMessage("No name matching impostor.test found");
    }
}
