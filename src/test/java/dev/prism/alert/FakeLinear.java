package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linear GraphQL endpoint as far as the Linear destination uses it: {@code Authorization: <api key>}, POST
 * {@code {"query", "variables"}}, the operation read from the query's name and root field, issues with ids chosen by
 * the client (UUID v4 format), workflow states (with {@code completedAt} and {@code canceledAt}), comments; errors as {@code errors} with status 200 (400 for
 * authentication). It can drop the answer to one operation (having done it) to play a lost response.
 */
final class FakeLinear {

    static final String API_KEY = "lin_api_SECRET0123456789";
    static final String TEAM = "team-1";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern OPERATION = Pattern.compile("^\\s*(query|mutation)\\s+(\\w+)[^{]*\\{\\s*(\\w+)");
    private static final Pattern UUID_V4 = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    /** The team's workflow, as Linear seeds a new team. */
    static final List<Map<String, Object>> STATES = List.of(
            Map.of("id", "st-backlog", "name", "Backlog", "type", "backlog", "position", 0),
            Map.of("id", "st-todo", "name", "Todo", "type", "unstarted", "position", 1),
            Map.of("id", "st-progress", "name", "In Progress", "type", "started", "position", 2),
            Map.of("id", "st-done", "name", "Done", "type", "completed", "position", 3),
            Map.of("id", "st-canceled", "name", "Canceled", "type", "canceled", "position", 4));

    static final class Issue {
        final String id;
        final String identifier;
        final String title;
        final String description;
        volatile String stateId = "st-backlog";
        /** Set when the issue moves into a completed (canceled) state, cleared when it leaves it, as Linear does. */
        volatile Instant completedAt;
        volatile Instant canceledAt;
        final List<String> comments = new CopyOnWriteArrayList<>();

        Issue(String id, String identifier, String title, String description) {
            this.id = id;
            this.identifier = identifier;
            this.title = title;
            this.description = description;
        }

        /** Someone moves the issue to Done ({@code completed}) or Canceled ({@code canceled}) at {@code at}. */
        void close(String type, Instant at) {
            stateId = type.equals("canceled") ? "st-canceled" : "st-done";
            completedAt = type.equals("canceled") ? null : at;
            canceledAt = type.equals("canceled") ? at : null;
        }

        void moveTo(String id) {
            String type = STATES.stream().filter(s -> s.get("id").equals(id)).findFirst().orElseThrow().get("type").toString();
            if (!type.equals(stateType())) {
                completedAt = type.equals("completed") ? Instant.now() : null;
                canceledAt = type.equals("canceled") ? Instant.now() : null;
            }
            stateId = id;
        }

        String stateType() {
            return STATES.stream().filter(s -> s.get("id").equals(stateId)).findFirst().orElseThrow().get("type").toString();
        }
    }

    final Map<String, Issue> issues = new ConcurrentHashMap<>();
    final Set<String> commentIds = ConcurrentHashMap.newKeySet();
    /** Operation names in the order they arrived. */
    final List<String> operations = new CopyOnWriteArrayList<>();
    /** Every well-formed request's body ({@code query}, {@code variables}), in the order they arrived. */
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final Set<String> dropOnce = ConcurrentHashMap.newKeySet();
    private final Set<String> rateLimitOnce = ConcurrentHashMap.newKeySet();
    private HttpServer server;

