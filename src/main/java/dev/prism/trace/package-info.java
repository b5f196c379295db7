/**
 * Trace assembly: {@link dev.prism.trace.TraceAssembler} (pure) builds the span tree and aggregates;
 * {@link dev.prism.trace.TraceAssemblyVerticle} completes due traces from the database and serves trace queries.
 *
 * <p>Consumes {@code prism.events.stored}, {@code prism.trace.list}, {@code prism.trace.get}; publishes
 * {@code prism.trace.completed}. Assembly runs on worker threads; SQL on the event loop.
 */
package dev.prism.trace;
