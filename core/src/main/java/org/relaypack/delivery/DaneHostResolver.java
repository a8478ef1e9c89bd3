package org.relaypack.delivery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.relaypack.delivery.HostResolver.Resolution;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneResolver;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.dane.DnsAnswer;
import org.relaypack.tls.dane.TlsaAssociation;
import org.relaypack.tls.dane.TlsaCheck;
import org.relaypack.tls.report.TlsResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * The MX hosts of a recipient domain under {@code <tls mode="dane">}, each with the TLS policy
 * RFC 7672 gives it, as Postfix's {@code dane} level decides (all lookups through the hop's
 * validating resolver):
 * <ul>
 *   <li>MX RRset secure, host addresses secure, TLSA secure with a usable record: TLS required
 *       (TLSv1.2 and newer), the certificate authenticated by the TLSA records only;</li>
 *   <li>... TLSA secure, none usable: TLS required, unauthenticated;</li>
 *   <li>MX RRset, addresses or TLSA insecure, or no TLSA record: the hop's fallback policy;</li>
 *   <li>a bogus MX RRset: nothing to try; a bogus address or TLSA answer, or a failed TLSA lookup:
 *       that host is skipped. With no host left the recipients get {@code 451 4.7.5}.</li>
 * </ul>
 * NXDOMAIN and a null MX of the recipient domain bounce, and an MX that is this relay loops, as
 * under the other modes ({@link HostResolver}).
 */
final class DaneHostResolver {
    private static final Logger LOGGER = LoggerFactory.getLogger(DaneHostResolver.class);
    private static final String NULL_MX_TARGET = ".";

    /** One validating resolver per hop's settings: its DNSKEY cache lasts as long as the transport. */
    private final Map<DaneSettings, DaneResolver> resolvers = new ConcurrentHashMap<>();
    private final TlsOutcomes tlsOutcomes;

    DaneHostResolver(TlsOutcomes tlsOutcomes) {
        this.tlsOutcomes = tlsOutcomes;
    }

    Resolution resolveMx(NextHop hop, DaneSettings settings, String domain, int port) {
        HostName name;
        try {
            name = HostName.of(domain);
        } catch (IllegalArgumentException e) {
            return Resolution.failed(SmtpReply.of(550, "5.1.2 bad recipient domain '" + domain + "'"));
        }
        DaneResolver dns;
        try {
            dns = resolvers.computeIfAbsent(settings, DaneHostResolver::create);
        } catch (IllegalStateException e) {
            LOGGER.error("Next hop {}: cannot start the DNSSEC-validating resolver", hop.name(), e);
            return Resolution.failed(HostFailure.localReply("4.3.0", "DANE: cannot start the validating resolver: " + e.getMessage()));
        }
        DnsAnswer<DaneResolver.Exchanger> mx = dns.mx(name.asString());
        switch (mx.status()) {
            case FAILED:
                return mxFailure(hop, name, mx);
            case NXDOMAIN:
                LOGGER.info("Recipient domain {}: no such domain (5.4.4, DNSSEC {})", name, mx.security());
                return Resolution.failed(SmtpReply.of(550, "5.4.4 Host or domain name not found: " + name + " has no MX and no address record"));
            case NO_RECORDS:
                // RFC 5321 5.1: the domain itself; RFC 7672 2.2.1: secure as the answer that said "no MX"
                return hosts(hop, settings, dns, name, ImmutableList.of(name), mx.isSecure(), port);
            default:
                break;
        }
        List<HostName> names = new ArrayList<>();
        for (DaneResolver.Exchanger exchanger : mx.records()) {
            if (NULL_MX_TARGET.equals(exchanger.name())) {
                continue;
            }
            try {
                names.add(HostName.of(exchanger.name()));
            } catch (IllegalArgumentException e) {
                LOGGER.warn("Next hop {}: MX of {} names no host: '{}'", hop.name(), name, exchanger.name());
            }
        }
        if (names.isEmpty() && mx.records().stream().anyMatch(exchanger -> !NULL_MX_TARGET.equals(exchanger.name()))) {
            return Resolution.failed(HostFailure.localReply("4.4.3", "MX of " + name + " names no host"));
        }
        if (names.isEmpty()) {
            LOGGER.info("Recipient domain {}: null MX (5.1.10)", name);
            return Resolution.failed(SmtpReply.of(550, "5.1.10 Domain " + name + " does not accept mail (null MX, RFC 7505)"));
        }
        return hosts(hop, settings, dns, name, names, mx.isSecure(), port);
    }

    private Resolution mxFailure(NextHop hop, HostName name, DnsAnswer<?> mx) {
        String reason = mx.failure().orElse("");
        if (mx.isBogus()) {
            LOGGER.warn("Next hop {}: DANE: MX lookup of {} is dnssec-invalid: {}; deferred", hop.name(), name, reason);
            tlsOutcomes.daneFailure(name.asString(), Optional.empty(), TlsResultType.DNSSEC_INVALID, ImmutableList.of());
            return Resolution.failed(HostFailure.localReply("4.7.5", "MX lookup of " + name + " is dnssec-invalid (bogus): " + reason));
        }
        LOGGER.warn("Next hop {}: DANE: MX lookup of {} failed: {}; deferred", hop.name(), name, reason);
        return Resolution.failed(HostFailure.localReply("4.4.3", "MX lookup of " + name + " failed temporarily: " + reason));
    }

