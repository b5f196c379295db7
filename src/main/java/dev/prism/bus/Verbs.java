package dev.prism.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The consumers of one verticle, one per verb: a handler answers with its request's reply type (the compiler holds it
 * to {@code R}); whatever it fails with, or throws, is replied as a {@link Failure}. Features that answer requests use
 * it instead of a catch-all address dispatching on the request's class.
 */
public final class Verbs {

    private final Vertx vertx;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();

    public Verbs(Vertx vertx) {
        this.vertx = vertx;
    }

    public <Q extends Request<R>, R> Verbs on(String address, Function<Q, Future<R>> handler) {
        consumers.add(vertx.eventBus().<Q>consumer(address, msg -> {
            Future<R> reply;
            try {
                reply = handler.apply(msg.body());
            } catch (RuntimeException e) {
                reply = Future.failedFuture(e);
            }
            reply.onSuccess(msg::reply).onFailure(e -> Failure.reply(msg, e));
        }));
        return this;
    }

    /** Completes once every consumer is registered. */
    public Future<Void> ready() {
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    }

    public Future<Void> close() {
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    }
}
