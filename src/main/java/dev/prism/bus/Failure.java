package dev.prism.bus;

import dev.prism.store.StoreErrors;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A request that failed for a reason the caller should see: a {@link FailureCode} (HTTP status and error name) and a
 * detail sentence. It travels on the bus as itself, inside a {@link FailureException} (a {@link ReplyException} whose
 * codec {@link Codecs} registers), so every feature fails replies the same way and the requester reads the code and
 * detail back unchanged.
 *
 * @param error the error name the API answers: {@code code.wire()}, or a more precise name a generic code stands for
 *              (such as {@code invalid_limit} under {@link FailureCode#BAD_REQUEST})
 */
public record Failure(FailureCode code, String error, String detail) {

    /** The store is away (stopped, restarting, unreachable): the request may succeed later. */
    public static final String STORE_UNAVAILABLE = StoreErrors.UNAVAILABLE_REPLY;
    public static final String QUERY_TIMEOUT = "query_timeout";
    private static final Logger LOG = LoggerFactory.getLogger(Failure.class);

    public Failure {
        java.util.Objects.requireNonNull(code, "code");
        error = error == null ? code.wire() : error;
    }

    public Failure(FailureCode code, String detail) {
        this(code, code.wire(), detail);
    }

    /** A status and an error name, as features that predate {@link FailureCode} name them; the name is kept as given. */
    public Failure(int status, String error, String detail) {
        this(FailureCode.of(status, error), error, detail);
    }

    public int status() {
        return code.status();
    }

    public static void reply(Message<?> message, Throwable cause) {
        Failure f = from(cause);
        if (f.status() == 500 && !(cause instanceof FailureException)) {
            LOG.error("{} failed", message.address(), cause); // the caller only sees a generic 500
        } else if (f.status() == 504) {
            LOG.warn("{} failed: {}", message.address(), cause.toString());
        }
        // 503 store_unavailable is not logged here: under load every request fails alike during an outage, and the
        // loops' OutageLog and /ready already say so.
        message.reply(cause instanceof FailureException fe ? fe : f.exception());
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
            // Failed with Message.fail by code outside Prism's features (or a bus without Prism's codecs).
            return new Failure(re.failureCode(), "error", re.getMessage() == null ? "" : re.getMessage());
        }
        if (cause instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
            return new Failure(FailureCode.TIMEOUT, "The server is busy; try again");
        }
        if (StoreErrors.timedOut(cause)) {
            return new Failure(FailureCode.QUERY_TIMEOUT, "The query ran longer than the server allows (pg.apiStatementTimeoutMillis); "
                    + "narrow the date range or the filters");
        }
        if (StoreErrors.unavailable(cause)) {
            return new Failure(FailureCode.STORE_UNAVAILABLE, "PostgreSQL is unavailable; retry shortly");
        }
        return new Failure(FailureCode.INTERNAL_ERROR, "Unexpected error; see the server log");
    }

    public FailureException exception() {
        return new FailureException(this);
    }

    /**
     * Throwable form, for failing a Future and for replying on the bus: a recipient failure whose failure code is the
     * status, so code that only knows {@link ReplyException} still reads the status (and the message starts with the
     * error name).
     */
    public static final class FailureException extends ReplyException {
        private final Failure failure;

        public FailureException(Failure failure) {
            super(ReplyFailure.RECIPIENT_FAILURE, failure.status(), failure.error + ": " + failure.detail, true);
            this.failure = failure;
        }

        public Failure failure() {
            return failure;
        }
    }
}
