package dev.prism.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.Failure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Reading a request's query, path and headers the same way on every route: a bad value fails as a 400 {@link Failure}. */
final class RouteParams {

    static final String PROJECT = "projectId";

    private RouteParams() {
    }

    /** Every list pages with {@code cursor}; the name a list used before (summaries' {@code before}) is still read. */
    static String cursorParam(RoutingContext ctx, String oldName) {
        String cursor = ctx.request().getParam("cursor");
        return cursor != null && !cursor.isEmpty() ? cursor : ctx.request().getParam(oldName);
    }

    /** A runs or dead-letters cursor is the id of the last entry on the previous page. */
    static Long idCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw new Failure(400, "invalid_cursor", "cursor: pass back the next_cursor of the previous page").exception();
        }
    }

    /** A numeric path id; anything else names nothing, so it is {@code notFound}. */
    static long idPath(RoutingContext ctx, String name, String notFound, String what) {
        try {
            return Long.parseLong(ctx.pathParam(name));
        } catch (NumberFormatException e) {
            throw new Failure(404, notFound, "No " + what + " " + ctx.pathParam(name)).exception();
        }
    }

    static String text(JsonNode json, String field) {
        return json != null && json.hasNonNull(field) ? json.get(field).asText() : null;
    }

    static String bearer(RoutingContext ctx) {
        String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** The peer's IP address; behind a proxy this is the proxy, so failures are then limited for all its clients. */
    static String client(RoutingContext ctx) {
        var address = ctx.request().remoteAddress();
        return address == null ? null : address.hostAddress();
    }

    static int intParam(RoutingContext ctx, String name, int fallback) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Failure(400, "invalid_" + name, name + " must be an integer").exception();
        }
    }

    static boolean boolParam(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v == null || v.isEmpty() || v.equals("false") || v.equals("0")) {
            return false;
        }
        if (v.equals("true") || v.equals("1")) {
            return true;
        }
        throw new Failure(400, "invalid_" + name, name + " must be true or false").exception();
    }

    static String severityParam(RoutingContext ctx) {
        String v = blankToNull(ctx.request().getParam("severity"));
        if (v != null && !v.equals("low") && !v.equals("medium") && !v.equals("high")) {
            throw new Failure(400, "invalid_severity", "severity must be low, medium or high").exception();
        }
        return v;
    }

    /** A non-negative number, or null when absent or blank (a cleared filter field). */
    static Double doubleParam(RoutingContext ctx, String name) {
        String v = blankToNull(ctx.request().getParam(name));
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Failure(400, "invalid_" + name, name + " must be a number ≥ 0").exception();
    }

    static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    static Instant instantParam(RoutingContext ctx, String name) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new Failure(400, "invalid_" + name, name + " must be an ISO-8601 instant such as 2025-01-31T00:00:00Z").exception();
        }
    }
}
