package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * API-key management through a running server's REST API ({@code /api/projects/{p}/keys}), so it works the same
 * against an embedded or an external database and on any instance, and needs an admin key like any other client.
 */
@Command(name = "keys", description = "Create, list and revoke a project's API keys on a running server.", mixinStandardHelpOptions = true,
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = dev.prism.common.JsonMapping.MAPPER;

    @Override
    public Integer call() {
        System.out.println("Use one of: keys create, keys list, keys revoke (see keys --help).");
        return 2;
    }

    /** Where and as whom: shared by every subcommand. */
    static final class Server {
        @Option(names = "--url", defaultValue = "http://localhost:8080", description = "Server base URL (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--admin-key", defaultValue = "${env:PRISM_ADMIN_TOKEN}",
                description = "An admin API key (default: the PRISM_ADMIN_TOKEN environment variable).")
        String adminKey;

        @Option(names = "--project", defaultValue = "default", description = "Project id (default: ${DEFAULT-VALUE}).")
        String project;

        record Answer(int status, JsonNode json) {
        }

        Answer call(String method, String suffix, String body) throws IOException, InterruptedException {
            if (adminKey == null || adminKey.isBlank()) {
                throw new IllegalArgumentException("Give an admin key with --admin-key or PRISM_ADMIN_TOKEN");
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/api/projects/" + project + "/keys" + suffix))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = JSON.readTree(r.body());
            } catch (IOException e) {
                json = JSON.createObjectNode().put("error", "invalid_response").put("detail", r.body());
            }
            return new Answer(r.statusCode(), json);
        }

        /** Prints a refusal and returns the exit code; 0 when the call succeeded. */
        static int check(Answer a) {
            if (a.status() / 100 == 2) {
                return 0;
            }
            System.out.printf("HTTP %d %s: %s%n", a.status(), a.json().path("error").asText(), a.json().path("detail").asText());
            return 1;
        }
    }

    static String describe(JsonNode key) {
        StringBuilder scopes = new StringBuilder();
        key.path("scopes").forEach(s -> scopes.append(scopes.isEmpty() ? "" : ",").append(s.asText()));
        return String.format("%-6s %-24s %-18s %-20s %-26s %s", key.path("id").asText(), key.path("name").asText(), scopes,
                key.path("display").asText("-"), key.path("created_at").asText(),
                key.path("revoked_at").isNull() ? "active" : "revoked " + key.path("revoked_at").asText());
    }

    @Command(name = "create", description = "Create a key; it is printed once and cannot be shown again.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @Mixin
        Server server;

        @Option(names = "--name", required = true, description = "What the key is for, e.g. 'ci' or 'grafana'.")
        String name;

        @Option(names = "--scope", required = true, split = ",", description = "ingest, read or admin; repeat or separate with commas.")
        List<String> scopes;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = JSON.createObjectNode().put("name", name);
            scopes.forEach(body.putArray("scopes")::add);
            Server.Answer a = server.call("POST", "", body.toString());
            if (Server.check(a) != 0) {
                return 1;
            }
            System.out.println(describe(a.json()));
            System.out.println("Key (shown only once): " + a.json().path("key").asText());
            return 0;
        }
    }

    @Command(name = "list", description = "List the project's keys (never their secrets).", mixinStandardHelpOptions = true)
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        Server server;

        @Override
        public Integer call() throws Exception {
            Server.Answer a = server.call("GET", "", null);
            if (Server.check(a) != 0) {
                return 1;
            }
            System.out.println(String.format("%-6s %-24s %-18s %-20s %-26s %s", "ID", "NAME", "SCOPES", "KEY", "CREATED", "STATUS"));
            a.json().path("results").forEach(k -> System.out.println(describe(k)));
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a key: every instance refuses it from its next request on "
            + "(ingestion within auth.tokenCacheMillis).", mixinStandardHelpOptions = true)
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "ID", description = "The key's id, as listed.")
        long id;

        @Override
        public Integer call() throws Exception {
            Server.Answer a = server.call("DELETE", "/" + id, null);
            if (Server.check(a) != 0) {
                return 1;
            }
            System.out.println("Revoked " + describe(a.json()));
            return 0;
        }
    }
}