    Future<Integer> start(Vertx vertx) {
        return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").map(s -> {
            server = s;
            return s.actualPort();
        });
    }

    Future<Void> close() {
        return server.close();
    }

    /** Performs the next {@code operation} but closes the connection instead of answering. */
    void dropNextAnswer(String operation) {
        dropOnce.add(operation);
    }

    void rateLimitNext(String operation) {
        rateLimitOnce.add(operation);
    }

    List<Issue> issueList() {
        return new ArrayList<>(issues.values());
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(b -> {
            authorizations.add(String.valueOf(req.getHeader("Authorization")));
            if (!req.method().name().equals("POST") || !req.path().equals("/graphql") || !"application/json".equals(req.getHeader("Content-Type"))) {
                req.response().setStatusCode(400).end("{\"errors\":[{\"message\":\"POST JSON to /graphql\"}]}");
                return;
            }
            if (!API_KEY.equals(req.getHeader("Authorization"))) {
                req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end("{\"errors\":[{\"message\":\"Authentication required, not authenticated\",\"extensions\":{\"code\":\"AUTHENTICATION_ERROR\",\"type\":\"authentication error\",\"userError\":true}}]}");
                return;
            }
            ObjectNode answer;
            String operation;
            try {
                JsonNode body = MAPPER.readTree(b.toString());
                Matcher m = OPERATION.matcher(body.path("query").asText());
                if (!m.find()) {
                    req.response().setStatusCode(400).end("{\"errors\":[{\"message\":\"Syntax Error\"}]}");
                    return;
                }
                operation = m.group(2);
                operations.add(operation);
                requests.add(body);
                if (rateLimitOnce.remove(operation)) {
                    req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                            .putHeader("X-RateLimit-Requests-Reset", Long.toString(System.currentTimeMillis() + 60_000))
                            .end("{\"errors\":[{\"message\":\"Rate limit exceeded\",\"extensions\":{\"code\":\"RATELIMITED\"}}]}");
                    return;
                }
                answer = execute(m.group(3), body.path("variables"));
            } catch (Exception e) {
                req.response().setStatusCode(500).end();
                return;
            }
            if (dropOnce.remove(operation)) {
                req.connection().close();
                return;
            }
            req.response().putHeader("Content-Type", "application/json").end(answer.toString());
        });
    }

    private ObjectNode execute(String field, JsonNode variables) {
        ObjectNode out = MAPPER.createObjectNode();
        ObjectNode data = out.putObject("data");
        switch (field) {
            case "issue" -> {
                Issue issue = issues.get(variables.path("id").asText());
                if (issue == null) {
                    return notFound("Issue");
                }
                data.set("issue", issueJson(issue));
            }
            case "issueCreate" -> {
                JsonNode input = variables.path("input");
                String id = input.path("id").asText();
                if (!UUID_V4.matcher(id).matches()) {
                    return error("id must be a UUID v4", "INVALID_INPUT");
                }
                if (!TEAM.equals(input.path("teamId").asText())) {
                    return error("Entity not found: Team", "INVALID_INPUT");
                }
                if (issues.containsKey(id)) {
                    return error("Conflict: an entity with this id already exists", "CONFLICT");
                }
                Issue issue = new Issue(id, "ENG-" + (issues.size() + 1), input.path("title").asText(), input.path("description").asText());
                issues.put(id, issue);
                ObjectNode payload = data.putObject("issueCreate").put("success", true);
                payload.set("issue", issueJson(issue));
            }
            case "comment" -> {
                if (!commentIds.contains(variables.path("id").asText())) {
                    return notFound("Comment");
                }
                data.putObject("comment").put("id", variables.path("id").asText());
            }
            case "commentCreate" -> {
                JsonNode input = variables.path("input");
                Issue issue = issues.get(input.path("issueId").asText());
                if (issue == null) {
                    return notFound("Issue");
                }
                if (!commentIds.add(input.path("id").asText())) {
                    return error("Conflict: an entity with this id already exists", "CONFLICT");
                }
                issue.comments.add(input.path("body").asText());
                data.putObject("commentCreate").put("success", true).putObject("comment").put("id", input.path("id").asText());
            }
            case "team" -> {
                if (!TEAM.equals(variables.path("teamId").asText())) {
                    return notFound("Team");
                }
                ArrayNode nodes = data.putObject("team").putObject("states").putArray("nodes");
                STATES.forEach(s -> nodes.add(MAPPER.valueToTree(new LinkedHashMap<>(s))));
            }
            case "issueUpdate" -> {
                Issue issue = issues.get(variables.path("id").asText());
                if (issue == null) {
                    return notFound("Issue");
                }
                String stateId = variables.path("input").path("stateId").asText();
                if (STATES.stream().noneMatch(s -> s.get("id").equals(stateId))) {
                    return notFound("WorkflowState");
                }
                issue.moveTo(stateId);
                ObjectNode payload = data.putObject("issueUpdate").put("success", true);
                payload.set("issue", issueJson(issue));
            }
            default -> {
                return error("Cannot query field \"" + field + "\" on type \"Query\".", "GRAPHQL_VALIDATION_FAILED");
            }
        }
        return out;
    }

    private static ObjectNode issueJson(Issue issue) {
        ObjectNode node = MAPPER.createObjectNode().put("id", issue.id).put("identifier", issue.identifier)
                .put("url", "https://linear.app/acme/issue/" + issue.identifier);
        node.putObject("state").put("type", issue.stateType());
        node.put("completedAt", issue.completedAt == null ? null : issue.completedAt.toString());
        node.put("canceledAt", issue.canceledAt == null ? null : issue.canceledAt.toString());
        return node;
    }

    private static ObjectNode notFound(String entity) {
        ObjectNode out = error("Entity not found: " + entity, "INVALID_INPUT");
        out.putNull("data");
        return out;
    }

    private static ObjectNode error(String message, String code) {
        ObjectNode out = MAPPER.createObjectNode();
        out.putArray("errors").addObject().put("message", message).putObject("extensions").put("code", code).put("userError", true);
        return out;
    }
}
