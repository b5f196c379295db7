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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's issues REST API as far as the GitHub destination uses it, for one repository: create, read, list (state,
 * since, sort, direction, per_page, page; pull requests included as GitHub does), {@code state} and {@code closed_at}, close and reopen by PATCH, comments (create,
 * list with since). Checks the headers GitHub asks for; answers 401 to a wrong token, 404 to another repository. It
 * can drop the answer to one call (having done it) to play a lost response, and rate-limit one call.
 */
final class FakeGithub {

    static final String TOKEN = "ghp_SECRETTOKEN0123456789";
    static final String REPO = "acme/app";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern ISSUE = Pattern.compile("^/repos/([^/]+/[^/]+)/issues(?:/(\\d+))?(/comments)?$");

    static final class Issue {
        final long id;
        final int number;
        final String title;
        final String body;
        final boolean pullRequest;
        volatile String state = "open";
        /** Set when the issue is closed, cleared when it is reopened, as GitHub does. */
        volatile Instant closedAt;
        final Instant createdAt = Instant.now();
        volatile Instant updatedAt = Instant.now();
        final List<String> comments = new CopyOnWriteArrayList<>();

        /** Someone closes the issue at {@code at}. */
        void close(Instant at) {
            state = "closed";
            closedAt = at;
            updatedAt = Instant.now();
        }

        Issue(long id, int number, String title, String body, boolean pullRequest) {
            this.id = id;
            this.number = number;
            this.title = title;
            this.body = body;
            this.pullRequest = pullRequest;
        }
    }

    final Map<Integer, Issue> issues = new ConcurrentHashMap<>();
    /** "POST /issues", "GET /issues", "GET /issues/n", "PATCH /issues/n", "POST /comments", "GET /comments" in order. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    private final AtomicInteger numbers = new AtomicInteger();
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

    void dropNextAnswer(String call) {
        dropOnce.add(call);
    }

    void rateLimitNext(String call) {
        rateLimitOnce.add(call);
    }

    /** Issues and pull requests people opened, as a busy repository has. */
    void addOthers(int count) {
        for (int i = 0; i < count; i++) {
            int n = numbers.incrementAndGet();
            issues.put(n, new Issue(1000 + n, n, "Someone's issue " + n, "body " + n, i % 3 == 0));
        }
    }

