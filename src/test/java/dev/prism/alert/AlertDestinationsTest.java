package dev.prism.alert;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
@DisplayName("The destinations factory, its settings, and the purity of the alert texts")
class AlertDestinationsTest {

    @Test
    @DisplayName("all() gives the four destination types, each refusing an incomplete configuration with the field's name")
    void four(Vertx vertx) {
        List<Destination> all = AlertDestinations.all(vertx, null, AlertDestinations.Settings.defaults());
        assertThat(all).extracting(Destination::type).containsExactly("slack", "webhook", "linear", "github");
        assertThat(all).extracting(d -> d.validate(new JsonObject())).containsExactly("url: required", "url: required",
                "api_key: required (a Linear API key)", "token: required (a GitHub token that may write issues)");
    }

    @Test
    @DisplayName("alerts.allowPrivateDestinations: absent or false refuses private addresses, true allows all, a list or a comma list allows those")
    void settings() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetAddress tenNet = InetAddress.getByName("10.1.2.3");
        assertThat(AlertDestinations.Settings.from(null).policy().check("h", List.of(loopback))).isPresent();
        assertThat(AlertDestinations.Settings.from(new JsonObject().put("allowPrivateDestinations", false)).policy().check("h", List.of(loopback))).isPresent();
        assertThat(AlertDestinations.Settings.from(new JsonObject().put("allowPrivateDestinations", true)).policy().check("h", List.of(loopback))).isEmpty();
        AddressPolicy listed = AlertDestinations.Settings.from(new JsonObject().put("allowPrivateDestinations", new JsonArray().add("10.0.0.0/8"))).policy();
        assertThat(listed.check("h", List.of(tenNet))).isEmpty();
        assertThat(listed.check("h", List.of(loopback))).isPresent();
        AddressPolicy env = AlertDestinations.Settings.from(new JsonObject().put("allowPrivateDestinations", "10.0.0.0/8,127.0.0.1")).policy();
        assertThat(env.check("h", List.of(tenNet, loopback))).isEmpty();
        assertThat(AlertDestinations.Settings.from(new JsonObject().put("destinationTimeoutMillis", 2500)).timeoutMillis()).isEqualTo(2500);
        assertThat(AlertDestinations.Settings.defaults().timeoutMillis()).isEqualTo(AlertDestinations.DEFAULT_TIMEOUT_MILLIS);
        assertThatThrownBy(() -> AlertDestinations.Settings.from(new JsonObject().put("allowPrivateDestinations", "10.0.0.0/99")))
                .hasMessageContaining("alerts.allowPrivateDestinations");
    }

    @Test
    @DisplayName("the address policy and every text the destinations render import nothing from Vert.x")
    void pure() {
        noClasses().that().haveSimpleName("AddressPolicy").or().haveSimpleName("SlackMessage").or().haveSimpleName("Markdown")
                .or().haveSimpleName("TicketText").or().haveSimpleName("NoticeText").or().haveSimpleName("NoticeJson")
                .or().haveSimpleName("Outcomes").or().haveSimpleName("WebhookSignature").or().haveSimpleName("TicketKey")
                .should().dependOnClassesThat().resideInAPackage("io.vertx..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.prism.alert"));
    }
}
