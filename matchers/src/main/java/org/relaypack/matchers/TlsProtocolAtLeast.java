package org.relaypack.matchers;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.relaypack.tls.TlsProtocolVersion;
import org.relaypack.tls.TlsFacts;

/**
 * Matches mail received over TLS whose protocol ({@code relaypack.tls.protocol}) is the given
 * version or a stronger one, e.g. {@code TlsProtocolAtLeast=TLSv1.2}. Mail received without TLS,
 * or with a protocol name this matcher does not know, does not match.
 */
public class TlsProtocolAtLeast extends TlsFactsMatcher {
    private TlsProtocolVersion minimum;

    @Override
    public void init() throws MessagingException {
        String condition = requiredCondition("TLSv1.2");
        minimum = TlsProtocolVersion.fromJsseName(condition)
            .orElseThrow(() -> invalidCondition(condition, "expected one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"));
    }

    @Override
    boolean matches(Mail mail) {
        return fact(mail, TlsFacts.PROTOCOL, String.class)
            .flatMap(TlsProtocolVersion::fromJsseName)
            .map(version -> version.isAtLeast(minimum))
            .orElse(false);
    }
}
