package dev.prism.lifecycle;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.Supplier;

/**
 * A verticle whose timers or sweeps call other features. Undeploying in reverse start order is not enough for those:
 * the theme sweep calls analysis, analysis calls trace, format and theme, clustering calls embedding, so some callee
 * always goes first. The composition root therefore quiesces every such verticle (timers cancelled, no new sweep,
 * the running one finished) before it undeploys anything.
 */
public interface Quiescent {

    /** Stops timers and sweeps; completes once none is running. Safe to call from any thread. */
    Future<Void> quiesce();

    /** Runs {@code action} on the verticle's own context, so it may touch the verticle's event-loop state. */
    static Future<Void> onContext(Context context, Supplier<Future<?>> action) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            try {
                action.get().<Void>mapEmpty().onComplete(done);
            } catch (RuntimeException e) {
                done.fail(e);
            }
        });
        return done.future();
    }
}
