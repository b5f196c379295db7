package dev.prism.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.prism.bus.AssembledTrace;
import dev.prism.bus.TraceEvent;
import dev.prism.eval.CorpusGenerator;
import dev.prism.eval.PhraseBank;
import dev.prism.eval.Split;
import dev.prism.format.TraceFormatter;
import dev.prism.pricing.EventCost;
import dev.prism.pricing.Pricing;
import dev.prism.trace.TraceAssembler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The labelled evaluation corpus ({@link CorpusGenerator}) as the server would see it: each trace assembled and
 * rendered, with the themes it is truly relevant to. {@code unhappy_users} is derived, as the corpus has no label of
 * its own for it: UX friction, a missing capability, or an error nothing recovered from.
 */
public final class LabelledCorpus {

    public record Item(String traceId, String situation, AssembledTrace trace, String text, Set<String> themes, Map<String, String> labels,
                       List<String> phraseIds) {
    }

    private LabelledCorpus() {
    }

    public static List<Item> generate(Split split, long seed, int traces) {
        CorpusGenerator.Corpus corpus = new CorpusGenerator(PhraseBank.load()).generate(split, seed, traces);
        List<Item> out = new ArrayList<>();
        for (CorpusGenerator.LabelledTrace t : corpus.traces()) {
            List<TraceEvent> events = new ArrayList<>();
            for (ObjectNode e : t.events()) {
                TraceEvent event = TraceEvent.fromCapture(e, UUID.randomUUID().toString(), Instant.EPOCH);
                EventCost.estimate(event.event(), event.properties(), Pricing.DEFAULTS);
                events.add(event);
            }
            AssembledTrace trace = TraceAssembler.assemble(t.traceId(), events);
            out.add(new Item(t.traceId(), t.situation(), trace, TraceFormatter.format(trace, TraceFormatter.Options.defaults()), themes(t.labels()), t.labels(),
                    t.phraseIds()));
        }
        return out;
    }

    static Set<String> themes(Map<String, String> labels) {
        Set<String> out = new HashSet<>();
        labels.forEach((theme, category) -> {
            if (!CorpusGenerator.NONE.equals(category)) {
                out.add(theme);
            }
        });
        boolean recovered = out.contains("success_patterns");
        if (out.contains("ux_issues") || out.contains("feature_requests") || out.contains("error_analysis") && !recovered) {
            out.add("unhappy_users");
        }
        return out;
    }
}
