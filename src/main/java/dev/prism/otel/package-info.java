/**
 * OpenTelemetry ingestion: OTLP/HTTP trace and log export requests (JSON or protobuf) mapped to the {@code $ai_*} events
 * the rest of Prism reads, then captured like {@code /batch/} events. Log records carrying GenAI messages are joined to
 * their spans ({@link dev.prism.otel.LogJoin}, shared by all instances and locked); evaluation results become
 * {@code $ai_metric} annotations ({@link dev.prism.otel.LogMapper}). {@link dev.prism.otel.OtlpJsonReader} and
 * {@link dev.prism.otel.OtlpProtoReader} read both encodings into one model, {@link dev.prism.otel.SpanMapper} and
 * {@link dev.prism.otel.Conventions} map it (pure, no Vert.x); {@link dev.prism.otel.OtlpVerticle} consumes
 * {@code prism.otel.export} and {@code prism.otel.logs} and sends {@code prism.ingest.capture}. Decoding runs on the event loop for small bodies and
 * on a worker thread for large ones.
 */
package dev.prism.otel;
