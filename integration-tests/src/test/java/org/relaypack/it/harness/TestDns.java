package org.relaypack.it.harness;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import org.apache.james.dnsservice.api.InMemoryDNSService;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;

/**
 * James's {@link InMemoryDNSService}, plus what every real resolver does and it does not: an IP
 * literal resolves to itself. James parses {@code authorizedAddresses} networks through the DNS
 * service, so without this "10.0.0.0/8" fails to parse in tests.
 */
public class TestDns extends InMemoryDNSService {
    @Override
    public List<InetAddress> getAllByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host)) {
            return ImmutableList.of(InetAddresses.forString(host));
        }
        return super.getAllByName(host);
    }

    @Override
    public InetAddress getByName(String host) throws UnknownHostException {
        if (InetAddresses.isInetAddress(host)) {
            return InetAddresses.forString(host);
        }
        return super.getByName(host);
    }

    @Override
    public String getHostName(InetAddress addr) {
        try {
            return super.getHostName(addr);
        } catch (RuntimeException e) {
            return addr.getHostAddress();
        }
    }
}
