package org.relaypack.smtphooks;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * For an MX listener (port 25): AUTH gets {@code 502 5.5.1 Authentication is not available on this
 * service}, encrypted or not. James's {@code <auth><announce>never</announce>} only hides AUTH from
 * EHLO; its AUTH handler still checks credentials, and a successful AUTH allows relaying. Submission
 * belongs on 465 and 587.
 */
public class RefuseAuth extends AuthRefusal {
    public static final String NAME = "RefuseAuth";

    static final Response NOT_AVAILABLE =
        new SMTPResponse("502", "5.5.1 Authentication is not available on this service").immutable();

    public RefuseAuth() {
        super(NAME, NOT_AVAILABLE, "AUTH");
    }

    @Override
    boolean refuses(SMTPSession session) {
        return true;
    }
}
