package org.relaypack.tls.report;

import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;

/**
 * One failed session, as a {@code failure-details} entry of RFC 8460 counts it: the result type,
 * the MX host, its address and a short reason code. The sending MTA's address is the reporter's.
 */
public final class TlsFailure {
    public static TlsFailure of(TlsResultType type, Optional<String> mxHost, Optional<String> receivingIp, Optional<String> reasonCode) {
        return new TlsFailure(type, mxHost, receivingIp, reasonCode);
    }

    /** A failure of a session with this MX host at that address. */
    public static TlsFailure of(TlsResultType type, String mxHost, String receivingIp) {
        return new TlsFailure(type, Optional.of(mxHost), Optional.of(receivingIp), Optional.empty());
    }

    private final TlsResultType type;
    private final Optional<String> mxHost;
    private final Optional<String> receivingIp;
    private final Optional<String> reasonCode;

    private TlsFailure(TlsResultType type, Optional<String> mxHost, Optional<String> receivingIp, Optional<String> reasonCode) {
        this.type = Objects.requireNonNull(type);
        this.mxHost = Objects.requireNonNull(mxHost);
        this.receivingIp = Objects.requireNonNull(receivingIp);
        this.reasonCode = Objects.requireNonNull(reasonCode);
    }

    /** The same failure with a reason code ({@code failure-reason-code}): short and stable, so that counts add up. */
    public TlsFailure withReasonCode(String code) {
        return new TlsFailure(type, mxHost, receivingIp, Optional.of(code));
    }

    public TlsResultType type() {
        return type;
    }

    public Optional<String> mxHost() {
        return mxHost;
    }

    public Optional<String> receivingIp() {
        return receivingIp;
    }

    public Optional<String> reasonCode() {
        return reasonCode;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof TlsFailure) {
            TlsFailure that = (TlsFailure) o;
            return type == that.type && mxHost.equals(that.mxHost) && receivingIp.equals(that.receivingIp) && reasonCode.equals(that.reasonCode);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, mxHost, receivingIp, reasonCode);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).omitNullValues().add("type", type.value()).add("mxHost", mxHost.orElse(null))
            .add("receivingIp", receivingIp.orElse(null)).add("reasonCode", reasonCode.orElse(null)).toString();
    }
}
