package dev.prism.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamingAnswerParserTest {

    @Test
    @DisplayName("reads title and description from a JSON answer inside a ```json fence")
    void fenced() throws Exception {
        NamingAnswerParser.Naming n = NamingAnswerParser.parse("Here you go:\n```json\n{\"title\": \"Stripe payment timeouts\","
                + " \"description\": \"Checkout calls to Stripe time out.\\n They are retried.\"}\n```");

        assertThat(n.title()).isEqualTo("Stripe payment timeouts");
        assertThat(n.description()).isEqualTo("Checkout calls to Stripe time out. They are retried.");
    }

    @Test
    @DisplayName("the title is cut to 10 words and loses quotes and a final period; the description may be absent")
    void cleaned() throws Exception {
        NamingAnswerParser.Naming n = NamingAnswerParser.parse(
                "{\"title\": \"\\\"One two three four five six seven eight nine ten eleven twelve.\\\"\"}");

        assertThat(n.title()).isEqualTo("One two three four five six seven eight nine ten");
        assertThat(n.description()).isEmpty();
        assertThat(NamingAnswerParser.parse("{\"title\": \"Refund loops.\"}").title()).isEqualTo("Refund loops");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no json here", "{\"title\": \"\"}", "{\"title\": 3}", "{\"description\": \"x\"}",
            "{\"title\": \"x\", \"description\": [1]}", "{\"title\": \"x\""})
    @DisplayName("answers without a usable title are refused with a reason")
    void invalid(String reply) {
        assertThatThrownBy(() -> NamingAnswerParser.parse(reply)).isInstanceOf(dev.prism.common.ModelAnswer.Invalid.class)
                .hasMessageMatching(".*(empty|no JSON|title|description).*");
    }
}
