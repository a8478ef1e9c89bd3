package org.relaypack.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * Turns a next hop into the ordered list of addresses to try, through James's DNSService only
 * (never the JVM resolver), with Postfix's DNS semantics. {@code [host]:port} is resolved as given;
 * {@code host} and a recipient domain through their MX records in the order DNSService returns them
 * (preference order; DNSService itself falls back to the name's address records when it has no MX,
 * RFC 5321 5.1). Names are taken as dnsjava gives them (absolute, {@code mx1.example.net.}) and
 * become {@link HostName}s here.
 *
 * <p>For a recipient domain (a {@code type="mx"} hop) an answer that will not change is final:
 * no MX and no address (NXDOMAIN) is {@code 5.4.4}, a null MX (RFC 7505) {@code 5.1.10}, a best MX
 * that is this relay {@code 5.4.6}. For a configured host the same answers are a configuration
 * problem and only defer the mail ({@code 4.3.5}), as Postfix does for its relayhost. SERVFAIL and
 * timeouts always defer ({@code 4.4.3}). DNSService does not tell a failed address lookup from a
 * missing address, so an MX host without an address defers too.
 */
final class HostResolver {
    private static final Logger LOGGER = LoggerFactory.getLogger(HostResolver.class);
    private static final String NULL_MX_TARGET = ".";

    /** The addresses found, in order, and the last resolution problem (reported when nothing answers). */
    static final class Resolution {
        private final ImmutableList<ResolvedHost> hosts;
        private final Optional<SmtpReply> problem;

        static Resolution of(ImmutableList<ResolvedHost> hosts, Optional<SmtpReply> problem) {
            return new Resolution(hosts, problem);
        }

        private Resolution(ImmutableList<ResolvedHost> hosts, Optional<SmtpReply> problem) {
            this.hosts = hosts;
            this.problem = problem;
        }

        static Resolution failed(SmtpReply problem) {
            return new Resolution(ImmutableList.of(), Optional.of(problem));
        }

        ImmutableList<ResolvedHost> hosts() {
            return hosts;
        }

        Optional<SmtpReply> problem() {
            return problem;
        }

        /** Present when DNS gave a final answer: nothing to try, now or later (the recipients bounce). */
        Optional<SmtpReply> permanentFailure() {
            return hosts.isEmpty() ? problem.filter(SmtpReply::isPermanent) : Optional.empty();
        }
    }

    private final DNSService dns;

    HostResolver(DNSService dns) {
        this.dns = dns;
    }

    /** The hosts of a next hop that lists them; never a permanent failure (a configured name is not the recipient's fault). */
    Resolution resolve(NextHop hop) {
        ImmutableList.Builder<ResolvedHost> hosts = ImmutableList.builder();
        List<SmtpReply> problems = new ArrayList<>();
        for (HostSpec spec : hop.hosts()) {
            if (spec.mxLookup()) {
                Resolution resolution = lookUpMx(spec.hostName(), spec.port(), hop.loopDetection(), Optional.of(hop.name()));
                resolution.hosts().forEach(host -> hosts.add(host.withNextHop(spec.hostName())));
                resolution.problem().ifPresent(problems::add);
            } else if (spec.addressLiteral().isPresent()) {
                hosts.add(new ResolvedHost(spec.hostName(), new InetSocketAddress(spec.addressLiteral().get(), spec.port())));
            } else {
                hosts.addAll(resolveAddresses(spec.hostName(), spec.port(), problems));
            }
        }
        return new Resolution(hosts.build(), last(problems));
    }

    /** The MX hosts of a recipient domain, on the given port: DNS answers that will not change are permanent failures. */
    Resolution resolveMx(NextHop hop, String domain, int port) {
        HostName name;
        try {
            name = HostName.of(domain);
        } catch (IllegalArgumentException e) {
            return Resolution.failed(SmtpReply.of(550, "5.1.2 bad recipient domain '" + domain + "'"));
        }
        Resolution resolution = lookUpMx(name, port, hop.loopDetection(), Optional.empty());
        return new Resolution(resolution.hosts().stream().map(host -> host.withNextHop(name)).collect(ImmutableList.toImmutableList()),
            resolution.problem());
    }

