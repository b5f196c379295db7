package dev.prism.llm;

import dev.prism.llm.OfflineAnalyzer.Analysis;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capability catalogue names a request the same whatever its language and wording. Every sentence here was written
 * for this test (none comes from the eval corpus's phrase bank).
 */
@DisplayName("The capability catalogue")
class CapabilitiesTest {

    private static final Capabilities CATALOGUE = Capabilities.standard();

    private static Optional<String> named(String request) {
        return CATALOGUE.match(request).map(Capabilities.Capability::name);
    }

    @Test
    @DisplayName("is broad: 60+ capabilities, each a short English name with cues")
    void broad() {
        assertThat(CATALOGUE.entries()).hasSizeGreaterThanOrEqualTo(60);
        assertThat(CATALOGUE.entries()).allSatisfy(c -> {
            assertThat(c.cues()).as(c.name()).isNotEmpty();
            assertThat(c.name().split("\\s+").length).as(c.name()).isBetween(1, 7);
        });
        assertThat(CATALOGUE.entries().stream().map(Capabilities.Capability::name).distinct()).hasSameSizeAs(CATALOGUE.entries());
    }

    @Test
    @DisplayName("maps a request written in English, Spanish, French, German and Portuguese to the same capability")
    void fiveLanguages() {
        assertThat(List.of(
                "Could I grab these numbers as an Excel workbook?",
                "¿Me lo pasas a una hoja de cálculo para descargarla?",
                "J'aimerais exporter tout ça dans un tableur.",
                "Lässt sich das als Excel-Datei herunterladen?",
                "Queria baixar esses dados numa planilha."))
                .allSatisfy(r -> assertThat(named(r)).as(r).contains("spreadsheet export"));
        assertThat(List.of(
                "Is there a dark theme? My eyes hurt at night.",
                "¿Tienen modo oscuro?",
                "Un mode sombre serait top.",
                "Gibt es einen Dunkelmodus?",
                "Vocês têm modo escuro?"))
                .allSatisfy(r -> assertThat(named(r)).as(r).contains("dark mode"));
        assertThat(List.of(
                "i'm on a boat with no internet half the week, can it still work?",
                "¿Funciona sin conexión?",
                "Ça marche hors ligne ?",
                "Geht das auch ohne Internet?",
                "Funciona sem internet?"))
                .allSatisfy(r -> assertThat(named(r)).as(r).contains("offline mode"));
        assertThat(List.of(
                "would be nice to just speak my question",
                "¿Puedo dictarte por voz?",
                "Je préfère dicter, c'est possible ?",
                "Kann ich das per Spracheingabe machen?",
                "Posso falar em vez de escrever?"))
                .allSatisfy(r -> assertThat(named(r)).as(r).contains("voice input"));
    }

    @Test
    @DisplayName("tells direction and channel apart: export from import, the team from the user, a calendar from a reminder")
    void lookAlikeCapabilities() {
        assertThat(named("Can I load my old contacts from a CSV instead of typing them in one by one?")).contains("bulk import");
        assertThat(named("Give me the contacts as a CSV file.")).contains("spreadsheet export");
        assertThat(named("Let my whole team know on Slack once the report is ready.")).contains("team notifications");
        assertThat(named("Notify me when the price drops below 200.")).contains("notifications and alerts");
        assertThat(named("Put the dentist appointment in my Google Calendar.")).contains("calendar integration");
        assertThat(named("Can I upload a scanned contract and have you read it?")).contains("file upload");
        assertThat(named("Could you read the answer aloud?")).contains("reading answers aloud");
        assertThat(named("I want to talk to a human, not a bot.")).contains("talking to a human");
        assertThat(named("Can I export my data?")).as("a generic entry when nothing specific fits").contains("data export");
        assertThat(named("Export it to PDF.")).as("a specific entry beats the generic one").contains("PDF export");
    }

    @Test
    @DisplayName("leaves declined capabilities alone: a clause saying it is not needed names nothing")
    void negations() {
        assertThat(named("I don't need an export, just add up these invoices.")).isEmpty();
        assertThat(named("No necesito exportar nada a Excel.")).isEmpty();
        assertThat(named("Pas besoin de mode hors ligne.")).isEmpty();
        assertThat(named("Please don't ping the team about this one.")).isEmpty();
        assertThat(named("Keine Benachrichtigung nötig.")).isEmpty();
        assertThat(named("Não preciso de integração com o calendário.")).isEmpty();
        assertThat(named("I don't need an export, but could it sync with my Outlook calendar?")).contains("calendar integration");
        assertThat(named("I don't want to type all of this, can I just talk to you?")).as("a complaint about the alternative is no negation")
                .contains("voice input");
    }

    @Test
    @DisplayName("names nothing when the request asks for something it does not know: the caller falls back to the user's words")
    void openVocabulary() {
        assertThat(named("Could you add a karaoke mode with lyrics?")).isEmpty();
        assertThat(named("Find me a flight to Lisbon in March.")).isEmpty();
        Analysis a = OfflineAnalyzer.request("Could you add a karaoke mode with lyrics?", "Could you add a karaoke mode with lyrics?", true, CATALOGUE);
        assertThat(a.title()).isEqualTo("Asks to add a karaoke mode with lyrics");
        assertThat(a.embedText()).isEqualTo("asks to add a karaoke mode with lyrics");
    }

    @Test
    @DisplayName("a matched request is titled and embedded as 'Asks for <capability>'; the message is read when the evidence sentence names nothing")
    void titleAndEmbedText() {
        Analysis a = OfflineAnalyzer.request("¿Se puede pasar todo a Excel?", "¿Se puede pasar todo a Excel?", true, CATALOGUE);
        assertThat(a.title()).isEqualTo("Asks for spreadsheet export");
        assertThat(a.embedText()).isEqualTo("Asks for spreadsheet export");
        assertThat(a.summary()).contains("¿Se puede pasar todo a Excel?").contains("could not do it");
        Analysis fromMessage = OfflineAnalyzer.request("Is that possible?", "I go hiking where there is no signal. Is that possible?", false, CATALOGUE);
        assertThat(fromMessage.title()).isEqualTo("Asks for offline mode");
    }

    @Test
    @DisplayName("without an entry, its requests fall back to another fitting entry or to the user's words")
    void without() {
        Capabilities less = CATALOGUE.without(Set.of("spreadsheet export", "data export"));
        assertThat(less.entries()).hasSize(CATALOGUE.entries().size() - 2);
        assertThat(less.match("Can I get this as an Excel file?")).isEmpty();
        assertThat(OfflineAnalyzer.request("Can I get this as an Excel file?", "", true, less).title()).isEqualTo("Asks to get this as an Excel file");
    }
}
