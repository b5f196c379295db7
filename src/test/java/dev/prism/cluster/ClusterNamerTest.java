package dev.prism.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

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
    private static final List<String> SHIPPING = List.of(
            "User confused by shipping options and delivery dates.",
            "Shipping options unclear: express versus standard delivery.",
            "Could not find shipping options for international delivery.");

    @Test
    @DisplayName("titles name what sets each cluster apart, preferring word pairs, in at most 10 words")
    void titles() {
        List<ClusterNamer.Name> names = ClusterNamer.name(List.of(PAYMENTS, APPLE_PAY, SHIPPING));

        assertThat(names.get(0).title()).startsWith("Payment timeout").contains("Stripe API");
        assertThat(names.get(1).title()).startsWith("Apple Pay");
        assertThat(names.get(2).title()).startsWith("Shipping options").contains("delivery");
        for (ClusterNamer.Name n : names) {
            assertThat(n.title().split(" ")).hasSizeLessThanOrEqualTo(ClusterNamer.MAX_TITLE_WORDS);
            assertThat(n.title().toLowerCase()).doesNotContainPattern("\\b(the|user|assistant|asked)\\b");
        }
    }

    @Test
    @DisplayName("the description gives the size, the distinctive terms and the most typical summary")
    void description() {
        ClusterNamer.Name n = ClusterNamer.name(List.of(PAYMENTS, APPLE_PAY, SHIPPING)).get(0);

        assertThat(n.description()).startsWith("4 summaries. Distinctive terms: ").contains("payment timeout")
                .contains("Typical: \"");
        assertThat(n.terms()).isNotEmpty().hasSizeLessThanOrEqualTo(6);
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

    @Test
    @DisplayName("a cluster without usable words is named as such")
    void empty() {
        ClusterNamer.Name n = ClusterNamer.name(List.of(List.of("the and of", "a to"), PAYMENTS)).get(0);
        assertThat(n.title()).isEqualTo("Unnamed cluster");
        assertThat(n.terms()).isEmpty();
    }
}
