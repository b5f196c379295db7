package dev.prism.relevance;

import java.util.List;

/** The friction title as the verticle decides it, with the local embedding model. */
final class FrictionLabels {

    private FrictionLabels() {
    }

    record Decision(String complaint, Friction.Cues cues, String title, float[] vector) {
    }

    static Decision decide(LocalScorer scorer, Friction friction, String text, String evidence, float[] evidenceVector) {
        List<Friction.Turn> turns = Friction.turns(text);
        List<String> candidates = Friction.complaintCandidates(turns);
        List<float[]> vectors = scorer.embed(candidates);
        int at = scorer.model().strongest("ux_issues", vectors);
        String complaint = at < 0 ? evidence : candidates.get(at);
        float[] vector = at < 0 ? evidenceVector : vectors.get(at);
        boolean declines = scorer.model().declines(scorer.embed(Friction.priorSentences(turns, complaint)));
        Friction.Cues cues = Friction.cues(turns, complaint, declines);
        return new Decision(complaint, cues, friction.title(vector, cues), vector);
    }
}
