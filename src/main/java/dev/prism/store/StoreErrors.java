package dev.prism.store;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.DatabaseException;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Set;

/**
 * Reads what a failed database call says about PostgreSQL itself, so that callers can tell "the store is away for a
 * while" (answer 503 with {@code Retry-After}, pause, retry later, log once) from a bug (answer 500, log it).
 */
public final class StoreErrors {

    /**
     * SQLSTATEs of a server that is stopping, starting or refusing connections: 57P01 admin_shutdown, 57P02
     * crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections; the whole class 08 is connection failures.
     */
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300");
    /**
     * The SQL client's own words for a connection that went away under a command (it has no exception type for them)
     * and for a pool that could not get a connection in time.
     */
    private static final List<String> LOST_CONNECTION_MESSAGES = List.of("Connection is not active now",
            "Pending requests failed to be sent due to connection has been closed", "Timeout waiting for connection");
    /** query_canceled: what {@code statement_timeout} raises. */
    private static final String QUERY_CANCELED = "57014";

    /** The error code bus/Failure replies with for an unavailable store; kept equal to {@code Failure.STORE_UNAVAILABLE}. */
    public static final String UNAVAILABLE_REPLY = "store_unavailable";

    private StoreErrors() {
    }

    /**
     * True when the failure means PostgreSQL cannot be reached or is shutting down (refused or lost connection,
     * shutdown in progress, server starting up): nothing about the request was wrong and it may succeed later.
     */
    public static boolean unavailable(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof ReplyException re) {
                // Another feature's reply to a request it could not serve for the same reason (see bus/Failure).
                return re.failureCode() == 503 && re.getMessage() != null && re.getMessage().startsWith(UNAVAILABLE_REPLY);
            }
            if (e instanceof ClosedConnectionException || socketFailure(e)) {
                return true;
            }
            if (e instanceof VertxException && e.getMessage() != null && LOST_CONNECTION_MESSAGES.stream().anyMatch(e.getMessage()::startsWith)) {
                return true;
            }
            if (e instanceof DatabaseException db && db.getSqlState() != null) {
                String state = db.getSqlState();
                return state.startsWith("08") || UNAVAILABLE_STATES.contains(state);
            }
        }
        return false;
    }

    /**
     * A refused or timed-out connect (ConnectException, Netty's ConnectTimeoutException), a connection reset or closed
     * under a query. Not every IOException: Jackson's parse errors are IOExceptions too, and they are bugs, not outages.
     */
    private static boolean socketFailure(Throwable e) {
        return e instanceof SocketException || e instanceof SocketTimeoutException || e instanceof ClosedChannelException
                || (e instanceof IOException && e.getClass().getSimpleName().equals("NativeIoException")) // Netty's epoll transport
                // The JDK's NIO transport reports a reset or closed peer as a plain IOException with the OS's words.
                || (e instanceof IOException && e.getMessage() != null
                    && (e.getMessage().contains("Connection reset by peer") || e.getMessage().contains("Broken pipe")));
    }

    /** True when a statement ran into {@code statement_timeout} (or was cancelled): the question was too expensive. */
    public static boolean timedOut(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof DatabaseException db) {
                return QUERY_CANCELED.equals(db.getSqlState());
            }
        }
        return false;
    }
}
