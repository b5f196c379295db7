package dev.prism.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Roughly the heap an assembled trace holds: the characters of its property strings and a little per JSON node. Cost
 * is proportional to the number of nodes, not to the length of the strings, so a 6 MB trace is weighed in about a
 * millisecond. Used to bound queues by bytes rather than by traces, which range from a kilobyte to tens of megabytes.
 */
final class TraceBytes {

    static final int NODE_OVERHEAD = 24;

    private TraceBytes() {
    }

    static long estimate(AssembledTrace trace) {
        long bytes = 0;
        ArrayDeque<JsonNode> stack = new ArrayDeque<>();
        for (TraceEvent e : trace.events()) {
            bytes += 128;
            if (e.properties() != null) {
                stack.push(e.properties());
            }
            while (!stack.isEmpty()) {
                JsonNode n = stack.pop();
                bytes += NODE_OVERHEAD;
                if (n.isTextual()) {
                    bytes += n.textValue().length();
                } else if (n.isObject()) {
                    for (Iterator<java.util.Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                        java.util.Map.Entry<String, JsonNode> f = it.next();
                        bytes += f.getKey().length();
                        stack.push(f.getValue());
                    }
                } else if (n.isArray()) {
                    n.forEach(stack::push);
                }
            }
        }
        return bytes;
    }
}
