package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.server.core.MailImpl;
import org.apache.james.transport.mailets.DSNBounce;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.tls.TlsRequirement;

/**
 * The bounce copies of {@link FailureHandler} fed to James's stock DSNBounce, as an operator wires
 * it in the bounce processor: the DSN must name exactly the failed recipients and the reply.
 */
class DsnBounceCompatibilityTest {

    private static final MailAddress ALICE = address("alice@lan.example");
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");
    private static final SmtpReply UNKNOWN_USER = SmtpReply.of(550, "5.1.1 <carol@remote.example>: User unknown");

    private final List<Mail> bounces = new ArrayList<>();
    private MailetContext engineContext;
    private FakeMailContext dsnContext;
    private DSNBounce dsnBounce;

    @BeforeEach
    void setUp() throws Exception {
        FakeMailContext delegate = FakeMailContext.defaultContext();
        engineContext = (MailetContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MailetContext.class},
            (proxy, method, args) -> {
                if (method.getName().equals("sendMail") && args.length == 2 && args[0] instanceof Mail) {
                    // As James's spool does: it keeps its own copy of what it is given.
                    bounces.add(MailImpl.duplicate((Mail) args[0]));
                }
                return method.invoke(delegate, args);
            });
        dsnContext = FakeMailContext.builder().postmaster(address("postmaster@relay.example")).build();
        dsnBounce = new DSNBounce(new InMemoryDNSService());
        dsnBounce.init(FakeMailetConfig.builder().mailetName("DSNBounce").mailetContext(dsnContext).build());
    }

    private Mail mail() throws Exception {
        return FakeMail.builder()
            .name("mail1")
            .sender(ALICE)
            .recipients(BOB, CAROL)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("quarterly report").setText("body"))
            .build();
    }

    private static String text(FakeMailContext.SentMail sent) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sent.getMsg().writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dsnShouldNameTheFailedRecipientAndTheRemoteReply() throws Exception {
        Mail mail = mail();
        mail.setDsnParameters(DsnParameters.builder().envId(DsnParameters.EnvId.of("envelope-42")).build().orElseThrow());
        new FailureHandler(engineContext, Clock.systemUTC()).handle(mail, List.of(RecipientOutcome.permanentFailure(CAROL, UNKNOWN_USER)),
            Optional.of("upstream"), 1, Optional.empty());

        assertThat(bounces).hasSize(1);
        dsnBounce.service(bounces.get(0));

        assertThat(dsnContext.getSentMails()).hasSize(1);
        FakeMailContext.SentMail dsn = dsnContext.getSentMails().get(0);
        assertThat(dsn.getRecipients()).containsExactly(ALICE);
        assertThat(dsn.getSender()).isNull();
        assertThat(text(dsn))
            .contains("Final-Recipient: rfc822; carol@remote.example")
            .contains("Action: failed")
            .contains("Diagnostic-Code: smtp; 550 5.1.1 <carol@remote.example>: User unknown")
            .contains("Original-Envelope-Id: envelope-42")
            .doesNotContain("Final-Recipient: rfc822; bob@remote.example");
    }

    /** A mail to CAROL with this body and RET=FULL, failed and handed to DSNBounce: the DSN's text. */
    private String dsnUnderRetFull(String body, boolean requireTls) throws Exception {
        Mail mail = FakeMail.builder().name("mail1").sender(ALICE).recipients(CAROL)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("quarterly report").setText(body))
            .build();
        mail.setDsnParameters(DsnParameters.builder().envId(DsnParameters.EnvId.of("envelope-42")).ret(DsnParameters.Ret.FULL)
            .build().orElseThrow());
        if (requireTls) {
            TlsRequirement.markRequireTls(mail);
        }
        new FailureHandler(engineContext, Clock.systemUTC()).handle(mail, List.of(RecipientOutcome.permanentFailure(CAROL, UNKNOWN_USER)),
            Optional.of("upstream"), 1, Optional.empty());
        dsnBounce.service(bounces.get(0));
        return text(dsnContext.getSentMails().get(0));
    }

    /** RFC 8689 section 5: a REQUIRETLS mail is returned as if RET=HDRS, whatever RET the sender gave. */
    @Test
    void dsnOfARequireTlsMailShouldCarryTheHeaderSectionOnlyEvenUnderRetFull() throws Exception {
        assertThat(dsnUnderRetFull("the confidential figures", true))
            .contains("Final-Recipient: rfc822; carol@remote.example")
            .contains("Original-Envelope-Id: envelope-42")
            .contains("text/rfc822-headers")
            .contains("Subject: quarterly report")
            .doesNotContain("the confidential figures");
    }

    @Test
    void dsnOfAMailWithoutRequireTlsShouldKeepTheWholeMessageUnderRetFull() throws Exception {
        assertThat(dsnUnderRetFull("the public figures", false)).contains("the public figures");
    }

    /** Why FailureHandler filters on NOTIFY: DSNBounce 3.8.1 bounces whatever the recipient asked. */
    @Test
    void dsnBounceAloneShouldIgnoreNotifyNever() throws Exception {
        Mail mail = mail();
        mail.setRecipients(List.of(CAROL));
        mail.setLastUpdated(new Date());
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(CAROL, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
            .build().orElseThrow());

        dsnBounce.service(mail);

        assertThat(dsnContext.getSentMails()).hasSize(1);
    }

    @Test
    void failureHandlerShouldNotHandNotifyNeverRecipientsToDsnBounce() throws Exception {
        Mail mail = mail();
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(CAROL, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
            .build().orElseThrow());

        new FailureHandler(engineContext, Clock.systemUTC()).handle(mail, List.of(RecipientOutcome.permanentFailure(CAROL, UNKNOWN_USER)),
            Optional.of("upstream"), 1, Optional.empty());

        assertThat(bounces).isEmpty();
    }

    @Test
    void dsnOfARewrittenRecipientShouldNameTheAddressTheSenderGaveNotTheInternalOne() throws Exception {
        MailAddress carolMailbox = address("carol@mbox2.internal.example");
        Mail mail = mail();
        mail.setRecipients(List.of(CAROL));
        mail.setDsnParameters(DsnParameters.builder()
            .addRcptParameter(CAROL, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.FAILURE)))
            .build().orElseThrow());
        Mail hopCopy = MailCopies.copy(mail, "mail1-server2", List.of(carolMailbox));
        RewrittenRecipients.applyTo(hopCopy, java.util.Map.of(CAROL, carolMailbox), List.of(CAROL));

        new FailureHandler(engineContext, Clock.systemUTC()).handle(hopCopy,
            List.of(RecipientOutcome.permanentFailure(carolMailbox, SmtpReply.of(550, "5.1.1 mailbox unavailable"))),
            Optional.of("server2"), 1, Optional.empty());
        dsnBounce.service(bounces.get(0));

        assertThat(text(dsnContext.getSentMails().get(0)))
            .contains("Final-Recipient: rfc822; carol@remote.example")
            .contains("Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable")
            .doesNotContain("mbox2.internal.example");
    }
}