    /** @param configuredBy the hop that names the host, empty for a recipient domain */
    private Resolution lookUpMx(HostName name, int port, LoopDetection loops, Optional<String> configuredBy) {
        Collection<String> exchangers;
        try {
            exchangers = dns.findMXRecords(queryName(name));
        } catch (TemporaryResolutionException e) {
            LOGGER.warn("MX lookup of {} failed temporarily (SERVFAIL or timeout)", name, e);
            return Resolution.failed(HostFailure.localReply("4.4.3", "MX lookup of " + name + " failed temporarily: " + e.getMessage()));
        } catch (RuntimeException e) {
            LOGGER.warn("MX lookup of {} failed", name, e);
            return Resolution.failed(HostFailure.localReply("4.4.3", "MX lookup of " + name + " failed: " + e));
        }
        if (exchangers.isEmpty()) {
            // DNSService answers NXDOMAIN, and a name without MX nor address record, with nothing.
            return finalAnswer(name, configuredBy, "5.4.4", "Host or domain name not found: " + name + " has no MX and no address record");
        }
        List<HostName> names = new ArrayList<>();
        List<SmtpReply> problems = new ArrayList<>();
        for (String exchanger : exchangers) {
            if (NULL_MX_TARGET.equals(exchanger.trim())) {
                continue;
            }
            try {
                names.add(HostName.of(exchanger));
            } catch (IllegalArgumentException e) {
                LOGGER.warn("MX of {} names no host: '{}'", name, exchanger);
                problems.add(HostFailure.localReply("4.4.3", "MX of " + name + " names no host: '" + exchanger + "'"));
            }
        }
        if (names.isEmpty() && problems.isEmpty()) {
            return finalAnswer(name, configuredBy, "5.1.10", "Domain " + name + " does not accept mail (null MX, RFC 7505)");
        }
        ImmutableList.Builder<ResolvedHost> hosts = ImmutableList.builder();
        boolean found = false;
        for (int preference = 0; preference < names.size(); preference++) {
            ImmutableList<ResolvedHost> addresses = resolveAddresses(names.get(preference), port, problems);
            Optional<ResolvedHost> self = addresses.stream().filter(host -> loops.isSelf(host.address().getAddress())).findFirst();
            if (self.isPresent()) {
                // Postfix: this relay and every less preferred MX are dropped.
                LOGGER.debug("MX {} of {} is this relay ({}): not trying it nor the MX hosts after it", names.get(preference), name, self.get());
                if (found) {
                    break;
                }
                if (preference == 0) {
                    return finalAnswer(name, configuredBy, "5.4.6", "mail for " + name + " loops back to myself (MX "
                        + names.get(preference) + " is " + self.get().address().getAddress().getHostAddress() + ")");
                }
                return Resolution.failed(HostFailure.localReply("4.4.4", "unable to find primary relay for " + name));
            }
            found |= !addresses.isEmpty();
            hosts.addAll(addresses);
        }
        return new Resolution(hosts.build(), last(problems));
    }

    private Resolution finalAnswer(HostName name, Optional<String> configuredBy, String enhancedCode, String text) {
        if (configuredBy.isPresent()) {
            LOGGER.warn("Next hop {}: configuration problem: {} (deferred, not bounced)", configuredBy.get(), text);
            return Resolution.failed(HostFailure.localReply("4.3.5", "configuration problem of next hop " + configuredBy.get() + ": " + text));
        }
        LOGGER.info("Recipient domain {}: {} ({})", name, text, enhancedCode);
        return Resolution.failed(SmtpReply.of(550, enhancedCode + " " + text));
    }

    private ImmutableList<ResolvedHost> resolveAddresses(HostName name, int port, List<SmtpReply> problems) {
        try {
            Collection<InetAddress> addresses = dns.getAllByName(queryName(name));
            if (addresses.isEmpty()) {
                problems.add(HostFailure.localReply("4.4.3", "host " + name + " has no address"));
            }
            return addresses.stream()
                .map(address -> new ResolvedHost(name, new InetSocketAddress(address, port)))
                .collect(ImmutableList.toImmutableList());
        } catch (UnknownHostException | RuntimeException e) {
            LOGGER.warn("Address lookup of {} failed", name, e);
            problems.add(HostFailure.localReply("4.4.3", "host " + name + " not found: " + e));
            return ImmutableList.of();
        }
    }

    /**
     * A name with a dot is asked as an absolute name, so that dnsjava never appends the search
     * domains of resolv.conf to it (a wildcard there would catch every mistyped domain); a
     * single-label configured name keeps them.
     */
    private static String queryName(HostName name) {
        String text = name.asString();
        return name.isAddress() || text.indexOf('.') < 0 ? text : text + ".";
    }

    private static Optional<SmtpReply> last(List<SmtpReply> problems) {
        return problems.isEmpty() ? Optional.empty() : Optional.of(problems.get(problems.size() - 1));
    }
}
