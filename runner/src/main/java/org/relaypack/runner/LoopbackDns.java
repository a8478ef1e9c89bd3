package org.relaypack.runner;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;

import org.apache.james.dnsservice.api.DNSService;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;

/**
 * The DNS of a local run whose sample delivers by MX ({@code dns=loopback} in standins.properties):
 * every domain's MX is {@code mx.DOMAIN.} (absolute, as dnsjava answers) and every name resolves to
 * 127.0.0.1, where the sample's stand-ins listen. Nothing a local run sends leaves the machine.
 */
public final class LoopbackDns implements DNSService {
    private static final InetAddress LOOPBACK = InetAddresses.forString("127.0.0.1");

    @Override
    public Collection<String> findMXRecords(String hostname) {
        String domain = hostname.endsWith(".") ? hostname.substring(0, hostname.length() - 1) : hostname;
        return ImmutableList.of("mx." + domain + ".");
    }

    @Override
    public Collection<String> findTXTRecords(String hostname) {
        return ImmutableList.of();
    }

    @Override
    public List<InetAddress> getAllByName(String host) throws UnknownHostException {
        return ImmutableList.of(getByName(host));
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host)) {
            return InetAddresses.forString(host);
        }
        return LOOPBACK;
    }

    @Override
    public InetAddress getLocalHost() {
        return LOOPBACK;
    }

    @Override
    public String getHostName(InetAddress addr) {
        return addr.isLoopbackAddress() ? "localhost" : addr.getHostAddress();
    }
}
