package dev.prism.trace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceAggregates;
import dev.prism.bus.TraceEvent;
import dev.prism.bus.TraceNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a trace's span tree and aggregates from its events, in any arrival order. Pure and linear in the number of
 * events; never recursive, so arbitrarily deep or cyclic parent chains cannot overflow the stack.
 *
 * <p>Tree rules: a node's id is its {@code $ai_span_id}, else {@code $ai_generation_id}, else a synthetic id. A parent
 * that names the trace (its id or the span id of its {@code $ai_trace} event) or no known node puts the node at the
 * top level (orphans become roots). A parent chain that loops is cut where the loop closes.
 */
public final class TraceAssembler {

    private static final Set<String> ANNOTATIONS = Set.of("$ai_metric", "$ai_feedback");
    private static final Set<String> BILLED = Set.of("$ai_generation", "$ai_embedding");

    private TraceAssembler() {
    }

    public static AssembledTrace assemble(String traceId, List<TraceEvent> unordered) {
        List<TraceEvent> events = new ArrayList<>(unordered);
        events.sort(Comparator.comparing(TraceEvent::effectiveTime));

        TraceEvent root = null;
        Set<String> traceAliases = new HashSet<>();
        traceAliases.add(traceId);
        List<TraceEvent> annotations = new ArrayList<>();
        List<TraceEvent> nodeEvents = new ArrayList<>();
        for (TraceEvent e : events) {
            if ("$ai_trace".equals(e.event())) {
                root = e; // the latest $ai_trace describes the trace
                String spanId = Props.text(e.properties(), "$ai_span_id");
                if (spanId != null) {
                    traceAliases.add(spanId);
                }
            } else if (ANNOTATIONS.contains(e.event())) {
                annotations.add(e);
            } else {
                nodeEvents.add(e);
            }
        }

        int n = nodeEvents.size();
        String[] ids = new String[n];
        Map<String, Integer> indexById = new HashMap<>();
        for (int i = 0; i < n; i++) {
            TraceEvent e = nodeEvents.get(i);
            String id = Props.text(e.properties(), "$ai_span_id");
            if (id == null) {
                id = Props.text(e.properties(), "$ai_generation_id");
            }
            if (id == null || traceAliases.contains(id)) {
                id = "event:" + e.uuid();
            }
            String unique = id;
            for (int k = 2; indexById.containsKey(unique); k++) {
                unique = id + "#" + k; // a resent span keeps its own node
            }
            ids[i] = unique;
            indexById.put(unique, i);
        }

        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            String p = Props.text(nodeEvents.get(i).properties(), "$ai_parent_id");
            Integer pi = p == null || traceAliases.contains(p) ? null : indexById.get(p);
            parent[i] = pi == null || pi == i ? -1 : pi;
        }
        breakCycles(parent);

