package dev.prism.llm;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Capabilities outside the eval corpus's six, each asked for in English, Spanish, French, German and Portuguese: the
 * catalogue gives each group one name, so a corpus with other categories than ours still clusters by capability.
 * Every sentence was written for this test.
 */
@DisplayName("The capability catalogue across languages, beyond the corpus's capabilities")
class CapabilityLanguagesTest {

    private static final Map<String, List<String>> REQUESTS = Map.of(
            "mobile app", List.of("Is there an iPhone app or only the website?", "¿Hay una aplicación para Android?",
                    "Y a-t-il une application mobile ?", "Gibt es eine Handy-App?", "Existe um aplicativo para celular?"),
            "image input", List.of("Can I upload an image and ask about it?", "¿Puedo subir una imagen?", "Je peux envoyer une image ?",
                    "Kann ich ein Bild hochladen?", "Posso enviar uma imagem?"),
            "translation and other languages", List.of("Can you answer in Spanish?", "¿Puedes responder en inglés?",
                    "Tu peux répondre en allemand ?", "Kannst du auf Französisch antworten?", "Você pode responder em português?"),
            "conversation history", List.of("Where can I see my previous conversations?", "¿Dónde veo mis conversaciones anteriores?",
                    "Où sont mes anciennes conversations ?", "Wo finde ich meine alten Chats?", "Onde vejo minhas conversas antigas?"),
            "dark mode", List.of("Could you add a night mode?", "Modo nocturno por favor", "Thème sombre svp", "Dunkles Design bitte",
                    "Tema escuro por favor"),
            "sharing and collaboration", List.of("Can I invite my coworker to this workspace?", "¿Puedo invitar a un compañero?",
                    "Je peux inviter un collègue ?", "Kann ich einen Kollegen einladen?", "Posso convidar um colega?"),
            "scheduled and recurring tasks", List.of("Could it run this every Monday at 9 automatically?",
                    "Programar el envío para todos los lunes sería genial.", "Pourrais-tu faire ça automatiquement chaque semaine ?",
                    "Kannst du das jeden Montag automatisch machen?", "Dá pra agendar isso toda semana?"),
            "PDF export", List.of("Can I download this as a PDF?", "Puedes exportarlo a PDF?", "Tu peux me le sortir en PDF ?",
                    "Kannst du mir das als PDF geben?", "Consegue gerar um PDF disso?"),
            "Slack integration", List.of("Could this plug into Slack?", "¿Se puede integrar con Slack?", "Est-ce que ça s'intègre à Slack ?",
                    "Lässt sich das mit Slack verbinden?", "Dá pra integrar com o Slack?"),
            "presentation slides", List.of("Make me a PowerPoint of this summary.", "¿Puedes convertir esto en diapositivas?",
                    "Tu peux en faire une présentation PowerPoint ?", "Kannst du daraus Folien machen?", "Dá pra transformar isso em slides?"));

    @Test
    @DisplayName("names each capability the same in five languages")
    void sameNameInFiveLanguages() {
        REQUESTS.forEach((capability, requests) -> assertThat(requests).allSatisfy(r -> assertThat(
                Capabilities.standard().match(r).map(Capabilities.Capability::name)).as(r).contains(capability)));
    }

    @Test
    @DisplayName("an image to upload is an image, not a bulk import, whatever the upload verb")
    void imageUploadIsNoImport() {
        assertThat(Capabilities.standard().match("Kann ich ein Bild hochladen?").map(Capabilities.Capability::name)).contains("image input");
        assertThat(Capabilities.standard().match("Kann ich meine 300 Kontakte auf einmal hochladen?").map(Capabilities.Capability::name))
                .contains("bulk import");
    }
}
