package dev.prism.share;

import dev.prism.bus.Addresses;
import dev.prism.bus.AnalysisTheme;
import dev.prism.bus.Failure;
import dev.prism.bus.ShareCommand;
import dev.prism.bus.ThemeCommand;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Share links: a token that reads one theme's results and nothing else. Tokens carry 256 random bits and are stored as
 * their SHA-256 (like API keys), shown once when made. Every use reads the database (one indexed look-up, no cache),
 * so a revoked or expired link is refused on the very next request, on every instance. Unknown, revoked and expired
 * tokens get the same 404 from the same query; the stored hash is compared again in constant time, so neither the
 * answer nor its timing tells them apart beyond what the hash index reveals, which is nothing about the token.
 *
 * <p>Consumes {@value Addresses#SHARE_COMMAND}. Sends {@value Addresses#THEME_GET} (does the theme exist).
 */
public final class ShareVerticle extends VerticleBase {

    static final String TOKEN_PREFIX = "prism_share_";
    static final int DISPLAYED_CHARS = TOKEN_PREFIX.length() + 4;
    private static final String COLUMNS = "id, project_id, theme_id, display, created_at, expires_at, revoked_at";

    private final Pool pool;

    public ShareVerticle(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<?> start() {
        vertx.eventBus().<ShareCommand>consumer(Addresses.SHARE_COMMAND, this::command);
        return Future.succeededFuture();
    }

    private void command(Message<ShareCommand> msg) {
        Future<?> answer;
        ShareCommand c = msg.body();
        if (c instanceof ShareCommand.Resolve r) {
            answer = resolve(r.token());
        } else if (c instanceof ShareCommand.Create create) {
            answer = theme(create.projectId(), create.themeId()).compose(t -> create(create));
        } else if (c instanceof ShareCommand.List list) {
            answer = theme(list.projectId(), list.themeId()).compose(t -> list(list));
        } else if (c instanceof ShareCommand.Revoke revoke) {
            answer = revoke(revoke);
        } else {
            answer = Future.failedFuture(new IllegalArgumentException("unknown share command " + c));
        }
        answer.onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e));
    }

    private Future<AnalysisTheme> theme(String projectId, String themeId) {
        return vertx.eventBus().<AnalysisTheme>request(Addresses.THEME_GET, new ThemeCommand.Get(projectId, themeId)).map(Message::body);
    }

    private Future<ShareCommand.Share> create(ShareCommand.Create c) {
        if (c.expiresAt() != null && !c.expiresAt().isAfter(Instant.now())) {
            return Future.failedFuture(new Failure(400, "invalid_expires_at", "expires_at must be in the future").exception());
        }
        String token = ShareTokens.generate(TOKEN_PREFIX);
        return pool.preparedQuery("INSERT INTO share_links (project_id, theme_id, token_hash, display, expires_at) VALUES ($1, $2, $3, $4, $5) "
                        + "RETURNING " + COLUMNS)
                .execute(Tuple.of(c.projectId(), c.themeId(), ShareTokens.hash(token), token.substring(0, DISPLAYED_CHARS) + "…", odt(c.expiresAt())))
                .map(rows -> share(rows.iterator().next(), token));
    }

    private Future<ShareCommand.Shares> list(ShareCommand.List l) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM share_links WHERE project_id = $1 AND theme_id = $2 ORDER BY id")
                .execute(Tuple.of(l.projectId(), l.themeId()))
                .map(rows -> {
                    List<ShareCommand.Share> out = new ArrayList<>();
                    rows.forEach(r -> out.add(share(r, null)));
                    return new ShareCommand.Shares(out);
                });
    }

    private Future<ShareCommand.Share> revoke(ShareCommand.Revoke r) {
        return pool.preparedQuery("UPDATE share_links SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND project_id = $2 AND theme_id = $3 "
                        + "RETURNING " + COLUMNS)
                .execute(Tuple.of(r.shareId(), r.projectId(), r.themeId()))
                .compose(rows -> rows.size() == 0
                        ? Future.failedFuture(new Failure(404, "share_not_found", "Theme '" + r.themeId() + "' has no share link " + r.shareId()).exception())
                        : Future.succeededFuture(share(rows.iterator().next(), null)));
    }

    private Future<ShareCommand.Share> resolve(String token) {
        String hash = ShareTokens.hash(token == null ? "" : token);
        return pool.preparedQuery("SELECT " + COLUMNS + ", token_hash FROM share_links WHERE token_hash = $1 AND revoked_at IS NULL "
                        + "AND (expires_at IS NULL OR expires_at > now())")
                .execute(Tuple.of(hash))
                .compose(rows -> {
                    Row row = rows.size() == 0 ? null : rows.iterator().next();
                    byte[] stored = (row == null ? "" : row.getString("token_hash")).getBytes(StandardCharsets.US_ASCII);
                    if (row == null || !MessageDigest.isEqual(stored, hash.getBytes(StandardCharsets.US_ASCII))) {
                        return Future.failedFuture(notFound());
                    }
                    return Future.succeededFuture(share(row, null));
                });
    }

    /** One answer for unknown, revoked and expired links: a holder learns nothing about which. */
    static Throwable notFound() {
        return new Failure(404, "share_not_found", "No such share link, or it was revoked or has expired").exception();
    }

    private static ShareCommand.Share share(Row r, String token) {
        return new ShareCommand.Share(r.getLong("id"), r.getString("project_id"), r.getString("theme_id"), r.getString("display"),
                instant(r.getOffsetDateTime("created_at")), instant(r.getOffsetDateTime("expires_at")), instant(r.getOffsetDateTime("revoked_at")),
                token);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime odt(Instant t) {
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }
}
