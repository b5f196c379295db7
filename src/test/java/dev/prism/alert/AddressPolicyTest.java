package dev.prism.alert;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The address policy refuses destinations that are not public unless allowed")
class AddressPolicyTest {

    private static List<InetAddress> at(String... literals) throws Exception {
        InetAddress[] out = new InetAddress[literals.length];
        for (int i = 0; i < literals.length; i++) {
            out[i] = InetAddress.getByName(literals[i]);
        }
        return List.of(out);
    }

    @Test
    @DisplayName("a loopback address is refused with a message that says which address, what it is and how to allow it")
    void loopbackMessage() throws Exception {
        assertThat(AddressPolicy.publicOnly().check("127.0.0.1", at("127.0.0.1")))
                .contains("destination resolves to 127.0.0.1, a loopback address; set alerts.allowPrivateDestinations to allow it");
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "127.8.9.10, a loopback", "::1, a loopback",
            "10.1.2.3, a private", "172.16.0.1, a private", "172.31.255.254, a private", "192.168.1.1, a private",
            "fc00::1, a private (unique local)", "fd12:3456::1, a private (unique local)",
            "169.254.169.254, a link-local", "169.254.0.1, a link-local", "fe80::1, a link-local",
            "0.0.0.0, an unspecified", ":: , an unspecified",
            "224.0.0.1, a multicast", "239.255.255.250, a multicast", "ff02::1, a multicast",
            "100.64.0.1, a carrier-grade NAT (CGNAT)", "100.127.255.254, a carrier-grade NAT (CGNAT)",
            "255.255.255.255, a reserved or broadcast",
            "::ffff:127.0.0.1, a loopback", "::ffff:10.0.0.1, a private", "64:ff9b::a9fe:a9fe, a link-local",
            "2002:c0a8:0101::1, a private", "::127.0.0.1, a loopback"})
    void restricted(String literal, String kind) throws Exception {
        assertThat(AddressPolicy.restrictedKind(InetAddress.getByName(literal.trim()))).contains(kind);
        assertThat(AddressPolicy.publicOnly().check("h", at(literal.trim()))).hasValueSatisfying(m -> assertThat(m).contains(kind + " address"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1", "2606:4700::1111", "192.169.0.1"})
    @DisplayName("public addresses, also next to the private ranges' edges, are allowed")
    void publicAllowed(String literal) throws Exception {
        assertThat(AddressPolicy.restrictedKind(InetAddress.getByName(literal))).isEmpty();
        assertThat(AddressPolicy.publicOnly().check("h", at(literal))).isEmpty();
    }

    @Test
    @DisplayName("every resolved address is checked: one private address among public ones refuses the host")
    void everyAddress() throws Exception {
        assertThat(AddressPolicy.publicOnly().check("mixed.example", at("93.184.216.34", "8.8.8.8", "10.0.0.7")))
                .contains("destination resolves to 10.0.0.7, a private address; set alerts.allowPrivateDestinations to allow it");
        assertThat(AddressPolicy.publicOnly().check("nothing.example", List.of())).contains("destination host nothing.example resolves to no address");
    }

    @Test
    @DisplayName("allowed CIDRs and host names let exactly those through; true allows everything")
    void allowList() throws Exception {
        AddressPolicy policy = AddressPolicy.parse("10.20.0.0/16, hooks.internal ,fd00::/8");
        assertThat(policy.check("a", at("10.20.3.4"))).isEmpty();
        assertThat(policy.check("a", at("10.21.3.4"))).isPresent();
        assertThat(policy.check("a", at("fd00::5"))).isEmpty();
        assertThat(policy.check("HOOKS.internal", at("127.0.0.1"))).isEmpty();
        assertThat(policy.check("other.internal", at("127.0.0.1"))).isPresent();
        assertThat(policy.check("a", at("10.20.3.4", "127.0.0.1"))).contains(
                "destination resolves to 127.0.0.1, a loopback address; set alerts.allowPrivateDestinations to allow it");
        assertThat(AddressPolicy.parse("127.0.0.1").check("a", at("127.0.0.1"))).isEmpty();
        assertThat(AddressPolicy.parse("true").check("a", at("169.254.169.254"))).isEmpty();
        assertThat(AddressPolicy.parse("false").check("a", at("127.0.0.1"))).isPresent();
        assertThat(AddressPolicy.parse("").check("a", at("127.0.0.1"))).isPresent();
        assertThatThrownBy(() -> AddressPolicy.parse("10.0.0.0/33")).hasMessageContaining("'10.0.0.0/33'");
        assertThatThrownBy(() -> AddressPolicy.parse("not a host!")).hasMessageContaining("alerts.allowPrivateDestinations");
    }

    @Test
    @DisplayName("only http and https URLs with a host and no credentials are callable; IP literals are refused before any call")
    void uris() {
        AddressPolicy policy = AddressPolicy.publicOnly();
        assertThat(policy.checkUri(URI.create("file:///etc/passwd"))).contains("destination URL scheme 'file' is not allowed; use http or https");
        assertThat(policy.checkUri(URI.create("gopher://example.com/"))).isPresent();
        assertThat(policy.checkUri(URI.create("https://user:pw@example.com/"))).isPresent();
        assertThat(policy.checkUri(URI.create("https://hooks.slack.com/services/T/B/x"))).isEmpty();
        assertThat(policy.checkWithoutResolving(URI.create("http://127.0.0.1:8080/hook")))
                .contains("destination resolves to 127.0.0.1, a loopback address; set alerts.allowPrivateDestinations to allow it");
        assertThat(policy.checkWithoutResolving(URI.create("http://[::1]/hook"))).hasValueSatisfying(m -> assertThat(m).contains("a loopback address"));
        assertThat(policy.checkWithoutResolving(URI.create("http://169.254.169.254/latest/meta-data/"))).hasValueSatisfying(m -> assertThat(m).contains("link-local"));
        assertThat(policy.checkWithoutResolving(URI.create("https://example.com/hook"))).isEmpty();
    }
}
