package dev.prism.bus;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static dev.prism.support.TestServer.await;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("A failure on the bus")
class FailureTest {

    private static final String ADDRESS = "test.failure";

    @BeforeEach
    void codecs(Vertx vertx) {
        Codecs.register(vertx);
    }

    private static Throwable failureOf(io.vertx.core.Future<?> request) throws Exception {
        try {
            await(request);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the request succeeded");
    }

    private static Failure received(Vertx vertx, Throwable cause) {
        var consumer = vertx.eventBus().consumer(ADDRESS, msg -> Failure.reply(msg, cause));
        try {
            await(consumer.completion());
            Throwable failed = failureOf(vertx.eventBus().request(ADDRESS, "x"));
            assertThat(failed).as("the requester's future fails with the failure itself").isInstanceOf(Failure.FailureException.class);
            return Failure.from(failed);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            consumer.unregister();
        }
    }

    @Test
    @DisplayName("reaches the requester with its code and detail unchanged, a detail with line breaks and colons included")
    void travelsAsItself(Vertx vertx) {
        Failure sent = new Failure(FailureCode.THEME_NOT_FOUND, "No theme 'a: b'\nin project 'p'");
        Failure got = received(vertx, sent.exception());
        assertThat(got).isEqualTo(sent);
        assertThat(got.code()).isEqualTo(FailureCode.THEME_NOT_FOUND);
        assertThat(got.status()).isEqualTo(404);
        assertThat(got.error()).isEqualTo("theme_not_found");
    }

    @Test
    @DisplayName("keeps a precise error name under a generic code, as features naming failures by status and name do")
    void keepsNamesOfGenericCodes(Vertx vertx) {
        Failure sent = new Failure(400, "invalid_members_count", "members_count must be an integer");
        assertThat(sent.code()).isEqualTo(FailureCode.BAD_REQUEST);
        assertThat(received(vertx, sent.exception())).isEqualTo(sent);
        assertThat(new Failure(409, "theme_exists", "x").code()).isEqualTo(FailureCode.THEME_EXISTS);
        assertThat(new Failure(503, "theme_exists", "x").code()).as("a known name with another status").isEqualTo(FailureCode.UNAVAILABLE);
    }

    @Test
    @DisplayName("still reads as a recipient failure with the status as its code, for callers that only know ReplyException")
    void isAReplyException(Vertx vertx) {
        var consumer = vertx.eventBus().consumer(ADDRESS, msg -> Failure.reply(msg, new Failure(FailureCode.STORE_UNAVAILABLE, "away").exception()));
        try {
            await(consumer.completion());
            Throwable failed = failureOf(vertx.eventBus().request(ADDRESS, "x"));
            assertThat(failed).isInstanceOf(ReplyException.class);
            assertThat(((ReplyException) failed).failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
            assertThat(((ReplyException) failed).failureCode()).isEqualTo(503);
            assertThat(dev.prism.store.StoreErrors.unavailable(failed)).isTrue();
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            consumer.unregister();
        }
    }

    @Test
    @DisplayName("an unexpected exception reaches the requester as a 500 internal_error, without its message")
    void unexpectedIsInternal(Vertx vertx) {
        Failure got = received(vertx, new IllegalStateException("secret internals"));
        assertThat(got.code()).isEqualTo(FailureCode.INTERNAL_ERROR);
        assertThat(got.detail()).doesNotContain("secret");
    }
}
