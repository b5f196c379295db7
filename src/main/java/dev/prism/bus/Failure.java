package dev.prism.bus;

import dev.prism.store.StoreErrors;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that failed for a reason the caller should see: an HTTP-like status, a short error code and a detail
 * sentence. Travels as a {@link ReplyException} (status as failure code) so every feature fails replies the same way.
 */
public record Failure(int status, String error, String detail) {

    /** The store is away (stopped, restarting, unreachable): the request may succeed later. */
    public static final String STORE_UNAVAILABLE = StoreErrors.UNAVAILABLE_REPLY;
    public static final String QUERY_TIMEOUT = "query_timeout";
    private static final String SEPARATOR = "\n";
    private static final Logger LOG = LoggerFactory.getLogger(Failure.class);

    public static void reply(Message<?> message, Throwable cause) {
        Failure f = from(cause);
        if (f.status == 500 && !(cause instanceof FailureException)) {
            LOG.error("{} failed", message.address(), cause); // the caller only sees a generic 500
        } else if (f.status == 504) {
            LOG.warn("{} failed: {}", message.address(), cause.toString());
        }
        // 503 store_unavailable is not logged here: under load every request fails alike during an outage, and the
        // loops' OutageLog and /ready already say so.
        message.fail(f.status, f.error + SEPARATOR + f.detail);
    }

    /**
     * Reads a failure back from whatever a request failed with: PostgreSQL away is a 503, a statement that ran into
     * its timeout a 504; anything unexpected is a 500.
     */
    public static Failure from(Throwable cause) {
        if (cause instanceof FailureException fe) {
            return fe.failure();
        }
        if (cause instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() >= 400) {
            String message = re.getMessage() == null ? "" : re.getMessage();
            int cut = message.indexOf(SEPARATOR);
            return cut < 0 ? new Failure(re.failureCode(), "error", message)
                    : new Failure(re.failureCode(), message.substring(0, cut), message.substring(cut + 1));
        }
        if (cause instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
            return new Failure(503, "timeout", "The server is busy; try again");
        }
        if (StoreErrors.timedOut(cause)) {
            return new Failure(504, QUERY_TIMEOUT, "The query ran longer than the server allows (pg.apiStatementTimeoutMillis); "
                    + "narrow the date range or the filters");
        }
        if (StoreErrors.unavailable(cause)) {
            return new Failure(503, STORE_UNAVAILABLE, "PostgreSQL is unavailable; retry shortly");
        }
        return new Failure(500, "internal_error", "Unexpected error; see the server log");
    }

    public FailureException exception() {
        return new FailureException(this);
    }

    /** Throwable form, for failing a Future. */
    public static final class FailureException extends RuntimeException {
        private final Failure failure;

        public FailureException(Failure failure) {
            super(failure.error + ": " + failure.detail, null, false, false);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }
}
