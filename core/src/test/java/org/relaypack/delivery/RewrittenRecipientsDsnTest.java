package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.DsnParameters.Notify;
import org.apache.mailet.DsnParameters.RecipientDsnParameters;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.relaypack.testing.ScriptedSmtpPeer;

import com.google.common.collect.ImmutableList;

/**
 * A recipient a route rewrote (mailRoutingAddress, an RRT mapping), delivered by the engine over a
 * real socket to a next hop that offers DSN: the hop gets the rewritten address with the original's
 * NOTIFY and ORCPT; the sender's bounce names the original recipient and honours its NOTIFY.
 */
class RewrittenRecipientsDsnTest {
    private static final MailAddress CAROL = address("carol@example.com");
    private static final MailAddress CAROL_MAILBOX = address("carol@mbox2.example.net");
    private static final MailAddress CARLA = address("carla@example.com");
    private static final MailAddress DAVE = address("dave@example.com");
    private static final String CAROL_RCPT = "RCPT TO:<carol@mbox2.example.net>";

    private ScriptedSmtpPeer peer;
    private SmtpTransport transport;
    private FakeMailContext mailetContext;
    private DeliveryEngine testee;

    private void start(ScriptedSmtpPeer.Builder peerBuilder, RetryPolicy retry) {
        peer = peerBuilder.start();
        InMemoryDNSService dns = new InMemoryDNSService()
            .registerRecord("localhost", ImmutableList.of(InetAddress.getLoopbackAddress()), ImmutableList.of(), ImmutableList.of());
        transport = new SmtpTransport(dns, Clock.systemUTC(), SmtpTransport.SMTP_PORT, false);
        mailetContext = FakeMailContext.defaultContext();
        testee = new DeliveryEngine(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), new RecordingMetricFactory(),
            transport, mailetContext, NextHopsConfiguration.of(TestMails.hop("server2", peer.port()).build().withScheduling(
                HopScheduling.of(retry, 1, Optional.empty(), HopScheduling.FirstAttempt.INLINE))));
        testee.start();
    }

    private void start(ScriptedSmtpPeer.Builder peerBuilder) {
        start(peerBuilder, RetryPolicy.of(ImmutableList.of(Duration.ofMillis(50)), 1));
    }

    @AfterEach
    void tearDown() throws Exception {
        testee.stop();
        transport.close();
        peer.close();
    }

    private static ScriptedSmtpPeer.Builder dsnPeer() {
        return ScriptedSmtpPeer.builder().extensions("SIZE 10000000", "DSN");
    }

    private static Mail mail(DsnParameters.Builder dsn, MailAddress... recipients) throws Exception {
        Mail mail = TestMails.mail("mail1");
        mail.setRecipients(ImmutableList.copyOf(recipients));
        dsn.build().ifPresent(mail::setDsnParameters);
        return mail;
    }

    private void deliver(Mail mail, List<MailAddress> recipients, List<MailAddress> originals, Map<MailAddress, MailAddress> rewrites)
        throws Exception {
        testee.deliverShares(mail, List.of(new HopShare(testee.configuration().hop("server2").orElseThrow(),
            recipients, originals, rewrites)), FailurePolicy.defaults());
    }

    private void deliverCarolRewritten(Mail mail) throws Exception {
        deliver(mail, List.of(CAROL_MAILBOX), List.of(CAROL), Map.of(CAROL, CAROL_MAILBOX));
    }

    private static DsnParameters dsnOf(FakeMailContext.SentMail sent) {
        return DsnParameters.fromAttributeValue(DsnParameters.DsnAttributeValues.extract(sent.getAttributes())).orElseThrow();
    }

    @Test
    void theHopShouldGetTheRewrittenAddressWithTheOriginalsNotifyAndTheOriginalAsOrcpt() throws Exception {
        start(dsnPeer());

        deliverCarolRewritten(mail(DsnParameters.builder().ret(DsnParameters.Ret.HDRS)
            .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE, Notify.DELAY))), CAROL));

        assertThat(peer.commands()).contains(CAROL_RCPT + " NOTIFY=FAILURE,DELAY ORCPT=rfc822;carol@example.com");
        assertThat(peer.commands()).anySatisfy(command -> assertThat(command).startsWith("MAIL FROM:").endsWith(" RET=HDRS"));
        assertThat(peer.commands()).noneSatisfy(command -> assertThat(command).contains("RCPT TO:<carol@example.com>"));
        assertThat(mailetContext.getSentMails()).isEmpty();
    }

    @Test
    void theHopShouldGetTheOrcptTheSenderGave() throws Exception {
        start(dsnPeer());

        deliverCarolRewritten(mail(DsnParameters.builder()
            .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE), address("c.smith+old@legacy.example.org"))), CAROL));

        assertThat(peer.commands()).contains(CAROL_RCPT + " NOTIFY=FAILURE ORCPT=rfc822;c.smith+2Bold@legacy.example.org");
    }

    @Test
    void theHopShouldGetTheOriginalAsOrcptWhenTheSenderGaveNoDsnParameters() throws Exception {
        start(dsnPeer());

        deliverCarolRewritten(mail(DsnParameters.builder(), CAROL));

        assertThat(peer.commands()).contains(CAROL_RCPT + " ORCPT=rfc822;carol@example.com");
    }

    @Test
    void aHopWithoutDsnShouldGetNoDsnParameters() throws Exception {
        start(ScriptedSmtpPeer.builder().extensions("SIZE 10000000"));

        deliverCarolRewritten(mail(DsnParameters.builder()
            .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE))), CAROL));

        assertThat(peer.commands()).contains(CAROL_RCPT);
    }

    @Test
    void theBounceShouldNameTheOriginalRecipientWithItsOwnDsnParameters() throws Exception {
        start(dsnPeer().reply(CAROL_RCPT, "550 5.1.1 no such mailbox"));

        deliverCarolRewritten(mail(DsnParameters.builder().envId(DsnParameters.EnvId.of("env1"))
            .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE))), CAROL));

        assertThat(mailetContext.getSentMails()).singleElement().satisfies(bounce -> {
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(bounce.getRecipients()).containsExactly(CAROL);
            assertThat(bounce.getAttributes()).doesNotContainKey(DeliveryAttributes.ORIGINAL_RECIPIENTS);
            assertThat(bounce.getAttributes().get(DeliveryAttributes.DELIVERY_ERROR).getValue().value())
                .isEqualTo("550 5.1.1 no such mailbox");
            assertThat(dsnOf(bounce).getRcptParameters())
                .containsExactly(Map.entry(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE))));
            assertThat(dsnOf(bounce).getEnvIdParameter()).contains(DsnParameters.EnvId.of("env1"));
        });
    }

    @Test
    void notifyNeverOfTheOriginalShouldSuppressTheBounce() throws Exception {
        start(dsnPeer().reply(CAROL_RCPT, "550 5.1.1 no such mailbox"));

        deliverCarolRewritten(mail(DsnParameters.builder()
            .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.NEVER))), CAROL));

        assertThat(peer.commands()).contains(CAROL_RCPT + " NOTIFY=NEVER ORCPT=rfc822;carol@example.com");
        assertThat(mailetContext.getSentMails()).isEmpty();
    }

    @Test
    void notifySuccessOnlyShouldSuppressTheFailureBounce() throws Exception {
        start(dsnPeer().reply(CAROL_RCPT, "550 5.1.1 no such mailbox"));

        deliverCarolRewritten(mail(DsnParameters.builder()
            .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.SUCCESS))), CAROL));

        assertThat(mailetContext.getSentMails()).isEmpty();
    }

    @Test
    void twoRecipientsRewrittenToOneAddressShouldEachBeBouncedUnderTheirOwnNotify() throws Exception {
        start(dsnPeer().reply(CAROL_RCPT, "550 5.1.1 no such mailbox"));

        deliver(mail(DsnParameters.builder()
                .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE)))
                .addRcptParameter(CARLA, RecipientDsnParameters.of(EnumSet.of(Notify.NEVER))), CAROL, CARLA),
            List.of(CAROL_MAILBOX), List.of(CAROL, CARLA), Map.of(CAROL, CAROL_MAILBOX, CARLA, CAROL_MAILBOX));

        assertThat(peer.commands()).contains(CAROL_RCPT + " NOTIFY=FAILURE ORCPT=rfc822;carol@example.com");
        assertThat(mailetContext.getSentMails()).singleElement()
            .satisfies(bounce -> assertThat(bounce.getRecipients()).containsExactly(CAROL));
    }

    @Test
    void aRecipientNotRewrittenShouldKeepItsOwnParametersBesideARewrittenOne() throws Exception {
        start(dsnPeer().reply("RCPT TO:<dave@", "550 5.1.1 no such mailbox"));

        deliver(mail(DsnParameters.builder()
                .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.DELAY)))
                .addRcptParameter(DAVE, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE), DAVE)), CAROL, DAVE),
            List.of(CAROL_MAILBOX, DAVE), List.of(CAROL, DAVE), Map.of(CAROL, CAROL_MAILBOX));

        assertThat(peer.commands()).contains(CAROL_RCPT + " NOTIFY=DELAY ORCPT=rfc822;carol@example.com",
            "RCPT TO:<dave@example.com> NOTIFY=FAILURE ORCPT=rfc822;dave@example.com");
        assertThat(mailetContext.getSentMails()).singleElement()
            .satisfies(bounce -> assertThat(bounce.getRecipients()).containsExactly(DAVE));
    }

    @Test
    void aBounceAfterQueuedRetriesShouldStillNameTheOriginalRecipient() throws Exception {
        start(dsnPeer().reply(CAROL_RCPT, "451 4.2.0 mailbox busy"), RetryPolicy.of(ImmutableList.of(Duration.ofMillis(50)), 2));

        deliverCarolRewritten(mail(DsnParameters.builder()
            .addRcptParameter(CAROL, RecipientDsnParameters.of(EnumSet.of(Notify.FAILURE))), CAROL));

        await().atMost(Duration.ofSeconds(20)).until(() -> !mailetContext.getSentMails().isEmpty());
        assertThat(peer.commands()).filteredOn(command -> command.startsWith(CAROL_RCPT)).hasSize(2)
            .allSatisfy(command -> assertThat(command).isEqualTo(CAROL_RCPT + " NOTIFY=FAILURE ORCPT=rfc822;carol@example.com"));
        assertThat(mailetContext.getSentMails()).singleElement()
            .satisfies(bounce -> assertThat(bounce.getRecipients()).containsExactly(CAROL));
    }
}
