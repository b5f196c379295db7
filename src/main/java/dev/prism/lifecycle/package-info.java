/**
 * Cross-cutting lifecycle of the pipeline: quiescing timers and sweeps before undeploy ({@link dev.prism.lifecycle.Quiescent})
 * and yielding background stages to ingestion ({@link dev.prism.lifecycle.IngestPressure}). A leaf like {@code bus}: it
 * depends on no feature.
 */
package dev.prism.lifecycle;
