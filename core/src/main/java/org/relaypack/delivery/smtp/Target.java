package org.relaypack.delivery.smtp;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
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
    private final String description;

    /**
     * @param hostName the name we connect by (literal host or MX target), used for SNI and the
     *                 certificate check; a trailing dot of an absolute DNS name is dropped there
     */
    public Target(String hostName, InetSocketAddress address, TlsPolicy tls, Optional<Credentials> credentials,
                  String heloName, SessionDeadlines deadlines) {
        this(hostName, address, tls, credentials, heloName, deadlines, Optional.empty());
    }

    /** @param tlsa DANE: the TLSA records that must authenticate the server's certificate, instead of any PKIX check */
    public Target(String hostName, InetSocketAddress address, TlsPolicy tls, Optional<Credentials> credentials,
                  String heloName, SessionDeadlines deadlines, Optional<TlsaCheck> tlsa) {
        this.tlsa = Objects.requireNonNull(tlsa);
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
                && tlsa.equals(that.tlsa);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, address, tls, credentials, heloName, deadlines, tlsa);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).addValue(description).add("tls", tls).add("tlsa", tlsa.orElse(null)).omitNullValues().toString();
    }
}
