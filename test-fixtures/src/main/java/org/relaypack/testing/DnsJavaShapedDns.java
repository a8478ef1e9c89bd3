package org.relaypack.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;

/**
 * A DNS double that answers exactly as James's dnsjava-based {@code DNSJavaService} (3.8.1) does,
 * not as {@link InMemoryDNSService}: MX targets are absolute names with the trailing dot
 * ({@code mx1.example.test.}), in the order of the records (preference order); a name without MX
 * falls back to its address records and answers with the name as asked; NXDOMAIN (and a name with
 * neither MX nor address) answers an empty list; a null MX ({@code MX 0 .}) answers {@code "."};
 * SERVFAIL or a timeout of the MX lookup throws {@link TemporaryResolutionException}, while an
 * address lookup that fails for any reason throws {@link UnknownHostException}. Names compare
 * without case and with or without the trailing dot, as DNS does. IP literals resolve to
 * themselves (also with a trailing dot, as {@code allowIPLiteral} does).
 *
 * <p>DnsJavaServiceContractTest (integration tests) checks it answer for answer against James's
 * DNSJavaService and a real DNS server. James parses {@code authorizedAddresses} networks through
 * the DNS service: IP literals resolving to themselves is what makes "10.0.0.0/8" parse in tests.
 *
 * <p>Filled through {@link InMemoryDNSService}'s {@code registerRecord} (the MX list in preference
 * order) or through {@link #mx}, {@link #address}, {@link #nullMx} and {@link #servfail}.
 */
public class DnsJavaShapedDns extends InMemoryDNSService {
    private static final class Node {
        private final List<String> exchangers = new ArrayList<>();
        private final List<InetAddress> addresses = new ArrayList<>();
    }

    private final Map<String, Node> zone = new ConcurrentHashMap<>();
    private final Set<String> servfail = ConcurrentHashMap.newKeySet();

    private static String key(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        return key.endsWith(".") ? key.substring(0, key.length() - 1) : key;
    }

    private Node node(String name) {
        return zone.computeIfAbsent(key(name), any -> new Node());
    }

    /** MX records of {@code domain}, most preferred first. */
    public DnsJavaShapedDns mx(String domain, String... exchangers) {
        for (String exchanger : exchangers) {
            node(domain).exchangers.add(exchanger);
        }
        return this;
    }

    /** A records of {@code host}. */
    public DnsJavaShapedDns address(String host, InetAddress... addresses) {
        node(host).addresses.addAll(List.of(addresses));
        return this;
    }

    /** {@code domain. MX 0 .} (RFC 7505). */
    public DnsJavaShapedDns nullMx(String domain) {
        node(domain).exchangers.add(".");
        return this;
    }

    /** Every lookup of {@code name} fails with SERVFAIL. */
    public DnsJavaShapedDns servfail(String name) {
        servfail.add(key(name));
        return this;
    }

    @Override
    public InMemoryDNSService registerRecord(String hostname, List<InetAddress> addresses, Collection<String> mxRecords, Collection<String> txtRecords) {
        Node node = new Node();
        node.addresses.addAll(addresses);
        node.exchangers.addAll(mxRecords);
        zone.put(key(hostname), node);
        return this;
    }

    @Override
    public void dropRecord(String hostname) {
        zone.remove(key(hostname));
    }

    @Override
    public Collection<String> findMXRecords(String hostname) throws TemporaryResolutionException {
        if (servfail.contains(key(hostname))) {
            throw new TemporaryResolutionException("DNSService is temporary not reachable");
        }
        Node node = zone.get(key(hostname));
        if (node != null && !node.exchangers.isEmpty()) {
            return node.exchangers.stream()
                .map(exchanger -> exchanger.endsWith(".") ? exchanger : exchanger + ".")
                .collect(ImmutableList.toImmutableList());
        }
        try {
            getByName(hostname);
            return ImmutableList.of(hostname);
        } catch (UnknownHostException e) {
            return ImmutableList.of();
        }
    }

    @Override
    public List<InetAddress> getAllByName(String host) throws UnknownHostException {
        String name = host.endsWith(".") && InetAddresses.isInetAddress(host.substring(0, host.length() - 1))
            ? host.substring(0, host.length() - 1) : host;
        if (InetAddresses.isInetAddress(name)) {
            return ImmutableList.of(InetAddresses.forString(name));
        }
        Node node = zone.get(key(name));
        if (servfail.contains(key(name)) || node == null || node.addresses.isEmpty()) {
            throw new UnknownHostException(name);
        }
        ImmutableList.Builder<InetAddress> addresses = ImmutableList.builder();
        for (InetAddress address : node.addresses) {
            addresses.add(InetAddress.getByAddress(name, address.getAddress()));
        }
        return addresses.build();
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        return getAllByName(host).get(0);
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return ImmutableList.of();
    }

    @Override
    public String getHostName(InetAddress address) {
        return zone.entrySet().stream()
            .filter(entry -> entry.getValue().addresses.contains(address))
            .map(entry -> entry.getKey() + ".")
            .findFirst()
            .orElse(address.getHostAddress());
    }
}
