package org.relaypack.tls;

import java.util.Arrays;
import java.util.Optional;

/**
 * The TLS protocol versions a JSSE {@code SSLSession.getProtocol()} reports, in the order of their
 * strength. Shared by the submission hooks (minimum protocol of a listener), the
 * {@code TlsProtocolAtLeast} matcher and the delivery engine (minimum protocol of a next hop).
 */
public enum TlsProtocolVersion {
    SSL_V3("SSLv3"),
    TLS_V1("TLSv1"),
    TLS_V1_1("TLSv1.1"),
    TLS_V1_2("TLSv1.2"),
    TLS_V1_3("TLSv1.3");

    public static final TlsProtocolVersion DEFAULT_MINIMUM = TLS_V1_2;

    /** The version named exactly as JSSE names it ({@code TLSv1.2}), if it is one of ours. */
    public static Optional<TlsProtocolVersion> fromJsseName(String name) {
        return Arrays.stream(values())
            .filter(version -> version.jsseName.equals(name))
            .findFirst();
    }

    private final String jsseName;

    TlsProtocolVersion(String jsseName) {
        this.jsseName = jsseName;
    }

    public String jsseName() {
        return jsseName;
    }

    public boolean isAtLeast(TlsProtocolVersion minimum) {
        return compareTo(minimum) >= 0;
    }

    @Override
    public String toString() {
        return jsseName;
    }
}
