package dev.prism.bus;

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

    private static final String SEPARATOR = "\n";
    private static final Logger LOG = LoggerFactory.getLogger(Failure.class);

    public static void reply(Message<?> message, Throwable cause) {
        Failure f = from(cause);
        if (f.status >= 500 && !(cause instanceof FailureException)) {
            LOG.error("{} failed", message.address(), cause); // the caller only sees a generic 500
        }
        message.fail(f.status, f.error + SEPARATOR + f.detail);
    }

    /** Reads a failure back from whatever a request failed with; anything unexpected is a 500. */
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
