package org.relaypack.matchers;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.relaypack.tls.TlsFacts;

/**
 * Matches mail whose client authenticated with SMTP AUTH ({@code relaypack.tls.authUser} present).
 * Combine with {@link SubmittedOverTls} when the credentials must also have travelled encrypted;
 * with {@code NoCleartextAuth} on the listener they always have.
 */
public class AuthenticatedSubmission extends TlsFactsMatcher {
    @Override
    public void init() throws MessagingException {
        requireNoCondition();
    }

    @Override
    boolean matches(Mail mail) {
        return fact(mail, TlsFacts.AUTH_USER, String.class).isPresent();
    }
}
