package org.relaypack.smtphooks;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSession;

import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.ReceivedDataLineFilter;

/**
 * James's Received header with what RFC 8314 section 4.3 asks of a server that received the mail
 * over TLS: the RFC 3848 protocol keywords {@code ESMTPS} / {@code ESMTPSA}, and the {@code tls}
 * additional registered clause naming the cipher suite (the IANA TLS Cipher Suite name), followed
 * by the TLS protocol version as a comment:
 *
 * <pre>
 * by mail.example.org (JAMES SMTP Server ) with ESMTPSA ID 7f0e...
 * for &lt;carol@remote.example&gt;
 * tls TLS_AES_256_GCM_SHA384 (TLSv1.3);
 * </pre>
 *
 * James's own filter only knows ESMTP and ESMTPA and writes no clause for TLS; it is part of the
 * core handlers, so this one replaces it through {@link TlsAwareCoreCmdHandlerLoader}.
 */
public class TlsReceivedDataLineFilter extends ReceivedDataLineFilter {
    private static final String ESMTP = "ESMTP";
    private static final String END_OF_CLAUSES = ";";

    @Override
    protected String getServiceType(SMTPSession session, String heloMode) {
        String serviceType = super.getServiceType(session, heloMode);
        if (session.isTLSStarted() && serviceType.startsWith(ESMTP)) {
            // RFC 3848: ESMTPS = ESMTP + STARTTLS/TLS, ESMTPSA = ESMTPS + AUTH
            return ESMTP + "S" + serviceType.substring(ESMTP.length());
        }
        return serviceType;
    }

    @Override
    protected Collection<Header> headers(SMTPSession session) {
        Collection<Header> headers = super.headers(session);
        Optional<SSLSession> ssl = session.isTLSStarted() ? session.getSSLSession() : Optional.empty();
        ssl.ifPresent(tls -> headers.forEach(header -> addTlsClause(header, tls.getProtocol(), tls.getCipherSuite())));
        return headers;
    }

    /**
     * Inserts the {@code tls} clause after the last clause of James's header (RFC 5321 section 4.4:
     * additional registered clauses come after {@code for}), on a line of its own before the ";".
     */
    static void addTlsClause(Header header, String protocol, String cipherSuite) {
        List<String> lines = header.values;
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i);
            if (line.endsWith(END_OF_CLAUSES)) {
                lines.set(i, line.substring(0, line.length() - END_OF_CLAUSES.length()));
                lines.add(i + 1, tlsClause(protocol, cipherSuite) + END_OF_CLAUSES);
                return;
            }
        }
    }

    static String tlsClause(String protocol, String cipherSuite) {
        return "tls " + cipherSuite + " (" + protocol + ")";
    }
}