    private Resolution hosts(NextHop hop, DaneSettings settings, DaneResolver dns, HostName domain, List<HostName> names,
                                    boolean mxSecure, int port) {
        ImmutableList.Builder<ResolvedHost> hosts = ImmutableList.builder();
        List<SmtpReply> problems = new ArrayList<>();
        boolean found = false;
        for (int preference = 0; preference < names.size(); preference++) {
            HostName host = names.get(preference);
            DnsAnswer<InetAddress> addresses = dns.addresses(host.asString());
            if (addresses.isBogus()) {
                LOGGER.warn("Next hop {}: DANE: address lookup of MX host {} of {} is dnssec-invalid: {}; host skipped",
                    hop.name(), host, domain, addresses.failure().orElse(""));
                tlsOutcomes.daneFailure(domain.asString(), Optional.of(host.asString()), TlsResultType.DNSSEC_INVALID, ImmutableList.of());
                problems.add(HostFailure.localReply("4.7.5", "address lookup of " + host + " is dnssec-invalid (bogus): " + addresses.failure().orElse("")));
                continue;
            }
            if (addresses.records().isEmpty()) {
                problems.add(HostFailure.localReply("4.4.3", "host " + host + " not found: "
                    + addresses.failure().orElse(addresses.status() == DnsAnswer.Status.NXDOMAIN ? "no such name" : "no address")));
                continue;
            }
            Optional<InetAddress> self = addresses.records().stream().filter(hop.loopDetection()::isSelf).findFirst();
            if (self.isPresent()) {
                if (found) {
                    break;
                }
                if (preference == 0) {
                    LOGGER.info("Recipient domain {}: mail loops back to myself (MX {} is {})", domain, host, self.get().getHostAddress());
                    return Resolution.failed(SmtpReply.of(550, "5.4.6 mail for " + domain + " loops back to myself (MX "
                        + host + " is " + self.get().getHostAddress() + ")"));
                }
                return Resolution.failed(HostFailure.localReply("4.4.4", "unable to find primary relay for " + domain));
            }
            Optional<HostTls> tls = decide(hop, settings, dns, domain, host, mxSecure && addresses.isSecure(), port, problems);
            if (tls.isEmpty()) {
                continue;
            }
            found = true;
            for (InetAddress address : addresses.records()) {
                hosts.add(new ResolvedHost(host, new InetSocketAddress(address, port), Optional.of(tls.get().policy), tls.get().tlsa)
                    .withNextHop(domain));
            }
        }
        return Resolution.of(hosts.build(), problems.isEmpty() ? Optional.empty() : Optional.of(problems.get(problems.size() - 1)));
    }

    private static final class HostTls {
        private final TlsPolicy policy;
        private final Optional<TlsaCheck> tlsa;

        private HostTls(TlsPolicy policy, Optional<TlsaCheck> tlsa) {
            this.policy = policy;
            this.tlsa = tlsa;
        }
    }

    /** The TLS policy of one MX host, or empty when it must be skipped (the reason added to the problems). */
    private Optional<HostTls> decide(NextHop hop, DaneSettings settings, DaneResolver dns, HostName domain, HostName host, boolean secure,
                                            int port, List<SmtpReply> problems) {
        String fallback = settings.fallback().configValue();
        if (!secure) {
            LOGGER.debug("Next hop {}: DANE: MX host {}: DNS insecure, no TLSA lookup: {} TLS", hop.name(), host, fallback);
            return Optional.of(new HostTls(settings.fallbackPolicy(), Optional.empty()));
        }
        DnsAnswer<TlsaAssociation> tlsa = dns.tlsa(host.asString(), port);
        if (tlsa.status() == DnsAnswer.Status.FAILED) {
            String what = tlsa.isBogus() ? "dnssec-invalid (bogus)" : "TLSA lookup error";
            LOGGER.warn("Next hop {}: DANE: MX host {}: {}: {}; host skipped", hop.name(), host, what, tlsa.failure().orElse(""));
            problems.add(HostFailure.localReply("4.7.5", "TLSA lookup of " + host + " port " + port + ": " + what + ": " + tlsa.failure().orElse("")));
            if (tlsa.isBogus()) {
                tlsOutcomes.daneFailure(domain.asString(), Optional.of(host.asString()), TlsResultType.DNSSEC_INVALID, ImmutableList.of());
            }
            return Optional.empty();
        }
        if (!tlsa.isSecure() || tlsa.records().isEmpty()) {
            LOGGER.debug("Next hop {}: DANE: MX host {}: {} TLSA record: {} TLS", hop.name(), host, tlsa.isSecure() ? "no" : "insecure", fallback);
            return Optional.of(new HostTls(settings.fallbackPolicy(), Optional.empty()));
        }
        ImmutableList<TlsaAssociation> usable = tlsa.records().stream().filter(TlsaAssociation::isUsable).collect(ImmutableList.toImmutableList());
        if (usable.isEmpty()) {
            LOGGER.info("Next hop {}: DANE: MX host {}: secure TLSA records {}, none usable: TLS required, unauthenticated",
                hop.name(), host, tlsa.records());
            tlsOutcomes.daneFailure(domain.asString(), Optional.of(host.asString()), TlsResultType.TLSA_INVALID, tlsa.records());
            return Optional.of(new HostTls(DaneSettings.encryptedPolicy(), Optional.empty()));
        }
        LOGGER.debug("Next hop {}: DANE: MX host {}: TLS required, authenticated by TLSA {}", hop.name(), host, usable);
        return Optional.of(new HostTls(DaneSettings.authenticatedPolicy(), Optional.of(TlsaCheck.of(host.asString(), usable))));
    }

    private static DaneResolver create(DaneSettings settings) {
        try {
            return DaneResolver.create(settings);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
