package org.relaypack.delivery;

import static org.relaypack.testing.Addresses.address;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.testing.Addresses;
import org.relaypack.tls.TlsRequirement;

/** Mails and next hops for the transport tests. */
final class TestMails {
    static final String SENDER = "sender@relaypack.test";
    /** A body with a line that needs dot-stuffing and a bare LF line end. */
    static final String BODY = "Hello,\r\n.leading dot survives\r\n..two dots survive\nbare LF line\r\nbye\r\n";

    private TestMails() {
    }

    static MimeMessage message(String subject) throws MessagingException {
        String raw = "From: " + SENDER + "\r\nTo: someone@relaypack.test\r\nSubject: " + subject
            + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "@relaypack.test>\r\n\r\n" + BODY;
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
    }

    static Mail mail(String name, String... recipients) throws MessagingException {
        return FakeMail.builder()
            .name(name)
            .sender(SENDER)
            .recipients(Arrays.stream(recipients).map(Addresses::address).toArray(MailAddress[]::new))
            .mimeMessage(message(name))
            .build();
    }

    /** A mail whose header asks that the recipient domain's TLS policies be ignored (RFC 8689 section 4.2.2). */
    static Mail tlsRequiredNoMail(String name, String... recipients) throws MessagingException {
        Mail mail = mail(name, recipients);
        mail.getMessage().setHeader(TlsRequirement.TLS_REQUIRED_HEADER, "No");
        mail.getMessage().saveChanges();
        return mail;
    }

    /** A hop to [localhost]:port for each port, short timeouts, EHLO name fixed. */
    static NextHopBuilder hop(String name, int... ports) {
        NextHopBuilder builder = NextHop.builder(name)
            .deadlines(SessionDeadlines.builder().connect(Duration.ofSeconds(5)).replies(Duration.ofSeconds(10)).build())
            .heloName("relay.relaypack.test");
        Arrays.stream(ports).forEach(port -> builder.host(HostSpec.literal("localhost", port)));
        return builder;
    }
}
