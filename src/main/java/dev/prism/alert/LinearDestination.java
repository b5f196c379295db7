package dev.prism.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code type: "linear"}, config {@code api_key}, {@code team_id}, optional {@code api_url} (default
 * {@value #DEFAULT_API_URL}) and {@code key} (names the destination within its rule; default {@code linear:<team_id>}).
 * Speaks Linear's GraphQL: {@code Authorization: <api key>}, POST {@code {"query", "variables"}}; errors come as
 * {@code errors} in the body (also with status 200). The issue's id is chosen here ({@link TicketKey#issueId}), so a
 * create retried after a lost answer finds the issue instead of making a second; comments carry chosen ids too.
 */
public final class LinearDestination implements Destination, TicketFlow.Tracker {

    public static final String DEFAULT_API_URL = "https://api.linear.app/graphql";

    static final String ISSUE = "query PrismIssue($id: String!) { issue(id: $id) { id identifier url state { type } } }";
    static final String ISSUE_CREATE = "mutation PrismIssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url state { type } } } }";
    static final String ISSUE_STATE = "query PrismIssueState($id: String!) { issue(id: $id) { id state { type } completedAt canceledAt } }";
    static final String COMMENT = "query PrismComment($id: String!) { comment(id: $id) { id } }";
    static final String COMMENT_CREATE = "mutation PrismCommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id } } }";
    static final String TEAM_STATES = "query PrismTeamStates($teamId: String!) { team(id: $teamId) { states { nodes { id name type position } } } }";
    static final String ISSUE_REOPEN = "mutation PrismIssueReopen($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success issue { id state { type } } } }";

    private static final Set<String> CLOSED_TYPES = Set.of("completed", "canceled");

    private final GuardedHttp http;
    private final TicketFlow flow;

    public LinearDestination(GuardedHttp http, AlertTickets tickets) {
        this.http = http;
        this.flow = new TicketFlow(this, tickets);
    }

    @Override
    public String type() {
        return "linear";
    }

    @Override
    public String validate(JsonObject config) {
        if (DestinationConfig.string(config, "api_key") == null) {
            return "api_key: required (a Linear API key)";
        }
        if (DestinationConfig.string(config, "team_id") == null) {
            return "team_id: required (the Linear team's id)";
        }
        return config.containsKey("api_url") ? DestinationConfig.urlProblem(config, "api_url", http.policy()) : null;
    }

    @Override
    public List<URI> targets(JsonObject config) {
        return List.of(apiUrl(config));
    }

    @Override
    public Future<SendOutcome> send(AlertNotice notice, JsonObject config) {
        return flow.deliver(notice, config, TicketKey.of(notice, destinationKey(config)));
    }

    @Override
    public String destinationKey(JsonObject config) {
        return DestinationConfig.string(config, "key") != null ? config.getString("key") : "linear:" + config.getString("team_id");
    }

    /** Closed is a state of type {@code completed} or {@code canceled}; the time is {@code completedAt} or {@code canceledAt}. */
    @Override
    public Future<Optional<TicketFlow.Closed>> closed(TicketFlow.Issue issue, JsonObject config) {
        return lookup(config, "issue", ISSUE_STATE, issue.externalId()).compose(found -> {
            if (found.isEmpty()) {
                return Future.failedFuture(new TicketFlow.Failed(SendOutcome.failed(200, false, null, "Linear issue " + issue.number() + " not found")));
            }
            JsonNode node = found.get();
            if (!CLOSED_TYPES.contains(node.path("state").path("type").asText())) {
                return Future.succeededFuture(Optional.empty());
            }
            String at = node.path("state").path("type").asText().equals("canceled") ? node.path("canceledAt").asText(null)
                    : node.path("completedAt").asText(null);
            return Future.succeededFuture(Optional.of(new TicketFlow.Closed(instant(at))));
        });
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public String plannedId(TicketKey key) {
        return key.issueId().toString();
    }

    @Override
    public Future<Optional<TicketFlow.Issue>> findCreated(AlertTickets.Ticket ticket, JsonObject config) {
        return issue(ticket.externalId(), config).map(found -> found.map(LinearDestination::issue));
    }

    @Override
    public Future<TicketFlow.Issue> create(AlertNotice notice, JsonObject config, TicketKey key) {
        ObjectNode variables = NoticeJson.MAPPER.createObjectNode();
        variables.putObject("input")
                .put("id", key.issueId().toString())
                .put("teamId", config.getString("team_id"))
                .put("title", TicketText.title(notice))
                .put("description", TicketText.body(notice, null));
        return call(config, "issueCreate", ISSUE_CREATE, variables)
                .map(data -> issue(data.path("issueCreate").path("issue")))
                // An error may be Linear refusing an id it already has (a create whose answer was lost, or a race):
                // the issue is then there, under the id this server chose.
                .recover(e -> issue(key.issueId().toString(), config).transform(found -> found.succeeded() && found.result().isPresent()
                        ? Future.succeededFuture(issue(found.result().get()))
                        : Future.failedFuture(e)));
    }

    @Override
    public Future<Boolean> reopenIfClosed(TicketFlow.Issue issue, JsonObject config) {
        return issue(issue.externalId(), config).compose(found -> {
            if (found.isEmpty() || !CLOSED_TYPES.contains(found.get().path("state").path("type").asText())) {
                return Future.succeededFuture(false);
            }
            ObjectNode teamVariables = NoticeJson.MAPPER.createObjectNode().put("teamId", config.getString("team_id"));
            return call(config, "team states", TEAM_STATES, teamVariables).compose(data -> {
                JsonNode unstarted = null;
                for (JsonNode state : data.path("team").path("states").path("nodes")) {
                    if (state.path("type").asText().equals("unstarted")
                            && (unstarted == null || state.path("position").asDouble() < unstarted.path("position").asDouble())) {
                        unstarted = state;
                    }
                }
                if (unstarted == null) {
                    return Future.failedFuture(new TicketFlow.Failed(SendOutcome.failed(200, false, null,
                            "Linear team has no unstarted workflow state to reopen the issue in")));
                }
                ObjectNode variables = NoticeJson.MAPPER.createObjectNode().put("id", issue.externalId());
                variables.putObject("input").put("stateId", unstarted.path("id").asText());
                return call(config, "issueUpdate", ISSUE_REOPEN, variables).map(v -> true);
            });
        });
    }

    @Override
    public Future<Void> comment(TicketFlow.Issue issue, AlertNotice notice, JsonObject config, TicketKey key, boolean uncertain) {
        String commentId = key.commentId(notice.dedupeKey() == null ? notice.kind() + notice.firedAt() : notice.dedupeKey()).toString();
        ObjectNode variables = NoticeJson.MAPPER.createObjectNode();
        variables.putObject("input").put("id", commentId).put("issueId", issue.externalId()).put("body", TicketText.comment(notice, null));
        Future<Boolean> exists = uncertain ? commentExists(commentId, config) : Future.succeededFuture(false);
        return exists.compose(done -> done
                ? Future.<Void>succeededFuture()
                : call(config, "commentCreate", COMMENT_CREATE, variables).<Void>mapEmpty()
                        .recover(e -> commentExists(commentId, config).transform(there -> there.succeeded() && there.result()
                                ? Future.<Void>succeededFuture()
                                : Future.failedFuture(e))));
    }

    @Override
    public List<String> secrets(JsonObject config) {
        List<String> out = new ArrayList<>();
        out.add(config.getString("api_key"));
        return out;
    }

    private Future<Boolean> commentExists(String id, JsonObject config) {
        return lookup(config, "comment", COMMENT, id).map(Optional::isPresent);
    }

    private Future<Optional<JsonNode>> issue(String id, JsonObject config) {
        return lookup(config, "issue", ISSUE, id);
    }

    /** A query by id; "Entity not found" is an empty answer, not a failure. */
    private Future<Optional<JsonNode>> lookup(JsonObject config, String field, String query, String id) {
        ObjectNode variables = NoticeJson.MAPPER.createObjectNode().put("id", id);
        return send(config, query, variables).compose(answer -> {
            JsonNode node = answer.body().path("data").path(field);
            if (node.isObject()) {
                return Future.succeededFuture(Optional.of(node));
            }
            if (notFound(answer.body()) || (!answer.body().has("errors") && answer.status() == 200)) {
                return Future.succeededFuture(Optional.empty());
            }
            return Future.failedFuture(failure(answer, field, config));
        });
    }

    /** A call whose {@code data} is wanted: any error is a failure. */
    private Future<JsonNode> call(JsonObject config, String what, String query, ObjectNode variables) {
        return send(config, query, variables).compose(answer -> answer.status() == 200 && !answer.body().has("errors")
                ? Future.succeededFuture(answer.body().path("data"))
                : Future.failedFuture(failure(answer, what, config)));
    }

    private record Answer(int status, JsonNode body, String rateLimitReset, String retryAfter) {
    }

    private Future<Answer> send(JsonObject config, String query, ObjectNode variables) {
        ObjectNode body = NoticeJson.MAPPER.createObjectNode().put("query", query);
        body.set("variables", variables);
        GuardedHttp.Request request = GuardedHttp.Request.postJson(apiUrl(config), Map.of("Authorization", config.getString("api_key")), body.toString());
        return http.send(request)
                .recover(e -> Future.failedFuture(new TicketFlow.Failed(Outcomes.ofFailure(e, "Linear", secrets(config)))))
                .compose(r -> {
                    JsonNode parsed;
                    try {
                        parsed = NoticeJson.MAPPER.readTree(r.body());
                    } catch (Exception e) {
                        parsed = null;
                    }
                    if (parsed == null || !parsed.isObject()) {
                        return Future.failedFuture(new TicketFlow.Failed(r.status() == 200
                                ? SendOutcome.failed(200, true, null, "Linear answered 200 without a JSON body")
                                : Outcomes.ofStatus(r.status(), r.headers().get("Retry-After"), "Linear", DestinationConfig.shortText(r.body()), secrets(config))));
                    }
                    return Future.succeededFuture(new Answer(r.status(), parsed, r.headers().get("X-RateLimit-Requests-Reset"), r.headers().get("Retry-After")));
                });
    }

    /**
     * Linear's errors as an outcome: {@code RATELIMITED} waits until the limit resets, an internal error is retried,
     * authentication and input errors are not (a wrong key or team stays wrong).
     */
    private TicketFlow.Failed failure(Answer answer, String what, JsonObject config) {
        JsonNode first = answer.body().path("errors").path(0);
        String code = first.path("extensions").path("code").asText("");
        String message = first.path("message").asText(first.isMissingNode() ? "no data" : "");
        String detail = Outcomes.redact("Linear " + what + " failed" + (code.isEmpty() ? "" : " (" + code + ")") + ": "
                + DestinationConfig.shortText(message), secrets(config));
        if (code.equalsIgnoreCase("RATELIMITED")) {
            return new TicketFlow.Failed(SendOutcome.failed(answer.status(), true, rateLimitWait(answer), detail));
        }
        if (answer.status() != 200 && answer.status() != 400) {
            return new TicketFlow.Failed(SendOutcome.failed(answer.status(), Outcomes.retryable(answer.status()),
                    Outcomes.retryAfter(answer.retryAfter(), Instant.now()), detail));
        }
        boolean internal = code.equalsIgnoreCase("INTERNAL_SERVER_ERROR") || code.equalsIgnoreCase("INTERNAL_ERROR");
        return new TicketFlow.Failed(SendOutcome.failed(answer.status(), internal, null, detail));
    }

    private static Duration rateLimitWait(Answer answer) {
        Duration retryAfter = Outcomes.retryAfter(answer.retryAfter(), Instant.now());
        if (retryAfter != null || answer.rateLimitReset() == null) {
            return retryAfter;
        }
        try {
            long resetMillis = Long.parseLong(answer.rateLimitReset().trim());
            return Duration.ofMillis(Math.max(0, resetMillis - System.currentTimeMillis()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean notFound(JsonNode body) {
        for (JsonNode error : body.path("errors")) {
            if (error.path("message").asText().toLowerCase(java.util.Locale.ROOT).contains("not found")) {
                return true;
            }
        }
        return false;
    }

    private static TicketFlow.Issue issue(JsonNode node) {
        return new TicketFlow.Issue(node.path("id").asText(null), node.path("identifier").asText(null), node.path("url").asText(null));
    }

    private static URI apiUrl(JsonObject config) {
        String url = DestinationConfig.string(config, "api_url");
        return URI.create(url == null ? DEFAULT_API_URL : url);
    }
}
