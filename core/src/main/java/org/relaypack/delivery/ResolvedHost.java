package org.relaypack.delivery;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.TlsaCheck;

import com.google.common.base.MoreObjects;

/** One address to connect to, with the name it was found by (for SNI and certificate checks). */
final class ResolvedHost {
    private final HostName name;
    private final InetSocketAddress address;
    private final Optional<TlsPolicy> tls;
    private final Optional<TlsaCheck> tlsa;
    private final HostName nextHop;

    ResolvedHost(HostName name, InetSocketAddress address) {
        this(name, address, Optional.empty(), Optional.empty());
    }

    /** A host with a TLS policy of its own (DANE decides per MX host), and the TLSA records that authenticate it. */
    ResolvedHost(HostName name, InetSocketAddress address, Optional<TlsPolicy> tls, Optional<TlsaCheck> tlsa) {
        this(name, address, tls, tlsa, name);
    }

    private ResolvedHost(HostName name, InetSocketAddress address, Optional<TlsPolicy> tls, Optional<TlsaCheck> tlsa,
                         HostName nextHop) {
        this.name = Objects.requireNonNull(name);
        this.address = Objects.requireNonNull(address);
        this.tls = Objects.requireNonNull(tls);
        this.tlsa = Objects.requireNonNull(tlsa);
        this.nextHop = Objects.requireNonNull(nextHop);
    }

    /** The same host, found for the given next-hop domain (whose MX it is). */
    ResolvedHost withNextHop(HostName nextHop) {
        return new ResolvedHost(name, address, tls, tlsa, nextHop);
    }

    /** The same host without its TLSA records: a mail that sets the recipient domain's DANE policy aside. */
    ResolvedHost withoutTlsa() {
        return new ResolvedHost(name, address, tls, Optional.empty(), nextHop);
    }

    /** The next-hop domain: the domain whose MX records named this host, else the host itself (Postfix's $nexthop). */
    HostName nextHop() {
        return nextHop;
    }

    /** This host's own TLS policy; empty means the hop's. */
    Optional<TlsPolicy> tls() {
        return tls;
    }

    Optional<TlsaCheck> tlsa() {
        return tlsa;
    }

    String name() {
        return name.asString();
    }

    HostName hostName() {
        return name;
    }

    InetSocketAddress address() {
        return address;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).omitNullValues().add("name", name).add("address", address)
            .add("tls", tls.orElse(null)).add("tlsa", tlsa.orElse(null)).toString();
    }
}
