package dev.prism.alert;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which addresses an alert destination may reach (the SSRF guard): a rule's webhook URL is typed by a project admin,
 * so without this a URL could make the server call its own admin port, a database or a cloud metadata endpoint.
 * Refused unless allowed: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the metadata address,
 * fe80::/10), unspecified, multicast, CGNAT (100.64/10), reserved and broadcast addresses, also when they are embedded
 * in an IPv6 address (IPv4-mapped, -compatible, NAT64, 6to4). Every address a name resolves to is checked, not just
 * the first. {@code alerts.allowPrivateDestinations} allows all ({@code true}) or some (a list of CIDRs and host names)
 * so tests and on-premises receivers work. Pure.
 */
public final class AddressPolicy {

    /** The configuration key named in every refusal, so an operator knows where to allow a receiver. */
    public static final String SETTING = "alerts.allowPrivateDestinations";

    private final boolean allowAll;
    private final List<Cidr> allowedNetworks;
    private final List<String> allowedHosts;

    private AddressPolicy(boolean allowAll, List<Cidr> allowedNetworks, List<String> allowedHosts) {
        this.allowAll = allowAll;
        this.allowedNetworks = List.copyOf(allowedNetworks);
        this.allowedHosts = List.copyOf(allowedHosts);
    }

    /** The default: only public addresses. */
    public static AddressPolicy publicOnly() {
        return new AddressPolicy(false, List.of(), List.of());
    }

    /** Every address allowed (a trusted network, tests). */
    public static AddressPolicy allowAll() {
        return new AddressPolicy(true, List.of(), List.of());
    }

    /**
     * From the setting's value: {@code false}/empty (default), {@code true}, or CIDRs and host names separated by commas
     * or given as a list ({@code ["10.0.0.0/8", "hooks.internal"]}).
     *
     * @throws IllegalArgumentException naming the entry that is neither a CIDR nor a host name
     */
    public static AddressPolicy parse(List<String> entries) {
        List<Cidr> networks = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw == null ? "" : raw.trim();
            if (entry.isEmpty() || entry.equalsIgnoreCase("false")) {
                continue;
            }
            if (entry.equalsIgnoreCase("true")) {
                return allowAll();
            }
            Optional<Cidr> cidr = Cidr.parse(entry);
            if (cidr.isPresent()) {
                networks.add(cidr.get());
            } else if (entry.matches("(?i)[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
                hosts.add(entry.toLowerCase(Locale.ROOT));
            } else {
                throw new IllegalArgumentException(SETTING + ": '" + entry + "' is neither a CIDR (10.0.0.0/8) nor a host name");
            }
        }
        return new AddressPolicy(false, networks, hosts);
    }

    /** {@link #parse(List)} of a comma-separated value (an environment variable, a system property). */
    public static AddressPolicy parse(String commaSeparated) {
        return parse(commaSeparated == null ? List.of() : List.of(commaSeparated.split(",")));
    }

