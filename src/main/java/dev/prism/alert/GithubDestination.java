package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code type: "github"}, config {@code token}, {@code repo} ("owner/name"), optional {@code api_url} (default
 * {@value #DEFAULT_API_URL}; GitHub Enterprise: {@code https://host/api/v3}) and {@code key} (default
 * {@code github:<repo>}). GitHub's REST API has no idempotency key, so every issue and comment carries a hidden marker
 * ({@link TicketKey#marker}) and a create or comment whose answer was lost is looked for among the repository's
 * issues (or the issue's comments) updated since the attempt before it is made again. The listing is used, not the
 * search API, because search indexes new issues with a delay.
 */
public final class GithubDestination implements Destination, TicketFlow.Tracker {

    public static final String DEFAULT_API_URL = "https://api.github.com";
    /** Pages of 100 looked through for an issue an unanswered create made (it is among the newest). */
    static final int MAX_PAGES = 3;
    /** Clocks differ: the listing starts this long before the attempt. */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

    private final GuardedHttp http;
    private final Clock clock;
    private final TicketFlow flow;

    public GithubDestination(GuardedHttp http, AlertTickets tickets, Clock clock) {
        this.http = http;
        this.clock = clock;
        this.flow = new TicketFlow(this, tickets);
    }

    @Override
    public String type() {
        return "github";
    }

    @Override
    public String validate(JsonObject config) {
        if (DestinationConfig.string(config, "token") == null) {
            return "token: required (a GitHub token that may write issues)";
        }
        String repo = DestinationConfig.string(config, "repo");
        if (repo == null || !repo.matches("[A-Za-z0-9-]+/[A-Za-z0-9._-]+")) {
            return "repo: required, as owner/name";
        }
        return config.containsKey("api_url") ? DestinationConfig.urlProblem(config, "api_url", http.policy()) : null;
    }

    @Override
    public List<URI> targets(JsonObject config) {
        return List.of(URI.create(apiBase(config) + "/repos/" + config.getString("repo") + "/issues"));
    }

    @Override
    public Future<SendOutcome> send(AlertNotice notice, JsonObject config) {
        return flow.deliver(notice, config, TicketKey.of(notice, destinationKey(config)));
    }

    @Override
    public String destinationKey(JsonObject config) {
        return DestinationConfig.string(config, "key") != null ? config.getString("key")
                : "github:" + config.getString("repo").toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code GET /repos/{owner}/{repo}/issues/{number}}: {@code state} {@code closed}, time {@code closed_at}. */
    @Override
    public Future<Optional<TicketFlow.Closed>> closed(TicketFlow.Issue issue, JsonObject config) {
        return call(config, HttpMethod.GET, issuesPath(config) + "/" + issue.number(), null, "issue read").map(current -> {
            if (!"closed".equals(current.path("state").asText())) {
                return Optional.empty();
            }
            Instant at;
            try {
                at = current.path("closed_at").isTextual() ? Instant.parse(current.path("closed_at").asText()) : null;
            } catch (java.time.format.DateTimeParseException e) {
                at = null;
            }
            return Optional.of(new TicketFlow.Closed(at));
        });
    }

    @Override
    public String plannedId(TicketKey key) {
        return null;
    }

    @Override
    public Future<Optional<TicketFlow.Issue>> findCreated(AlertTickets.Ticket ticket, JsonObject config) {
        String since = ticket.creatingSince().minus(CLOCK_SLACK).truncatedTo(ChronoUnit.SECONDS).toString();
        return findIssue(config, ticket.key().marker(), since, 1);
    }

    private Future<Optional<TicketFlow.Issue>> findIssue(JsonObject config, String marker, String since, int page) {
        String path = issuesPath(config) + "?state=all&sort=created&direction=desc&per_page=100&page=" + page
                + "&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8);
        return call(config, HttpMethod.GET, path, null, "issue listing").compose(list -> {
            for (JsonNode issue : list) {
                if (!issue.has("pull_request") && issue.path("body").asText("").contains(marker)) {
                    return Future.succeededFuture(Optional.of(issue(issue)));
                }
            }
            return list.size() < 100 || page >= MAX_PAGES
                    ? Future.succeededFuture(Optional.<TicketFlow.Issue>empty())
                    : findIssue(config, marker, since, page + 1);
        });
    }

    @Override
    public Future<TicketFlow.Issue> create(AlertNotice notice, JsonObject config, TicketKey key) {
        ObjectNode body = NoticeJson.MAPPER.createObjectNode()
                .put("title", TicketText.title(notice))
                .put("body", TicketText.body(notice, key.marker()));
        return call(config, HttpMethod.POST, issuesPath(config), body, "issue create").map(GithubDestination::issue);
    }

    @Override
    public Future<Boolean> reopenIfClosed(TicketFlow.Issue issue, JsonObject config) {
        String path = issuesPath(config) + "/" + issue.number();
        return call(config, HttpMethod.GET, path, null, "issue read").compose(current -> {
            if (!"closed".equals(current.path("state").asText())) {
                return Future.succeededFuture(false);
            }
            ObjectNode body = NoticeJson.MAPPER.createObjectNode().put("state", "open");
            return call(config, HttpMethod.PATCH, path, body, "issue reopen").map(v -> true);
        });
    }

    @Override
    public Future<Void> comment(TicketFlow.Issue issue, AlertNotice notice, JsonObject config, TicketKey key, boolean uncertain) {
        String noticeKey = notice.dedupeKey() == null ? notice.kind() + notice.firedAt() : notice.dedupeKey();
        String marker = TicketKey.noticeMarker(noticeKey);
        String path = issuesPath(config) + "/" + issue.number() + "/comments";
        Future<Boolean> posted = uncertain
                ? call(config, HttpMethod.GET, path + "?per_page=100&since="
                        + URLEncoder.encode(clock.instant().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS).toString(), StandardCharsets.UTF_8),
                        null, "comment listing")
                        .map(list -> {
                            for (JsonNode comment : list) {
                                if (comment.path("body").asText("").contains(marker)) {
                                    return true;
                                }
                            }
                            return false;
                        })
                : Future.succeededFuture(false);
        ObjectNode body = NoticeJson.MAPPER.createObjectNode().put("body", TicketText.comment(notice, marker));
        return posted.compose(done -> done ? Future.<Void>succeededFuture() : call(config, HttpMethod.POST, path, body, "comment").mapEmpty());
    }

    @Override
    public List<String> secrets(JsonObject config) {
        List<String> out = new ArrayList<>();
        out.add(config.getString("token"));
        return out;
    }

    private Future<JsonNode> call(JsonObject config, HttpMethod method, String path, ObjectNode body, String what) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + config.getString("token"));
        headers.put("Accept", "application/vnd.github+json");
        headers.put("X-GitHub-Api-Version", "2022-11-28");
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        GuardedHttp.Request request = new GuardedHttp.Request(method, URI.create(apiBase(config) + path), headers, body == null ? null : body.toString());
        return http.send(request)
                .recover(e -> Future.failedFuture(new TicketFlow.Failed(Outcomes.ofFailure(e, "GitHub " + what, secrets(config)))))
                .compose(r -> {
                    JsonNode parsed;
                    try {
                        parsed = NoticeJson.MAPPER.readTree(r.body());
                    } catch (Exception e) {
                        parsed = NoticeJson.MAPPER.missingNode();
                    }
                    if (r.status() >= 200 && r.status() < 300) {
                        return Future.succeededFuture(parsed == null ? NoticeJson.MAPPER.missingNode() : parsed);
                    }
                    String message = parsed == null ? "" : parsed.path("message").asText("");
                    return Future.failedFuture(new TicketFlow.Failed(outcome(r, "GitHub " + what, message, secrets(config))));
                });
    }

    /**
     * GitHub's answers as an outcome: a 403 or 429 from a rate limit ({@code x-ratelimit-remaining: 0}, or a
     * secondary limit with {@code Retry-After}) waits and retries; other 4xx (bad token, no such repository, a
     * validation error) do not.
     */
    private SendOutcome outcome(GuardedHttp.Response r, String what, String message, List<String> secrets) {
        String remaining = r.headers().get("x-ratelimit-remaining");
        boolean rateLimited = (r.status() == 403 || r.status() == 429)
                && ("0".equals(remaining == null ? null : remaining.trim()) || r.headers().get("Retry-After") != null);
        if (!rateLimited) {
            return Outcomes.ofStatus(r.status(), r.headers().get("Retry-After"), what, DestinationConfig.shortText(message), secrets);
        }
        Duration wait = Outcomes.retryAfter(r.headers().get("Retry-After"), clock.instant());
        String reset = r.headers().get("x-ratelimit-reset");
        if (wait == null && reset != null) {
            try {
                wait = Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(reset.trim())));
                wait = wait.isNegative() ? Duration.ZERO : wait;
            } catch (NumberFormatException ignored) {
                wait = null;
            }
        }
        return SendOutcome.failed(r.status(), true, wait, Outcomes.redact(what + " rate limited (HTTP " + r.status() + "): "
                + DestinationConfig.shortText(message), secrets));
    }

    private static TicketFlow.Issue issue(JsonNode node) {
        return new TicketFlow.Issue(node.path("id").asText(null), node.path("number").asText(null), node.path("html_url").asText(null));
    }

    private static String issuesPath(JsonObject config) {
        return "/repos/" + config.getString("repo") + "/issues";
    }

    private static String apiBase(JsonObject config) {
        String url = DestinationConfig.string(config, "api_url");
        String base = url == null ? DEFAULT_API_URL : url;
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
}
