/**
 * The vocabulary features share: every event-bus address ({@link dev.prism.bus.Addresses}), the immutable message
 * records, and the pass-by-reference codec that carries them inside one JVM. {@link dev.prism.bus.Failure} is how any
 * request fails with a status, an error code and a sentence. No feature logic lives here.
 */
package dev.prism.bus;
