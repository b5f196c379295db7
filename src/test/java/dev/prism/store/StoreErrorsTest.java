package dev.prism.store;

import dev.prism.bus.Failure;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Reading database failures")
class StoreErrorsTest {

    private static PgException pg(String state) {
        return new PgException("message", "ERROR", state, null);
    }

    @Test
    @DisplayName("a refused or lost connection, a shutdown or a starting server is the store being unavailable")
    void unavailable() {
        assertThat(StoreErrors.unavailable(new ConnectException("Connection refused: /127.0.0.1:5432"))).isTrue();
        assertThat(StoreErrors.unavailable(ClosedConnectionException.INSTANCE)).isTrue();
        assertThat(StoreErrors.unavailable(new java.net.SocketException("Connection reset"))).isTrue();
        assertThat(StoreErrors.unavailable(new java.io.IOException("Connection reset by peer")))
                .as("the JDK NIO transport's reset, a plain IOException (seen as a 500 in DatabaseOutageTest)").isTrue();
        assertThat(StoreErrors.unavailable(new VertxException("Connection is not active now, current status: CLOSED"))).isTrue();
        assertThat(StoreErrors.unavailable(pg("57P01"))).as("admin shutdown").isTrue();
        assertThat(StoreErrors.unavailable(pg("57P03"))).as("starting up").isTrue();
        assertThat(StoreErrors.unavailable(pg("08006"))).as("connection failure").isTrue();
        assertThat(StoreErrors.unavailable(new RuntimeException("wrapped", new ConnectException("refused")))).as("as a cause").isTrue();
        assertThat(StoreErrors.unavailable(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "store_unavailable\nPostgreSQL is unavailable")))
                .as("another feature's reply").isTrue();
    }

    @Test
    @DisplayName("bugs, bad requests and timeouts are not an outage")
    void notUnavailable() {
        assertThat(StoreErrors.unavailable(pg("23505"))).as("unique violation").isFalse();
        assertThat(StoreErrors.unavailable(pg("42P01"))).as("undefined table").isFalse();
        assertThat(StoreErrors.unavailable(pg("57014"))).as("statement timeout").isFalse();
        assertThat(StoreErrors.unavailable(new IllegalStateException("bug"))).isFalse();
        assertThat(StoreErrors.unavailable(new com.fasterxml.jackson.core.JsonParseException(null, "bad stored JSON")))
                .as("a parse error is an IOException, and a bug").isFalse();
        assertThat(StoreErrors.unavailable(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 503, "overloaded\nbehind"))).isFalse();
        assertThat(StoreErrors.timedOut(pg("57014"))).isTrue();
        assertThat(StoreErrors.timedOut(pg("57P01"))).isFalse();
    }

    @Test
    @DisplayName("the HTTP edge answers an outage 503 store_unavailable, a statement timeout 504 query_timeout, a bug 500")
    void statuses() {
        assertThat(Failure.from(new ConnectException("refused"))).extracting(Failure::status, Failure::error).containsExactly(503, "store_unavailable");
        assertThat(Failure.from(pg("57P01")).status()).isEqualTo(503);
        assertThat(Failure.from(pg("57014"))).extracting(Failure::status, Failure::error).containsExactly(504, "query_timeout");
        assertThat(Failure.from(pg("23505")).status()).isEqualTo(500);
    }
}
