/**
 * Synthetic traffic: {@link dev.prism.demo.DemoTraffic} (pure, seeded) writes realistic traces in several provider
 * formats; {@link dev.prism.demo.DemoVerticle} feeds them through {@code prism.ingest.capture} for {@code serve --demo}.
 */
package dev.prism.demo;
