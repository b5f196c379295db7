package dev.prism.cluster;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterNamerTest {

    private static final List<String> PAYMENTS = List.of(
            "Payment timeout at checkout. The Stripe API timed out after 30 s and the user retried twice.",
            "Checkout failed: payment timeout from the Stripe API, user gave up.",
            "User saw a payment timeout when paying; Stripe API returned 504.",
            "Payment timeout again on checkout, the assistant suggested retrying later.");
    private static final List<String> APPLE_PAY = List.of(
            "User asked whether Apple Pay is supported at checkout.",
            "Feature request: Apple Pay and Google Pay as payment options.",
            "The user wants to pay with Apple Pay on mobile.",
            "Asked for Apple Pay support; assistant said only cards work.");

    /** Members whose title is the first sentence of the text, at growing distance from the centroid. */
    private static List<ClusterNamer.Member> members(List<String> texts) {
        List<ClusterNamer.Member> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            out.add(new ClusterNamer.Member(t.split("[.;:]")[0], t, 0.1 + 0.01 * i));
        }
        return out;
    }

    private static ClusterNamer.Member titled(String title, double distance, String text) {
        return new ClusterNamer.Member(title, title + "\n" + text, distance);
    }

    private static List<ClusterNamer.Name> name(List<ClusterNamer.Member>... clusters) {
        return ClusterNamer.name(java.util.Arrays.stream(clusters).map(ClusterNamer.Cluster::toName).toList(), List.of());
    }

    @Test
    @DisplayName("with unique titles the cluster is named after its most typical member, the one nearest the centroid")
    void nearestMember() {
        List<ClusterNamer.Name> names = name(members(PAYMENTS), members(APPLE_PAY));

        assertThat(names.get(0).title()).isEqualTo("Payment timeout at checkout");
        assertThat(names.get(1).title()).isEqualTo("User asked whether Apple Pay is supported at checkout");
    }

    @Test
    @DisplayName("when titles repeat, the title most members share wins over the nearest member's")
    void sharedTitle() {
        List<ClusterNamer.Member> rateLimits = List.of(
                titled("Rate_limit_error from anthropic.RateLimitError", 0.05, "input tokens per minute exceeded"),
                titled("Provider rate limit (HTTP 429)", 0.20, "The provider answered 429 after the input tokens limit"),
                titled("Provider rate limit (HTTP 429)", 0.25, "429 Too Many Requests on the second call"),
                titled("provider rate limit (HTTP 429)", 0.30, "Rate limited, retried after a minute"));

        ClusterNamer.Name n = name(rateLimits, members(APPLE_PAY)).get(0);

        assertThat(n.title()).isEqualTo("Provider rate limit (HTTP 429)");
        assertThat(n.title()).as("a phrase, not a list of terms").doesNotContain(", ");
    }

    @Test
    @DisplayName("titles are cleaned: no trailing ellipsis or dangling word, no ids or long numbers, at most 10 words")
    void cleaning() {
        assertThat(ClusterNamer.clean("Request: please add an export of the monthly report to…"))
                .isEqualTo("Request: please add an export of the monthly report");
        assertThat(ClusterNamer.clean("Timeout calling tool for request req_8f3a9c2d1e and order 48213377..."))
                .isEqualTo("Timeout calling tool for request and order");
        assertThat(ClusterNamer.clean("Trace 3f2a9c1e-0b4d-4c8e-9a7f-1d2e3f4a5b6c failed (a3f9c2e1b4d5e6f7)"))
                .isEqualTo("Trace failed");
        assertThat(ClusterNamer.clean("\"slow answers from the search tool\"")).isEqualTo("Slow answers from the search tool");
        assertThat(ClusterNamer.clean("Completed: Ticket 88231 - customer double charged, where…"))
                .as("a cut clause of one word after a comma is a fragment").isEqualTo("Completed: Ticket - customer double charged");
        assertThat(ClusterNamer.clean("Refund for order #4411 failed")).isEqualTo("Refund for order failed");
        assertThat(ClusterNamer.clean("User hit frustration (\"This is the third time…")).isEqualTo("User hit frustration");
        assertThat(ClusterNamer.clean("Slow (\"the search tool took ages…")).isEqualTo("Slow the search tool took ages");
        assertThat(ClusterNamer.clean("Provider server error (HTTP 500), recovered by…")).isEqualTo("Provider server error (HTTP 500)");
        assertThat(ClusterNamer.clean("Provider rate limit (HTTP 429), recovered by retry or fallback."))
                .isEqualTo("Provider rate limit (HTTP 429), recovered by retry or fallback");
        assertThat(ClusterNamer.clean("claude-3-5-sonnet-20241022 call took 41 s")).isEqualTo("Claude-3-5-sonnet-20241022 call took 41 s");
        assertThat(ClusterNamer.clean("one two three four five six seven eight nine ten eleven twelve").split(" "))
                .hasSize(ClusterNamer.MAX_TITLE_WORDS);
        assertThat(ClusterNamer.clean("one two three four five six seven eight of the")).isEqualTo("One two three four five six seven eight of the");
        assertThat(ClusterNamer.clean("one two three four five six seven eight nine of the end")).isEqualTo("One two three four five six seven eight nine");
        assertThat(ClusterNamer.clean("…")).isNull();
        assertThat(ClusterNamer.clean("  ")).isNull();
        assertThat(ClusterNamer.clean(null)).isNull();
    }

    @Test
    @DisplayName("two clusters that would share a name are told apart by a distinguishing phrase, not a list of terms")
    void duplicates() {
        List<ClusterNamer.Member> checkout = List.of(
                titled("Provider call timed out", 0.1, "The payment provider timed out during checkout of the cart"),
                titled("Provider call timed out", 0.2, "Checkout of the cart hung: the payment provider timed out"),
                titled("Provider call timed out", 0.3, "Payment provider timed out at checkout, cart lost"));
        List<ClusterNamer.Member> search = List.of(
                titled("Provider call timed out", 0.1, "The web search tool timed out while looking up flights"),
                titled("Provider call timed out", 0.2, "Web search tool timed out, flights not found"),
                titled("Provider call timed out", 0.3, "Looking up flights failed: the web search tool timed out"));

        List<ClusterNamer.Name> names = name(checkout, search);

        assertThat(names.get(0).title()).isNotEqualToIgnoringCase(names.get(1).title());
        assertThat(names.get(0).title()).startsWith("Provider call timed out" + ClusterNamer.DISTINGUISH)
                .containsPattern("(?i)payment provider|checkout|cart");
        assertThat(names.get(1).title()).startsWith("Provider call timed out" + ClusterNamer.DISTINGUISH)
                .containsPattern("(?i)web search|search tool|flights");
        for (ClusterNamer.Name n : names) {
            assertThat(n.title()).doesNotContain(", ");
        }
    }

    @Test
    @DisplayName("clusters with nothing in words to tell them apart still get names of their own")
    void indistinguishable() {
        List<ClusterNamer.Member> same = List.of(titled("Slow answers", 0.1, "The vector store query took 20 s"),
                titled("Slow answers", 0.2, "The vector store query took 20 s"));

        List<ClusterNamer.Name> names = name(same, same, same);

        assertThat(names).extracting(n -> n.title().toLowerCase()).doesNotHaveDuplicates();
        assertThat(names).allSatisfy(n -> assertThat(n.title()).startsWith("Slow answers"));
    }

    @Test
    @DisplayName("a name that stays from an earlier run is not repeated by a new cluster, and is itself left as it is")
    void keptNameIsTaken() {
        List<ClusterNamer.Member> a = List.of(titled("Slow answers", 0.1, "The vector store query took 20 s"),
                titled("Slow answers", 0.2, "Vector store query slow again"));
        List<ClusterNamer.Member> b = List.of(titled("Slow answers", 0.1, "The image model took a minute to render"),
                titled("Slow answers", 0.2, "Image model render slow, user waited"));

        List<ClusterNamer.Name> names = ClusterNamer.name(List.of(new ClusterNamer.Cluster(a, "Slow answers"), ClusterNamer.Cluster.toName(b)), List.of());

        assertThat(names.get(0).title()).isEqualTo("Slow answers");
        assertThat(names.get(1).title()).startsWith("Slow answers" + ClusterNamer.DISTINGUISH).containsPattern("(?i)image|render");
    }

    @Test
    @DisplayName("the description keeps the distinctive terms and a typical summary, no count that would go stale; terms are data, not the name")
    void description() {
        ClusterNamer.Name n = name(members(PAYMENTS), members(APPLE_PAY)).get(0);

        assertThat(n.description()).startsWith("Distinctive terms: ").doesNotContainPattern("\\d+ summaries").contains("payment timeout")
                .contains("Typical: \"");
        assertThat(n.terms()).isNotEmpty().hasSizeLessThanOrEqualTo(6);
        assertThat(n.title()).isNotEqualTo(String.join(", ", n.terms()));
    }

    @Test
    @DisplayName("without titles the best distinctive phrase names the cluster; without usable words it is named as such")
    void fallbacks() {
        List<ClusterNamer.Member> untitled = PAYMENTS.stream().map(t -> new ClusterNamer.Member(null, t, 0.1)).toList();
        assertThat(name(untitled, members(APPLE_PAY)).get(0).title()).isEqualTo("Payment timeout");

        List<ClusterNamer.Member> empty = List.of(new ClusterNamer.Member(null, "the and of", 0.1), new ClusterNamer.Member("…", "a to", 0.2));
        ClusterNamer.Name n = name(empty, members(PAYMENTS)).get(0);
        assertThat(n.title()).isEqualTo("Unnamed cluster");
        assertThat(n.terms()).isEmpty();
        assertThat(n.description()).isEqualTo("No distinctive words.");
    }

    @Test
    @DisplayName("terms shared by every cluster score below terms unique to one")
    void ctfIdfContrast() {
        List<List<CtfIdf.Scored>> top = CtfIdf.top(List.of(PAYMENTS, APPLE_PAY), 50);
        double payment = top.get(0).stream().filter(s -> s.key().equals("payment")).findFirst().orElseThrow().score();
        double timeout = top.get(0).stream().filter(s -> s.key().equals("timeout")).findFirst().orElseThrow().score();

        assertThat(timeout).isGreaterThan(payment);
        assertThat(top.get(0)).extracting(CtfIdf.Scored::key).doesNotContain("504").as("in one text only");
    }
}
