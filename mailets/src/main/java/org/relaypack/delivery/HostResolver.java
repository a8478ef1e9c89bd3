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

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * Turns host specs into the ordered list of addresses to try, through James's DNSService only
 * (never the JVM resolver): {@code [host]:port} is resolved as given, {@code host} through its MX
 * records in the order DNSService returns them (preference order), falling back to the host's
 * own address records when it has no MX (RFC 5321 5.1).
 */
final class HostResolver {
    private static final Logger LOGGER = LoggerFactory.getLogger(HostResolver.class);

    /** One address to connect to, with the name it was found by (for SNI and certificate checks). */
    static final class ResolvedHost {
        private final String name;
        private final InetSocketAddress address;

        ResolvedHost(String name, InetSocketAddress address) {
            this.name = name;
            this.address = address;
        }

        String name() {
            return name;
        }

        InetSocketAddress address() {
            return address;
        }

        @Override
        public String toString() {
            return MoreObjects.toStringHelper(this).add("name", name).add("address", address).toString();
        }
    }

    /** The addresses found, in order, and the last resolution problem (reported when nothing answers). */
    static final class Resolution {
        private final ImmutableList<ResolvedHost> hosts;
        private final Optional<SmtpReply> problem;

        private Resolution(ImmutableList<ResolvedHost> hosts, Optional<SmtpReply> problem) {
            this.hosts = hosts;
            this.problem = problem;
        }

        ImmutableList<ResolvedHost> hosts() {
            return hosts;
        }

        Optional<SmtpReply> problem() {
            return problem;
        }
    }

    private final DNSService dns;

    HostResolver(DNSService dns) {
        this.dns = dns;
    }

    Resolution resolve(List<HostSpec> specs) {
        ImmutableList.Builder<ResolvedHost> hosts = ImmutableList.builder();
        List<SmtpReply> problems = new ArrayList<>();
        for (HostSpec spec : specs) {
            if (spec.mxLookup()) {
                resolveMx(spec.host(), spec.port(), hosts, problems);
            } else if (spec.addressLiteral().isPresent()) {
                hosts.add(new ResolvedHost(spec.host(), new InetSocketAddress(spec.addressLiteral().get(), spec.port())));
            } else {
                resolveAddresses(spec.host(), spec.port(), hosts, problems);
            }
        }
        return new Resolution(hosts.build(), problems.stream().reduce((first, second) -> second));
    }

    /** The MX hosts of a recipient domain, on the given port. */
    Resolution resolveMx(String domain, int port) {
        ImmutableList.Builder<ResolvedHost> hosts = ImmutableList.builder();
        List<SmtpReply> problems = new ArrayList<>();
        resolveMx(domain, port, hosts, problems);
        return new Resolution(hosts.build(), problems.stream().reduce((first, second) -> second));
    }

    private void resolveMx(String name, int port, ImmutableList.Builder<ResolvedHost> hosts, List<SmtpReply> problems) {
        Collection<String> exchangers;
        try {
            exchangers = dns.findMXRecords(name);
        } catch (TemporaryResolutionException e) {
            LOGGER.warn("MX lookup of {} failed temporarily", name, e);
            problems.add(HostFailure.localReply("4.4.3", "MX lookup of " + name + " failed temporarily: " + e.getMessage()));
            return;
        } catch (RuntimeException e) {
            LOGGER.warn("MX lookup of {} failed", name, e);
            problems.add(HostFailure.localReply("4.4.3", "MX lookup of " + name + " failed: " + e));
            return;
        }
        if (exchangers.isEmpty()) {
            resolveAddresses(name, port, hosts, problems);
            return;
        }
        exchangers.forEach(exchanger -> resolveAddresses(exchanger, port, hosts, problems));
    }

    private void resolveAddresses(String name, int port, ImmutableList.Builder<ResolvedHost> hosts, List<SmtpReply> problems) {
        try {
            Collection<InetAddress> addresses = dns.getAllByName(name);
            if (addresses.isEmpty()) {
                problems.add(HostFailure.localReply("4.4.3", "host " + name + " has no address"));
            }
            addresses.forEach(address -> hosts.add(new ResolvedHost(name, new InetSocketAddress(address, port))));
        } catch (UnknownHostException | RuntimeException e) {
            LOGGER.warn("Address lookup of {} failed", name, e);
            problems.add(HostFailure.localReply("4.4.3", "host " + name + " not found: " + e));
        }
    }
}
