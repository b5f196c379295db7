package dev.prism.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prism.support.Fixtures;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The OTLP benchmark's payloads: valid protobuf whose trace ids are new for every request, so nothing is stored twice. */
class OtlpBenchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("a template's marked trace ids are overwritten per request: still parseable, one id per fixture copy, different across requests")
    void traceIdsPerRequest() throws Exception {
        List<JsonNode> sources = Fixtures.all().stream().map(Fixtures.Fixture::json).filter(j -> j.has("otlp")).toList();
        assertThat(sources).isNotEmpty();
        OtlpBench bench = new OtlpBench();
        bench.batchSize = 100;
        OtlpBench.Body template = bench.otlpTemplates(sources).get(0);
        assertThat(template.items()).isGreaterThanOrEqualTo(100);

        Set<String> first = traceIds(OtlpBench.withTraceIds(template, 7));
        Set<String> second = traceIds(OtlpBench.withTraceIds(template, 8));
        int copies = ExportTraceServiceRequest.parseFrom(template.bytes()).getResourceSpansCount();
        assertThat(first).hasSize(copies);
        assertThat(first).allMatch(id -> id.startsWith("70726973")); // "pris", the request-number prefix
        assertThat(first).doesNotContainAnyElementsOf(second);
        assertThat(template.markers()).hasSize(template.items());
    }

    private static Set<String> traceIds(byte[] body) throws Exception {
        return ExportTraceServiceRequest.parseFrom(body).getResourceSpansList().stream()
                .flatMap((ResourceSpans rs) -> rs.getScopeSpansList().stream()).flatMap(ss -> ss.getSpansList().stream())
                .map((Span s) -> HexFormat.of().formatHex(s.getTraceId().toByteArray())).collect(Collectors.toSet());
    }
}
