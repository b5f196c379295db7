package dev.prism.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TermsTest {

    @Test
    @DisplayName("words keep inner punctuation, lose stop words, short numbers and the possessive 's")
    void words() {
        assertThat(Terms.of("The user's gpt-4o call to api.stripe.com returned 503 after 2 retries; don't ask."))
                .extracting(Terms.Term::key)
                .contains("gpt-4o", "call", "api.stripe.com", "returned", "503", "retries")
                .doesNotContain("the", "user", "user's", "to", "after", "2", "don't", "ask");
    }

    @Test
    @DisplayName("pairs join neighbouring kept words only within a phrase")
    void pairs() {
        assertThat(Terms.of("Payment timeout in checkout. Apple Pay missing, shipping options confusing"))
                .extracting(Terms.Term::key)
                .contains("payment timeout", "apple pay", "pay missing", "shipping options", "options confusing")
                .doesNotContain("timeout checkout", "checkout apple", "missing shipping");
    }

    @Test
    @DisplayName("each term once per text, with its spelling as written")
    void distinctWithSurface() {
        assertThat(Terms.of("Stripe API down. stripe api down again")).filteredOn(t -> t.key().equals("stripe api"))
                .singleElement().satisfies(t -> assertThat(t.surface()).isEqualTo("Stripe API"));
        assertThat(Terms.of(null)).isEmpty();
    }
}
