package org.relaypack.tls.dane;

import java.util.List;
import java.util.Objects;

import javax.net.ssl.X509ExtendedTrustManager;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * How the certificate of one MX host is authenticated under DANE: by its usable TLSA records,
 * and for DANE-TA also by its name (the MX host name, RFC 7672 3.2.3). A value: sessions to the
 * same host with the same records may share a pool.
 */
public final class TlsaCheck {
    public static TlsaCheck of(String hostName, List<TlsaAssociation> usable) {
        return new TlsaCheck(hostName, ImmutableList.copyOf(usable));
    }

    private final String hostName;
    private final ImmutableList<TlsaAssociation> records;

    private TlsaCheck(String hostName, ImmutableList<TlsaAssociation> records) {
        Preconditions.checkArgument(!records.isEmpty(), "no usable TLSA record for %s", hostName);
        Preconditions.checkArgument(records.stream().allMatch(TlsaAssociation::isUsable), "unusable TLSA record for %s: %s", hostName, records);
        this.hostName = Objects.requireNonNull(hostName);
        this.records = records;
    }

    public String hostName() {
        return hostName;
    }

    public ImmutableList<TlsaAssociation> records() {
        return records;
    }

    /** A trust manager that accepts a server certificate chain only when these records authenticate it. */
    public X509ExtendedTrustManager trustManager() {
        return new DaneTrustManager(this);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof TlsaCheck) {
            TlsaCheck that = (TlsaCheck) o;
            return hostName.equals(that.hostName) && records.equals(that.records);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hostName, records);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("host", hostName).add("records", records).toString();
    }
}