    /** Only http and https, with a host: {@code file:}, {@code gopher:} and friends never reach the resolver. */
    public Optional<String> checkUri(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("destination URL scheme '" + (scheme.isEmpty() ? "none" : scheme) + "' is not allowed; use http or https");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("destination URL has no host");
        }
        if (uri.getUserInfo() != null) {
            return Optional.of("destination URL must not carry credentials before the host");
        }
        return Optional.empty();
    }

    /**
     * {@link #checkUri} and, when the host is an IP literal, {@link #check} of it: what can be known without resolving,
     * so a rule naming {@code http://127.0.0.1/} is refused when it is saved, not at its first delivery.
     */
    public Optional<String> checkWithoutResolving(URI uri) {
        Optional<String> bad = checkUri(uri);
        if (bad.isPresent()) {
            return bad;
        }
        String host = stripBrackets(uri.getHost());
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                return check(host, List.of(InetAddress.getByName(host)));
            } catch (UnknownHostException e) {
                return Optional.of("destination host " + host + " is not a valid address");
            }
        }
        return Optional.empty();
    }

    /**
     * Why {@code host} must not be called when it resolves to {@code addresses}, or empty when every address is allowed.
     * An empty resolution is refused too: there is nothing safe to connect to.
     */
    public Optional<String> check(String host, List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            return Optional.of("destination host " + host + " resolves to no address");
        }
        if (allowAll || allowedHosts.contains(stripBrackets(host).toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            Optional<String> kind = restrictedKind(address);
            if (kind.isPresent() && allowedNetworks.stream().noneMatch(n -> n.contains(address))) {
                return Optional.of("destination resolves to " + address.getHostAddress() + ", " + kind.get()
                        + " address; set " + SETTING + " to allow it");
            }
        }
        return Optional.empty();
    }

    /** "a loopback", "a private", … for an address a destination may not reach by default, empty for a public one. */
    static Optional<String> restrictedKind(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            Optional<byte[]> embedded = embeddedIpv4(b);
            if (embedded.isPresent()) {
                return ipv4Kind(embedded.get());
            }
            return ipv6Kind(b);
        }
        return ipv4Kind(b);
    }

    private static Optional<String> ipv4Kind(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 127) {
            return Optional.of("a loopback");
        }
        if (a0 == 0) {
            return Optional.of("an unspecified");
        }
        if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)) {
            return Optional.of("a private");
        }
        if (a0 == 169 && a1 == 254) {
            return Optional.of("a link-local");
        }
        if (a0 == 100 && a1 >= 64 && a1 <= 127) {
            return Optional.of("a carrier-grade NAT (CGNAT)");
        }
        if (a0 >= 224 && a0 <= 239) {
            return Optional.of("a multicast");
        }
        if (a0 >= 240) {
            return Optional.of("a reserved or broadcast");
        }
        // 192.0.0.0/24 (IETF protocol assignments) and 198.18.0.0/15 (benchmarking) are never a receiver's address.
        if ((a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) || (a0 == 198 && (a1 == 18 || a1 == 19))) {
            return Optional.of("a reserved");
        }
        return Optional.empty();
    }

    private static Optional<String> ipv6Kind(byte[] b) {
        boolean allZeroButLast = true;
        for (int i = 0; i < 15; i++) {
            allZeroButLast &= b[i] == 0;
        }
        if (allZeroButLast && b[15] == 1) {
            return Optional.of("a loopback");
        }
        if (allZeroButLast && b[15] == 0) {
            return Optional.of("an unspecified");
        }
        int first = b[0] & 0xff;
        if ((first & 0xfe) == 0xfc) {
            return Optional.of("a private (unique local)");
        }
        if (first == 0xfe && (b[1] & 0xc0) == 0x80) {
            return Optional.of("a link-local");
        }
        if (first == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return Optional.of("a site-local");
        }
        if (first == 0xff) {
            return Optional.of("a multicast");
        }
        return Optional.empty();
    }

    /** The IPv4 address inside an IPv4-mapped or -compatible (::a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) one. */
    private static Optional<byte[]> embeddedIpv4(byte[] b) {
        boolean zeroFirst10 = true;
        for (int i = 0; i < 10; i++) {
            zeroFirst10 &= b[i] == 0;
        }
        boolean mapped = zeroFirst10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeroFirst10 && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0;
        if (mapped || compatible || nat64) {
            return Optional.of(new byte[]{b[12], b[13], b[14], b[15]});
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return Optional.of(new byte[]{b[2], b[3], b[4], b[5]});
        }
        return Optional.empty();
    }

    static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return allowAll ? "AddressPolicy[allow all]" : "AddressPolicy[public only, allowed networks=" + allowedNetworks + ", hosts=" + allowedHosts + "]";
    }

    /** A network in CIDR notation, IPv4 or IPv6; a bare address is a /32 or /128. */
    record Cidr(byte[] network, int prefix, String text) {

        static Optional<Cidr> parse(String text) {
            int slash = text.indexOf('/');
            String address = slash < 0 ? text : text.substring(0, slash);
            // Only literals: a name here would be resolved by the parser, which is the check's job, not the config's.
            if (!address.matches("[0-9.]+") && !address.matches("(?i)[0-9a-f:.]*:[0-9a-f:.]*")) {
                return Optional.empty();
            }
            try {
                byte[] bytes = InetAddress.getByName(address).getAddress();
                int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > bytes.length * 8) {
                    return Optional.empty();
                }
                return Optional.of(new Cidr(bytes, prefix, text));
            } catch (UnknownHostException | NumberFormatException e) {
                return Optional.empty();
            }
        }

        boolean contains(InetAddress address) {
            byte[] b = address.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((b[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
