/**
 * The vocabulary features share: every event-bus address ({@link dev.prism.bus.Addresses}), the immutable message
 * records, and the pass-by-reference codec that carries them inside one JVM. {@link dev.prism.bus.Failure} is how any
 * request fails: a {@link dev.prism.bus.FailureCode} (HTTP status and error name) and a sentence, replied as itself.
 * No feature logic lives here.
 */
package dev.prism.bus;