        List<List<Integer>> children = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            children.add(new ArrayList<>());
        }
        List<Integer> tops = new ArrayList<>();
        for (int i = 0; i < n; i++) { // events are in time order, so children lists are too
            if (parent[i] < 0) {
                tops.add(i);
            } else {
                children.get(parent[i]).add(i);
            }
        }

        int[] depth = new int[n];
        List<Integer> bfs = new ArrayList<>(n);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int t : tops) {
            depth[t] = 1;
            queue.add(t);
        }
        int maxDepth = 0;
        while (!queue.isEmpty()) {
            int i = queue.poll();
            bfs.add(i);
            maxDepth = Math.max(maxDepth, depth[i]);
            for (int c : children.get(i)) {
                depth[c] = depth[i] + 1;
                queue.add(c);
            }
        }
        // Children before parents, so every subtree is complete when its parent record is made.
        TraceNode[] built = new TraceNode[n];
        for (int k = bfs.size() - 1; k >= 0; k--) {
            int i = bfs.get(k);
            List<TraceNode> kids = new ArrayList<>(children.get(i).size());
            for (int c : children.get(i)) {
                kids.add(built[c]);
            }
            TraceEvent e = nodeEvents.get(i);
            built[i] = new TraceNode(ids[i], Props.text(e.properties(), "$ai_parent_id"), depth[i], e, List.copyOf(kids));
        }
        List<TraceNode> topNodes = tops.stream().map(t -> built[t]).toList();

        TraceAggregates aggregates = aggregate(events, root, maxDepth);
        return new AssembledTrace(traceId, name(root, topNodes), root, topNodes, List.copyOf(annotations), List.copyOf(events), aggregates);
    }

    /** Cuts every loop in the parent array by making the node where a walk re-enters its own path a top-level node. */
    static void breakCycles(int[] parent) {
        int n = parent.length;
        byte[] state = new byte[n]; // 0 unseen, 1 on the current walk, 2 known to reach the top
        List<Integer> path = new ArrayList<>();
        for (int start = 0; start < n; start++) {
            path.clear();
            int i = start;
            while (i >= 0 && state[i] == 0) {
                state[i] = 1;
                path.add(i);
                int p = parent[i];
                if (p >= 0 && state[p] == 1) {
                    parent[i] = -1; // the walk came back to itself: cut here
                    break;
                }
                i = p;
            }
            for (int v : path) {
                state[v] = 2;
            }
        }
    }

    private static String name(TraceEvent root, List<TraceNode> tops) {
        if (root != null) {
            String name = Props.text(root.properties(), "$ai_span_name");
            if (name == null) {
                name = Props.text(root.properties(), "$ai_trace_name");
            }
            if (name != null) {
                return name;
            }
        }
        for (TraceNode top : tops) {
            String name = Props.text(top.event().properties(), "$ai_span_name");
            if (name != null) {
                return name;
            }
        }
        return null;
    }

    static TraceAggregates aggregate(List<TraceEvent> events, TraceEvent root, int depth) {
        long inputTokens = 0;
        long outputTokens = 0;
        double cost = 0;
        boolean estimated = false;
        int errors = 0;
        Set<String> models = new LinkedHashSet<>();
        Set<String> users = new HashSet<>();
        Instant earliestStart = null;
        Instant latestEnd = null;
        for (TraceEvent e : events) {
            JsonNode p = e.properties();
            if (BILLED.contains(e.event())) {
                inputTokens += (long) Props.number(p, "$ai_input_tokens", 0);
                outputTokens += (long) Props.number(p, "$ai_output_tokens", 0);
                double total = Props.number(p, "$ai_total_cost_usd", Double.NaN);
                cost += Double.isNaN(total)
                        ? Props.number(p, "$ai_input_cost_usd", 0) + Props.number(p, "$ai_output_cost_usd", 0)
                        : total;
                // Ingestion prices events sent without a cost (dev.prism.pricing.EventCost) and says so.
                JsonNode flag = p.get("$ai_cost_estimated");
                estimated |= flag != null && flag.asBoolean(false);
            }
            if (Props.isError(p)) {
                errors++;
            }
            String model = Props.text(p, "$ai_model");
            if (model != null) {
                models.add(model);
            }
            if (e.distinctId() != null) {
                users.add(e.distinctId());
            }
            if (e.timestamp() != null) {
                // SDKs capture an event when its call ends, so the timestamp is the end and latency reaches back to the start.
                double latency = Math.max(0, Props.number(p, "$ai_latency", 0));
                Instant start = e.timestamp().minus(Duration.ofNanos((long) (latency * 1e9)));
                earliestStart = earliestStart == null || start.isBefore(earliestStart) ? start : earliestStart;
                latestEnd = latestEnd == null || e.timestamp().isAfter(latestEnd) ? e.timestamp() : latestEnd;
            }
        }
        Double latency = null;
        double rootLatency = root == null ? Double.NaN : Props.number(root.properties(), "$ai_latency", Double.NaN);
        if (!Double.isNaN(rootLatency) && rootLatency >= 0) {
            latency = rootLatency;
        } else if (earliestStart != null) {
            latency = Duration.between(earliestStart, latestEnd).toNanos() / 1e9;
        }
        return new TraceAggregates(events.size(), depth, latency, inputTokens, outputTokens, cost, errors,
                List.copyOf(models), users.size(), estimated);
    }
}
