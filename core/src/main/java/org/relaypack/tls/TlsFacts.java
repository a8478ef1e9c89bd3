package org.relaypack.tls;

import org.apache.mailet.AttributeName;

/**
 * The mail attributes under which the SMTP hooks record how a message came in, and which the
 * submission matchers read. One namespace, {@value #NAMESPACE}, documented in docs/submission/TlsFacts.md.
 */
public final class TlsFacts {
    public static final String NAMESPACE = "relaypack.tls";

    /** Boolean: the SMTP session was encrypted (implicit TLS or after STARTTLS) when DATA ended. */
    public static final AttributeName TLS_USED = AttributeName.of(NAMESPACE + ".used");
    /** String: the negotiated TLS protocol, e.g. {@code TLSv1.3}. Absent without TLS. */
    public static final AttributeName PROTOCOL = AttributeName.of(NAMESPACE + ".protocol");
    /** String: the negotiated cipher suite, e.g. {@code TLS_AES_256_GCM_SHA384}. Absent without TLS. */
    public static final AttributeName CIPHER = AttributeName.of(NAMESPACE + ".cipher");
    /** String: the {@code jmxName} of the smtpserver.xml listener that took the message. */
    public static final AttributeName LISTENER = AttributeName.of(NAMESPACE + ".listener");
    /** Integer: the local TCP port the client connected to. */
    public static final AttributeName LOCAL_PORT = AttributeName.of(NAMESPACE + ".localPort");
    /** String: the user who authenticated with SMTP AUTH. Absent without AUTH. */
    public static final AttributeName AUTH_USER = AttributeName.of(NAMESPACE + ".authUser");

    private TlsFacts() {
    }
}
