package org.relaypack.delivery;

import org.relaypack.config.ConfigElement;
import org.relaypack.config.Secrets;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.dane.TrustAnchors;

import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;

/**
 * Reads {@code <tls mode="dane"><dane trustAnchors="..." resolver="..." fallback="..."/></tls>}
 * of a next hop (docs/dane.md). The trust anchor file is read when James starts: a missing,
 * unreadable or unparsable file stops it, naming the hop, the attribute and the value.
 */
final class DaneConfigurationReader {
    static final String DANE = "dane";
    static final String TRUST_ANCHORS = "trustAnchors";
    static final String RESOLVER = "resolver";
    static final String FALLBACK = "fallback";
    private static final ImmutableSet<String> NOT_WITH_DANE = ImmutableSet.of(TlsElement.VERIFY, TlsElement.MATCH,
        TlsElement.MIN_PROTOCOL);

    private final Secrets secrets;

    DaneConfigurationReader(Secrets secrets) {
        this.secrets = secrets;
    }

    /**
     * The DANE settings of a hop whose {@code <tls>} says mode dane or dane-or-mta-sts; empty for any
     * other mode (which then takes no {@code <dane>}).
     */
    Optional<DaneSettings> read(ConfigElement hop, NextHop.Kind kind) throws ConfigurationException {
        Optional<ConfigElement> tls = hop.child(TlsElement.TLS);
        if (tls.isEmpty()) {
            return Optional.empty();
        }
        ConfigElement tlsElement = tls.get();
        Optional<ConfigElement> dane = tlsElement.child(DANE);
        Optional<TlsMode> mode = tlsElement.value(TlsElement.MODE).flatMap(TlsMode::parse).filter(TlsMode::usesDane);
        if (mode.isEmpty()) {
            if (dane.isPresent()) {
                throw dane.get().error("is only for <tls mode=\"dane\"> and <tls mode=\"dane-or-mta-sts\">");
            }
            return Optional.empty();
        }
        String name = "mode " + mode.get().configValue();
        if (kind != NextHop.Kind.RECIPIENT_MX) {
            throw tlsElement.error(name + " is only for type=\"mx\" next hops: DANE authenticates the MX hosts of each recipient "
                + "domain (for listed hosts, use mode starttls-required with verify)");
        }
        for (String attribute : NOT_WITH_DANE) {
            if (tlsElement.value(attribute).isPresent()) {
                throw tlsElement.error(attribute, tlsElement.value(attribute).get(), "does not go with " + name + ": "
                    + "TLSA records authenticate the servers, and TLSv1.2 is the floor where they apply");
            }
        }
        // under dane-or-mta-sts the trust store is MTA-STS's (policy server, enforced MX hosts)
        if (mode.get() == TlsMode.DANE && tlsElement.child(TlsElement.TRUSTSTORE).isPresent()) {
            throw tlsElement.error("mode dane takes no <truststore>: TLSA records authenticate the servers");
        }
        if (dane.isEmpty()) {
            throw tlsElement.error(name + " needs <dane trustAnchors=\"...\"/>: the DNSSEC trust anchors to validate from");
        }
        ConfigElement element = dane.get().checkAllowed(ImmutableSet.of(TRUST_ANCHORS, RESOLVER, FALLBACK), ImmutableSet.of());
        return Optional.of(DaneSettings.of(trustAnchors(element), resolver(element), fallback(element)));
    }

    private TrustAnchors trustAnchors(ConfigElement element) throws ConfigurationException {
        String location = element.required(TRUST_ANCHORS);
        File file = secrets.readableFile(element, TRUST_ANCHORS, location);
        try {
            return TrustAnchors.read(file.toPath());
        } catch (IOException e) {
            throw element.error(TRUST_ANCHORS, location, "cannot be read (" + file.getAbsolutePath() + "): " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw element.error(TRUST_ANCHORS, location, "(" + file.getAbsolutePath() + ") " + e.getMessage());
        }
    }

    /** {@code 192.0.2.53}, {@code 192.0.2.53:5353}, {@code [2001:db8::53]:53}: an address, never a name (nothing to resolve it with). */
    private static Optional<InetSocketAddress> resolver(ConfigElement element) throws ConfigurationException {
        Optional<String> text = element.value(RESOLVER);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String value = text.get();
        String host = value;
        int port = DaneSettings.DNS_PORT;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw element.error(RESOLVER, value, "is not address, address:port or [IPv6 address]:port");
            }
            host = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty()) {
                port = port(element, value, rest.startsWith(":") ? rest.substring(1) : rest);
            }
        } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            host = value.substring(0, value.indexOf(':'));
            port = port(element, value, value.substring(value.indexOf(':') + 1));
        }
        if (!InetAddresses.isInetAddress(host)) {
            throw element.error(RESOLVER, value, "is not an IP address (with an optional :port); a DNS server is named by its address");
        }
        InetAddress address = InetAddresses.forString(host);
        return Optional.of(new InetSocketAddress(address, port));
    }

    private static int port(ConfigElement element, String value, String port) throws ConfigurationException {
        try {
            int parsed = Integer.parseInt(port);
            if (parsed >= 1 && parsed <= 65535) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw element.error(RESOLVER, value, "has no port 1-65535 after the address");
    }

    private static TlsMode fallback(ConfigElement element) throws ConfigurationException {
        Optional<String> text = element.value(FALLBACK);
        if (text.isEmpty()) {
            return DaneSettings.DEFAULT_FALLBACK;
        }
        return TlsMode.parse(text.get()).filter(DaneSettings.FALLBACKS::contains)
            .orElseThrow(() -> element.error(FALLBACK, text.get(), "is not one of opportunistic, starttls-required"));
    }
}
