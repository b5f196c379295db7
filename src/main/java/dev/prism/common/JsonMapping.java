package dev.prism.common;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The process's one Jackson mapper for reading and writing JSON trees and plain values. An {@link ObjectMapper} is
 * thread-safe once configured and costly to build (each keeps its own serializer caches), so features share this one
 * instead of making their own; variants are derived readers and writers, never a reconfigured mapper.
 */
public final class JsonMapping {

    /** Jackson's defaults: what every feature's parsing and writing of trees relied on. Never reconfigure it. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** Indented output, for files people read (exports, trained models, eval reports). */
    public static final ObjectWriter PRETTY = MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT);

    private JsonMapping() {
    }
}
