package dev.prism.bus;

/**
 * A request sent to one address per verb, whose reply has the type {@code R}: {@link Verbs} holds each handler to it.
 *
 * @param <R> the reply's type
 */
public interface Request<R> {
}
