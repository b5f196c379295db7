package dev.prism.relevance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kind of friction, from the complaint and the assistant's turn before it, on wordings none of the exemplars use. */
class FrictionTest {

    private static Friction friction() {
        LocalScorer scorer = LocalScorer.shared();
        Friction.Types types = Friction.load();
        return new Friction(types, types.centroids(scorer.embed(types.exemplars())));
    }

    /** A conversation rendered like the formatter does: alternating turns, the user first. */
    private static String conversation(String... turns) {
        StringBuilder out = new StringBuilder("span tree:\n├─ generation · gpt-4o (openai) · 1.0 s\n      input:\n");
        for (int i = 0; i < turns.length; i++) {
            String[] lines = turns[i].split("\n");
            out.append("        [").append(i % 2 == 0 ? "user" : "assistant").append("] ").append(lines[0]).append('\n');
            for (int l = 1; l < lines.length; l++) {
                out.append("          ").append(lines[l]).append('\n');
            }
        }
        return out.toString();
    }

    private static String title(String text) {
        LocalScorer scorer = LocalScorer.shared();
        return FrictionLabels.decide(scorer, friction(), text, "", null).title();
    }

    private static final String LONG = String.join("\n\n", Collections.nCopies(20,
            "- There are many factors to weigh here, and the right choice depends on your situation and your goals."));

    @Test
    @DisplayName("a complaint after a refusal is a refused harmless request, terse, angry or polite, in several languages")
    void refusal() {
        for (String complaint : List.of("Seriously? It's pancakes.", "WHY NOT?? nothing dangerous about flour and eggs",
                "I'd appreciate it if you reconsidered, this is an ordinary cooking question.", "Vraiment ? C'est une simple recette.",
                "¿En serio? Solo es una receta.")) {
            assertThat(title(conversation("How do I make pancakes for six?", "Sorry, I can't help with that request.", complaint)))
                    .as(complaint).isEqualTo("Refused a harmless request");
        }
    }

    @Test
    @DisplayName("a complaint after the same answer twice is a repeated wrong answer")
    void repeated() {
        String wrong = "Your flight to Oslo leaves at 07:40 from gate B12.";
        for (String complaint : List.of("nope, again", "Still not it!!!", "Immer noch falsch.", "I'm afraid that is still not the right flight.")) {
            assertThat(title(conversation("When does my flight to Rome leave?", wrong, "That's the wrong flight.", "Apologies for that. " + wrong, complaint)))
                    .as(complaint).isEqualTo("Same wrong answer repeated");
        }
    }

    @Test
    @DisplayName("a complaint after the assistant asked for what the user had said is lost context")
    void askedAgain() {
        for (String complaint : List.of("Ich habe es dir doch gerade gesagt.", "read up.", "As mentioned, four people at 8 pm on Friday.",
                "Já falei isso!")) {
            assertThat(title(conversation("Book a table for four at 8 pm on Friday at Luigi's.", "Of course! For how many people, and when?", complaint)))
                    .as(complaint).isEqualTo("Lost track of the conversation");
        }
    }

    @Test
    @DisplayName("a complaint after a very long answer is an answer too long")
    void tooLong() {
        for (String complaint : List.of("tl;dr?", "Way more than I needed.", "Trop long.", "Could you shorten that a lot, please?")) {
            assertThat(title(conversation("Is it worth upgrading my laptop's RAM?", LONG, complaint))).as(complaint).isEqualTo("Answer too long");
        }
    }

    @Test
    @DisplayName("a complaint restating the request's constraint is an ignored instruction")
    void ignoredInstruction() {
        for (String complaint : List.of("Those are all above 100 euros.", "I gave you a budget of 100 euros!!", "Presupuesto: 100 euros, dije.")) {
            assertThat(title(conversation("Find me hotels in Lisbon under 100 euros a night.",
                    "Here are three: Hotel Avenida at 180 euros, Casa Alfama at 150 euros and Palácio Real at 240 euros.", complaint)))
                    .as(complaint).isEqualTo("Ignored the user's instruction");
        }
    }

    @Test
    @DisplayName("without a structural cue a clear complaint names its own type; a vague one falls to Other friction")
    void wordsAlone() {
        String ask = "What's the weather in Porto tomorrow?";
        String answer = "Porto's city council meets on Thursday to discuss the new tram line.";
        assertThat(title(conversation(ask, answer, "You misunderstood me, I asked something else."))).isEqualTo("Misunderstood the request");
        assertThat(title(conversation(ask, answer, "Please reply in English, not in Portuguese."))).isEqualTo("Wrong language or format");
        assertThat(title(conversation(ask, answer, "Hmm, ok."))).isEqualTo("Other friction");
    }

    @Test
    @DisplayName("turns keep their order, their repeats and their continuation lines, and leave tool calls out")
    void turns() {
        String text = conversation("Hi", "first line\n\n- second line", "again") + "        [assistant] tool call: search(q=\"x\")\n"
                + "        [assistant] first line\n\n          - second line\n";
        List<Friction.Turn> turns = Friction.turns(text);
        List<String> texts = new ArrayList<>();
        turns.forEach(t -> texts.add((t.user() ? "U:" : "A:") + t.text()));
        assertThat(texts).containsExactly("U:Hi", "A:first line\n\n- second line", "U:again", "A:first line\n\n- second line");
    }

    @Test
    @DisplayName("cues: a question that asks again is not a refusal, a refusal is read from its wording, repeats count only before the last complaint")
    void cues() {
        List<Friction.Turn> asked = Friction.turns(conversation("Order pizza for 3", "Sure, how many people?", "I said 3"));
        assertThat(Friction.cues(asked, "I said 3", true).strongest()).isEqualTo(Friction.Cue.ASKED_AGAIN);
        List<Friction.Turn> refused = Friction.turns(conversation("Summarise this contract", "I'm not comfortable completing this request.", "why"));
        assertThat(Friction.cues(refused, "why", false).strongest()).isEqualTo(Friction.Cue.REFUSAL);
        List<Friction.Turn> fixed = Friction.turns(conversation("List my five biggest expenses this month",
                LONG, "too long", "Rent, groceries, travel, insurance and phone: the five biggest."));
        Friction.Cues c = Friction.cues(fixed, "too long", false);
        assertThat(c.repeatedAnswer()).isFalse();
        assertThat(c.strongest()).isEqualTo(Friction.Cue.LONG_ANSWER);
    }
}
