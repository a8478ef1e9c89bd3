package org.relaypack.delivery.smtp;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import org.relaypack.tls.CertificateMatch;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.TlsaCheck;


import com.google.common.base.MoreObjects;

/** Where a session connects and under which rules; equal targets may share pooled sessions. */
public final class Target {
    private final String hostName;
    private final InetSocketAddress address;
    private final TlsPolicy tls;
    private final Optional<Credentials> credentials;
    private final String heloName;
    private final SessionDeadlines deadlines;
    private final Optional<TlsaCheck> tlsa;
    private final boolean nameConfigured;
    private final String nextHopName;
    private final String description;

    /**
     * @param hostName       the name we connect by (literal host or MX target), used for SNI and the
     *                       certificate check; a trailing dot of an absolute DNS name is dropped there
     * @param tlsa           DANE: the TLSA records that must authenticate the server's certificate
     * @param nameConfigured the host name was written in the configuration, or found by an MX lookup
     *                       that a policy validated (MTA-STS enforce): a verified certificate naming it
     *                       authenticates the peer
     * @param nextHopName    the next-hop domain (the domain whose MX named the host, else the host):
     *                       the name a certificate must carry under {@link CertificateMatch#NEXTHOP}
     */
    public Target(String hostName, InetSocketAddress address, TlsPolicy tls, Optional<Credentials> credentials,
                  String heloName, SessionDeadlines deadlines, Optional<TlsaCheck> tlsa, boolean nameConfigured,
                  String nextHopName) {
        this.tlsa = Objects.requireNonNull(tlsa);
        this.nameConfigured = nameConfigured;
        this.nextHopName = Objects.requireNonNull(nextHopName);
        this.hostName = Objects.requireNonNull(hostName);
        this.address = Objects.requireNonNull(address);
        this.tls = Objects.requireNonNull(tls);
        this.credentials = Objects.requireNonNull(credentials);
        this.heloName = Objects.requireNonNull(heloName);
        this.deadlines = Objects.requireNonNull(deadlines);
        this.description = hostName + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort();
    }

    public String hostName() {
        return hostName;
    }

    public InetSocketAddress address() {
        return address;
    }

    public TlsPolicy tls() {
        return tls;
    }

    public Optional<Credentials> credentials() {
        return credentials;
    }

    public String heloName() {
        return heloName;
    }

    public SessionDeadlines deadlines() {
        return deadlines;
    }

    /** DANE: the TLSA records that authenticate the server (TLS is then required by the policy). */
    public Optional<TlsaCheck> tlsa() {
        return tlsa;
    }

    public String nextHopName() {
        return nextHopName;
    }

    /**
     * True when a session to this target can authenticate its TLS peer, which REQUIRETLS (RFC 8689
     * section 4.2.1) asks: TLS with the certificate chain and name verified, against a name that was
     * configured. An MX host name comes from DNS that nothing validated (no DNSSEC, no MTA-STS), so a
     * certificate naming it proves nothing against an attacker who forged the MX answer, unless the
     * certificate must name the next-hop domain ({@link CertificateMatch#NEXTHOP}, Postfix
     * {@code secure}). The DANE and MTA-STS modes, which validate the MX name, make this true for
     * their hosts.
     */
    public boolean mayAuthenticatePeer() {
        if (tlsa.isPresent()) {
            return true; // DANE: usable TLSA records of a DNSSEC-validated MX host authenticate the peer
        }
        return tls.mode() != TlsMode.NONE && tls.verify()
            && (nameConfigured || tls.certificateMatch() == CertificateMatch.NEXTHOP);
    }

    /** "mx.example.com[192.0.2.1]:25", the way Postfix names a relay in its logs. */
    public String describe() {
        return description;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof Target) {
            Target that = (Target) o;
            return hostName.equals(that.hostName) && address.equals(that.address) && tls.equals(that.tls)
                && credentials.equals(that.credentials) && heloName.equals(that.heloName) && deadlines.equals(that.deadlines)
                && tlsa.equals(that.tlsa) && nameConfigured == that.nameConfigured && nextHopName.equals(that.nextHopName);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, address, tls, credentials, heloName, deadlines, tlsa, nameConfigured, nextHopName);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).addValue(description).add("tls", tls).add("tlsa", tlsa.orElse(null)).omitNullValues().toString();
    }
}
