package org.relaypack.smtphooks;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * RFC 4954 section 4 / RFC 8314: AUTH on an unencrypted session gets
 * {@code 538 5.7.11 Encryption required for requested authentication mechanism}, on any listener.
 *
 * <p>James's {@code <auth><requireSSL>} only hides AUTH from the EHLO reply; its AUTH handler still
 * checks credentials sent in the clear. This handler answers AUTH before James's handler sees it,
 * so the credentials (inline or on the following line) are never decoded nor checked. Place it
 * first in the chain: before {@link RequireTls}, whose 530 would otherwise answer AUTH.
 */
public class NoCleartextAuth extends AuthRefusal {
    public static final String NAME = "NoCleartextAuth";

    static final Response ENCRYPTION_REQUIRED =
        new SMTPResponse("538", "5.7.11 Encryption required for requested authentication mechanism").immutable();

    public NoCleartextAuth() {
        super(NAME, ENCRYPTION_REQUIRED, "cleartext AUTH");
    }

    @Override
    boolean refuses(SMTPSession session) {
        return !session.isTLSStarted();
    }
}
