package org.relaypack.matchers;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.relaypack.tls.TlsFacts;

/**
 * Matches mail whose SMTP session was encrypted ({@code relaypack.tls.used} is true: implicit TLS
 * or after STARTTLS). Mail without the attribute (not received by a listener running
 * {@code TlsFactsMessageHook}, or generated internally) does not match.
 */
public class SubmittedOverTls extends TlsFactsMatcher {
    @Override
    public void init() throws MessagingException {
        requireNoCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return fact(mail, TlsFacts.TLS_USED, Boolean.class).orElse(false);
    }
}