    List<Issue> prismIssues() {
        return issues.values().stream().filter(i -> i.title.startsWith("[Prism]")).toList();
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(b -> {
            if (!("Bearer " + TOKEN).equals(req.getHeader("Authorization"))) {
                json(req, 401, MAPPER.createObjectNode().put("message", "Bad credentials").put("documentation_url", "https://docs.github.com/rest"));
                return;
            }
            if (!"application/vnd.github+json".equals(req.getHeader("Accept")) || !"2022-11-28".equals(req.getHeader("X-GitHub-Api-Version"))
                    || req.getHeader("User-Agent") == null || req.getHeader("User-Agent").isBlank()) {
                problems.add("headers of " + req.method() + " " + req.path());
                json(req, 400, MAPPER.createObjectNode().put("message", "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"));
                return;
            }
            Matcher m = ISSUE.matcher(req.path());
            if (!m.matches() || !m.group(1).equals(REPO)) {
                json(req, 404, MAPPER.createObjectNode().put("message", "Not Found"));
                return;
            }
            String call = req.method().name() + " " + (m.group(3) != null ? "/comments" : m.group(2) != null ? "/issues/n" : "/issues");
            calls.add(call);
            if (rateLimitOnce.remove(call)) {
                req.response().setStatusCode(403).putHeader("x-ratelimit-remaining", "0")
                        .putHeader("x-ratelimit-reset", Long.toString(Instant.now().plusSeconds(40).getEpochSecond()))
                        .putHeader("Content-Type", "application/json").end("{\"message\":\"API rate limit exceeded\"}");
                return;
            }
            int status;
            JsonNode answer;
            try {
                JsonNode body = b.length() == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(b.toString());
                Issue issue = m.group(2) == null ? null : issues.get(Integer.parseInt(m.group(2)));
                if (m.group(2) != null && issue == null) {
                    json(req, 404, MAPPER.createObjectNode().put("message", "Not Found"));
                    return;
                }
                switch (call) {
                    case "POST /issues" -> {
                        if (!body.path("title").isTextual() || body.path("title").asText().isBlank()) {
                            json(req, 422, MAPPER.createObjectNode().put("message", "Validation Failed"));
                            return;
                        }
                        int n = numbers.incrementAndGet();
                        Issue created = new Issue(5000 + n, n, body.path("title").asText(), body.path("body").asText(), false);
                        issues.put(n, created);
                        status = 201;
                        answer = issueJson(created);
                    }
                    case "GET /issues" -> {
                        status = 200;
                        answer = list(req);
                    }
                    case "GET /issues/n" -> {
                        status = 200;
                        answer = issueJson(issue);
                    }
                    case "PATCH /issues/n" -> {
                        if (body.has("state")) {
                            String next = body.path("state").asText();
                            if (!next.equals(issue.state)) {
                                issue.closedAt = next.equals("closed") ? Instant.now() : null;
                            }
                            issue.state = next;
                            issue.updatedAt = Instant.now();
                        }
                        status = 200;
                        answer = issueJson(issue);
                    }
                    case "POST /comments" -> {
                        issue.comments.add(body.path("body").asText());
                        issue.updatedAt = Instant.now();
                        status = 201;
                        answer = MAPPER.createObjectNode().put("id", 90_000 + issue.comments.size()).put("body", body.path("body").asText());
                    }
                    case "GET /comments" -> {
                        status = 200;
                        ArrayNode out = MAPPER.createArrayNode();
                        issue.comments.forEach(c -> out.addObject().put("body", c));
                        answer = out;
                    }
                    default -> {
                        json(req, 404, MAPPER.createObjectNode().put("message", "Not Found"));
                        return;
                    }
                }
            } catch (Exception e) {
                req.response().setStatusCode(500).end();
                return;
            }
            if (dropOnce.remove(call)) {
                req.connection().close();
                return;
            }
            json(req, status, answer);
        });
    }

    private ArrayNode list(HttpServerRequest req) {
        String state = req.getParam("state", "open");
        Instant since = req.getParam("since") == null ? Instant.EPOCH : Instant.parse(req.getParam("since"));
        int perPage = Integer.parseInt(req.getParam("per_page", "30"));
        int page = Integer.parseInt(req.getParam("page", "1"));
        Comparator<Issue> order = Comparator.comparing((Issue i) -> i.createdAt).thenComparingInt(i -> i.number);
        if (!"asc".equals(req.getParam("direction"))) {
            order = order.reversed();
        }
        List<Issue> matching = new ArrayList<>(issues.values().stream()
                .filter(i -> state.equals("all") || i.state.equals(state))
                .filter(i -> !i.updatedAt.isBefore(since))
                .sorted(order).toList());
        ArrayNode out = MAPPER.createArrayNode();
        matching.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(i -> out.add(issueJson(i)));
        return out;
    }

    private static ObjectNode issueJson(Issue i) {
        ObjectNode node = MAPPER.createObjectNode().put("id", i.id).put("number", i.number).put("title", i.title).put("body", i.body)
                .put("state", i.state).put("html_url", "https://github.com/" + REPO + "/issues/" + i.number)
                .put("created_at", i.createdAt.toString()).put("updated_at", i.updatedAt.toString())
                .put("closed_at", i.closedAt == null ? null : i.closedAt.toString());
        if (i.pullRequest) {
            node.putObject("pull_request").put("url", "https://api.github.com/repos/" + REPO + "/pulls/" + i.number);
        }
        return node;
    }

    private static void json(HttpServerRequest req, int status, JsonNode body) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body.toString());
    }
}
