package org.relaypack.submission;

import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.ReceivedDataLineFilter;

/**
 * James's Received header with the RFC 3848 protocol keywords for TLS: {@code ESMTPS} and
 * {@code ESMTPSA} (RFC 8314 section 4.3). James's own filter only knows ESMTP and ESMTPA; it is
 * part of the core handlers, so this one replaces it through {@link TlsAwareCoreCmdHandlerLoader}.
 */
public class TlsReceivedDataLineFilter extends ReceivedDataLineFilter {
    private static final String ESMTP = "ESMTP";

    @Override
    protected String getServiceType(SMTPSession session, String heloMode) {
        String serviceType = super.getServiceType(session, heloMode);
        if (session.isTLSStarted() && serviceType.startsWith(ESMTP)) {
            // RFC 3848: ESMTPS = ESMTP + STARTTLS/TLS, ESMTPSA = ESMTPS + AUTH
            return ESMTP + "S" + serviceType.substring(ESMTP.length());
        }
        return serviceType;
    }
}
