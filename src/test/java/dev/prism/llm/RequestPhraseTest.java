package dev.prism.llm;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestPhraseTest {

    @Test
    @DisplayName("the framing of a request is dropped: an action reads 'Asks to', a thing 'Asks for'")
    void framing() {
        assertThat(RequestPhrase.of("Can you also export this to Google Calendar?").title()).isEqualTo("Asks to export this to Google Calendar");
        assertThat(RequestPhrase.of("I wish I could email this every Monday.").title()).isEqualTo("Asks to email this every Monday");
        assertThat(RequestPhrase.of("Is there a way to get this as a CSV file?").title()).isEqualTo("Asks to get this as a CSV file");
        assertThat(RequestPhrase.of("Do you support Apple Pay?").title()).isEqualTo("Asks for Apple Pay");
        assertThat(RequestPhrase.of("hey, would be great if you could sync with Outlook please").title()).isEqualTo("Asks to sync with Outlook");
    }

    @Test
    @DisplayName("wording the patterns do not know is kept as the user wrote it; canonical words drop numbers and addresses")
    void unknownAndCanonical() {
        assertThat(RequestPhrase.of("¿Puedes exportar esto a Google Calendar?").title()).isEqualTo("Asks: ¿Puedes exportar esto a Google Calendar");
        assertThat(RequestPhrase.of("Can you email the 2025 report to ana@example.com every 7 days?").canonical())
                .isEqualTo("asks to email the report to every days");
    }
}
