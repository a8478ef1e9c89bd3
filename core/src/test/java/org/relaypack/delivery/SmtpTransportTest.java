package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.hop;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.james.core.MaybeSender;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.ScriptedSmtpPeers;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;

import com.google.common.collect.ImmutableList;

/** Protocol, failover, pooling and resolution behaviour against scripted peers on 127.0.0.1. */
class SmtpTransportTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final ScriptedSmtpPeers peers = new ScriptedSmtpPeers();
    /** MX delivery to peers on loopback: loopback is not this relay here. */
    private static final LoopDetection LOOPBACK_PEERS = LoopDetection.of(com.google.common.collect.ImmutableSet.of(), true);

    private DnsJavaShapedDns dns;
    private MutableClock clock;
    private SmtpTransport testee;

    @BeforeEach
    void setUp() {
        dns = new DnsJavaShapedDns();
        dns.registerRecord("localhost", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        testee = new SmtpTransport(dns, clock, SmtpTransport.SMTP_PORT, false);
    }

    @AfterEach
    void tearDown() {
        testee.close();
    }

    private ScriptedSmtpPeer start(ScriptedSmtpPeer.Builder builder) {
        return peers.start(builder);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

    /** Mail m1 for rcpt@remote.test through the hop "upstream" of these peers, in this order. */
    private DeliveryResult deliverThrough(ScriptedSmtpPeer... peers) throws Exception {
        return testee.deliver(hop("upstream", Arrays.stream(peers).mapToInt(ScriptedSmtpPeer::port).toArray()).build(), mail("m1", "rcpt@remote.test"));
    }

    private static RecipientOutcome.Status statusOf(DeliveryResult result, String recipient) {
        return result.outcomes().stream()
            .filter(outcome -> outcome.recipient().equals(address(recipient)))
            .findFirst()
            .orElseThrow()
            .status();
    }

    @Nested
    class Failover {
        @Test
        void deliverShouldFailOverWhenFirstHostRefusesConnections() throws Exception {
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = testee.deliver(hop("upstream", closedPort(), second.port()).build(), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(result.host()).contains("localhost[127.0.0.1]:" + second.port());
            assertThat(second.messages()).hasSize(1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"421 4.3.2 shutting down", "554 5.3.2 no service"})
        void deliverShouldFailOverWhenFirstHostGreetsWithAnError(String greeting) throws Exception {
            ScriptedSmtpPeer first = start(ScriptedSmtpPeer.builder().greeting(greeting));
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = deliverThrough(first, second);

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(second.messages()).hasSize(1);
            assertThat(first.sessions()).isEqualTo(1);
            assertThat(first.sawCommand("MAIL")).isFalse();
            assertThat(first.messages()).isEmpty();
        }

        @Test
        void deliverShouldRetryAcceptedRecipientsOnNextHostWhenFirstHostSends421AtRcpt() throws Exception {
            ScriptedSmtpPeer first = start(ScriptedSmtpPeer.builder()
                .reply("RCPT TO:<bad@", "550 5.1.1 no such user")
                .replyAndClose("RCPT TO:<late@", "421 4.3.0 closing"));
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = testee.deliver(hop("upstream", first.port(), second.port()).build(),
                mail("m1", "good@remote.test", "bad@remote.test", "late@remote.test"));

            assertThat(statusOf(result, "good@remote.test")).isEqualTo(RecipientOutcome.Status.DELIVERED);
            assertThat(statusOf(result, "late@remote.test")).isEqualTo(RecipientOutcome.Status.DELIVERED);
            assertThat(statusOf(result, "bad@remote.test")).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
            assertThat(first.sawCommand("DATA")).isFalse();
            assertThat(second.commands()).filteredOn(line -> line.startsWith("RCPT"))
                .containsExactly("RCPT TO:<good@remote.test>", "RCPT TO:<late@remote.test>");
        }

        @ParameterizedTest(name = "{0} answered {1}")
        @CsvSource({
            "MAIL, 451 4.3.0 try later, false, 0",
            "., 421 4.3.0 shutting down, true, 1"})
        void deliverShouldRetryOnTheNextHostAfterATransientReply(String command, String reply, boolean close, int messagesOfTheFirst)
            throws Exception {
            ScriptedSmtpPeer.Builder script = ScriptedSmtpPeer.builder();
            ScriptedSmtpPeer first = start(close ? script.replyAndClose(command, reply) : script.reply(command, reply));
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = deliverThrough(first, second);

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(first.messages()).hasSize(messagesOfTheFirst);
            assertThat(second.messages()).hasSize(1);
        }

        @Test
        void deliverShouldFailOverWhenEhloIsRefusedAndTheTlsPolicyForbidsHelo() throws Exception {
            ScriptedSmtpPeer first = start(ScriptedSmtpPeer.builder().reply("EHLO", "502 5.5.2 what?"));
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder().extensions("STARTTLS"));

            DeliveryResult result = testee.deliver(hop("upstream", first.port(), second.port())
                .tls(TlsPolicy.of(TlsMode.STARTTLS_REQUIRED)).build(), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(first.sawCommand("HELO")).isFalse();
            assertThat(first.sawCommand("MAIL")).isFalse();
            assertThat(second.sawCommand("MAIL")).isFalse();
        }

        @Test
        void deliverShouldDeferEveryRecipientWithLastReasonWhenAllHostsFail() throws Exception {
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder().greeting("421 4.3.2 overloaded"));

            DeliveryResult result = testee.deliver(hop("upstream", closedPort(), second.port()).build(),
                mail("m1", "one@remote.test", "two@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE))
                .containsExactly(address("one@remote.test"), address("two@remote.test"));
            assertThat(result.outcomes()).allSatisfy(outcome ->
                assertThat(outcome.reply()).isEqualTo(SmtpReply.of(421, "4.3.2 overloaded")));
        }

        @Test
        void deliverShouldBounceEveryRecipientAndStopWhenMailFromGetsPermanentReply() throws Exception {
            ScriptedSmtpPeer first = start(ScriptedSmtpPeer.builder().reply("MAIL", "553 5.7.1 sender rejected"));
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = testee.deliver(hop("upstream", first.port(), second.port()).build(),
                mail("m1", "one@remote.test", "two@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE))
                .containsExactly(address("one@remote.test"), address("two@remote.test"));
            assertThat(result.outcomes().get(0).reply()).isEqualTo(SmtpReply.of(553, "5.7.1 sender rejected"));
            assertThat(second.sessions()).isZero();
        }

        @Test
        void deliverShouldNotDeliverTwiceWhenTheConnectionDiesAfterTheFinalReply() throws Exception {
            ScriptedSmtpPeer first = start(ScriptedSmtpPeer.builder().replyAndClose(".", "250 2.0.0 queued"));
            ScriptedSmtpPeer second = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = testee.deliver(hop("upstream", first.port(), second.port()).maxMessagesPerConnection(1).build(),
                mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(first.messages()).hasSize(1);
            assertThat(second.sessions()).isZero();
        }
    }

    @Nested
    class Recipients {
        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "550 5.1.1 unknown user, PERMANENT_FAILURE",
            "452 4.2.2 mailbox full, TEMPORARY_FAILURE"})
        void aRecipientsReplyShouldSettleThatRecipientAndTheOthersBeDelivered(String reply, RecipientOutcome.Status status) throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().reply("RCPT TO:<other@", reply));

            DeliveryResult result = testee.deliver(hop("upstream", peer.port()).build(), mail("m1", "known@remote.test", "other@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("known@remote.test"));
            assertThat(result.recipientsWith(status)).containsExactly(address("other@remote.test"));
            assertThat(result.outcomes().get(1).reply()).isEqualTo(SmtpReply.of(Integer.parseInt(reply.substring(0, 3)), reply.substring(4)));
            assertThat(peer.messages()).hasSize(1);
        }

        @Test
        void deliverShouldResetWithoutDataWhenNoRecipientIsAccepted() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().reply("RCPT", "550 5.1.1 unknown user"));

            DeliveryResult result = testee.deliver(hop("upstream", peer.port()).build(), mail("m1", "a@remote.test", "b@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).hasSize(2);
            assertThat(peer.commands()).contains("RSET").doesNotContain("DATA");
        }

        @Test
        void deliverShouldApplyTheFinalDataReplyToAcceptedRecipients() throws Exception {
            ScriptedSmtpPeer rejecting = start(ScriptedSmtpPeer.builder().reply(".", "554 5.7.1 spam"));
            ScriptedSmtpPeer deferring = start(ScriptedSmtpPeer.builder().reply(".", "451 4.7.1 greylisted"));

            DeliveryResult rejected = testee.deliver(hop("rejecting", rejecting.port()).build(), mail("m1", "a@remote.test", "b@remote.test"));
            DeliveryResult deferred = testee.deliver(hop("deferring", deferring.port()).build(), mail("m2", "a@remote.test"));

            assertThat(rejected.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).hasSize(2);
            assertThat(deferred.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(deferred.outcomes().get(0).reply()).isEqualTo(SmtpReply.of(451, "4.7.1 greylisted"));
        }

        @Test
        void deliverShouldSendNullSenderAsEmptyPath() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions());
            Mail bounce = FakeMail.builder().name("bounce").sender(MaybeSender.nullSender())
                .recipient("rcpt@remote.test").mimeMessage(TestMails.message("bounce")).build();

            testee.deliver(hop("upstream", peer.port()).build(), bounce);

            assertThat(peer.commands()).contains("MAIL FROM:<>");
        }

        @Test
        void deliverShouldSendSizeAndDsnParametersWhenOffered() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("SIZE 1000000", "DSN"));
            Mail mail = mail("m1", "rcpt@remote.test");
            ((FakeMail) mail).setMessageSize(1234);
            mail.setDsnParameters(DsnParameters.builder()
                .envId(DsnParameters.EnvId.of("env+2B1"))
                .ret(DsnParameters.Ret.HDRS)
                .addRcptParameter(address("rcpt@remote.test"), DsnParameters.RecipientDsnParameters.of(
                    EnumSet.of(DsnParameters.Notify.FAILURE, DsnParameters.Notify.DELAY), address("orig@remote.test")))
                .build().orElseThrow());

            testee.deliver(hop("upstream", peer.port()).build(), mail);

            assertThat(peer.commands()).anySatisfy(line -> assertThat(line).matches("MAIL FROM:<sender@relaypack.test> SIZE=1234 RET=HDRS ENVID=env\\+2B1"));
            assertThat(peer.commands()).contains("RCPT TO:<rcpt@remote.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;orig@remote.test");
        }

        @Test
        void deliverShouldNotSendSizeNorDsnParametersWhenNotOffered() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("8BITMIME"));
            Mail mail = mail("m1", "rcpt@remote.test");
            mail.setDsnParameters(DsnParameters.builder()
                .ret(DsnParameters.Ret.HDRS)
                .addRcptParameter(address("rcpt@remote.test"), DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
                .build().orElseThrow());

            testee.deliver(hop("upstream", peer.port()).build(), mail);

            assertThat(peer.commands()).contains("MAIL FROM:<sender@relaypack.test>", "RCPT TO:<rcpt@remote.test>");
        }

        @Test
        void deliverShouldDotStuffAndNormaliseLineEnds() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());

            deliverThrough(peer);

            assertThat(peer.messages()).singleElement().satisfies(message -> assertThat(message)
                .endsWith("\r\nHello,\r\n..leading dot survives\r\n...two dots survive\r\nbare LF line\r\nbye\r\n")
                .doesNotContainPattern("[^\r]\n"));
        }

        @Test
        void deliverShouldFallBackToHeloWhenEhloIsRefused() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().reply("EHLO", "502 5.5.2 what?"));

            DeliveryResult result = testee.deliver(hop("upstream", peer.port()).tls(TlsPolicy.of(TlsMode.NONE)).build(), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(peer.commands()).contains("HELO relay.relaypack.test");
        }
    }

    @Nested
    class Pipelining {
        @Test
        void deliverShouldPipelineMailRcptAndDataWhenOffered() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("PIPELINING", "SIZE 1000000"));

            DeliveryResult result = testee.deliver(hop("upstream", peer.port()).build(), mail("m1", "a@remote.test", "b@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(2);
            assertThat(peer.reads()).anySatisfy(read -> assertThat(read).hasSize(4)
                .satisfies(lines -> assertThat(lines.get(0)).startsWith("MAIL FROM:"))
                .contains("RCPT TO:<a@remote.test>", "RCPT TO:<b@remote.test>")
                .endsWith("DATA"));
        }

        @Test
        void deliverShouldSendOneCommandAtATimeWhenPipeliningIsNotOffered() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("SIZE 1000000"));

            testee.deliver(hop("upstream", peer.port()).build(), mail("m1", "a@remote.test", "b@remote.test"));

            assertThat(peer.reads()).allSatisfy(read -> assertThat(read).hasSize(1));
            assertThat(peer.commands()).contains("DATA");
        }

        @Test
        void deliverShouldHandlePipelinedRejectionsInOrder() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("PIPELINING")
                .reply("RCPT TO:<b@", "550 5.1.1 unknown"));

            DeliveryResult result = testee.deliver(hop("upstream", peer.port()).build(),
                mail("m1", "a@remote.test", "b@remote.test", "c@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("a@remote.test"), address("c@remote.test"));
            assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).containsExactly(address("b@remote.test"));
            assertThat(peer.messages()).hasSize(1);
        }

        @Test
        void deliverShouldEndPipelinedTransactionWithoutMessageWhenEveryRecipientIsRejected() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("PIPELINING")
                .reply("RCPT", "550 5.1.1 unknown").reply("DATA", "554 5.5.1 no valid recipients"));

            DeliveryResult result = testee.deliver(hop("upstream", peer.port()).build(), mail("m1", "a@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).hasSize(1);
            assertThat(peer.messages()).isEmpty();
            assertThat(peer.commands()).contains("RSET");
        }
    }

    @Nested
    class Pooling {
        @Test
        void deliverShouldReuseConnectionsForSuccessiveMessages() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            NextHop hop = hop("upstream", peer.port()).build();

            for (int i = 0; i < 10; i++) {
                assertThat(testee.deliver(hop, mail("m" + i, "rcpt@remote.test")).recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            }

            assertThat(peer.messages()).hasSize(10);
            assertThat(peer.sessions()).isEqualTo(1);
            assertThat(peer.commands()).filteredOn("RSET"::equals).hasSize(9);
        }

        @Test
        void deliverShouldOpenNewConnectionAfterMaxMessagesPerConnection() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            NextHop hop = hop("upstream", peer.port()).maxMessagesPerConnection(3).build();

            for (int i = 0; i < 10; i++) {
                testee.deliver(hop, mail("m" + i, "rcpt@remote.test"));
            }

            assertThat(peer.messages()).hasSize(10);
            assertThat(peer.sessions()).isEqualTo(4);
        }

        @Test
        void pooledSessionCheckShouldTravelWithTheNextEnvelopeToAPipeliningServer() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("PIPELINING"));
            NextHop hop = hop("upstream", peer.port()).build();

            for (int i = 0; i < 3; i++) {
                assertThat(testee.deliver(hop, mail("m" + i, "rcpt@remote.test")).recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            }

            assertThat(peer.messages()).hasSize(3);
            assertThat(peer.sessions()).isEqualTo(1);
            assertThat(peer.reads()).filteredOn(read -> read.contains("RSET"))
                .hasSize(2)
                .allSatisfy(read -> assertThat(read).containsExactly("RSET", "MAIL FROM:<sender@relaypack.test>", "RCPT TO:<rcpt@remote.test>", "DATA"));
        }

        @ParameterizedTest(name = "pipelining {0}")
        @ValueSource(booleans = {false, true})
        void aDeadPooledSessionShouldBeReplacedWithoutLosingTheMail(boolean pipelining) throws Exception {
            ScriptedSmtpPeer peer = start(pipelining ? ScriptedSmtpPeer.builder().extensions("PIPELINING") : ScriptedSmtpPeer.builder());
            NextHop hop = hop("upstream", peer.port()).build();
            testee.deliver(hop, mail("m1", "rcpt@remote.test"));

            peer.dropConnections();
            DeliveryResult result = testee.deliver(hop, mail("m2", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(peer.messages()).hasSize(2);
            assertThat(peer.sessions()).isEqualTo(2);
            assertThat(testee.openSessions()).isEqualTo(1);
        }

        @Test
        void pooledSessionWhoseRsetIsRefusedShouldBeDroppedBeforeAnyContentIsSent() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("PIPELINING").reply("RSET", "500 5.5.1 what?"));
            NextHop hop = hop("upstream", peer.port()).build();
            testee.deliver(hop, mail("m1", "rcpt@remote.test"));

            DeliveryResult result = testee.deliver(hop, mail("m2", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(peer.messages()).hasSize(2);
            assertThat(peer.sessions()).isEqualTo(2);
        }

        @Test
        void closeIdleSessionsShouldQuitSessionsIdleForTheIdleTimeout() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            NextHop hop = hop("upstream", peer.port()).idleTimeout(Duration.ofSeconds(30)).build();
            testee.deliver(hop, mail("m1", "rcpt@remote.test"));

            clock.advance(Duration.ofSeconds(29));
            testee.closeIdleSessions();
            boolean quitBeforeTimeout = peer.sawCommand("QUIT");
            clock.advance(Duration.ofSeconds(1));
            testee.closeIdleSessions();

            assertThat(quitBeforeTimeout).isFalse();
            assertThat(peer.commands()).endsWith("QUIT");
            assertThat(testee.openSessions()).isZero();
            testee.deliver(hop, mail("m2", "rcpt@remote.test"));
            assertThat(peer.sessions()).isEqualTo(2);
        }

        @Test
        void hopsWithDifferentTlsPoliciesShouldNotShareSessions() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());

            testee.deliver(hop("upstream", peer.port()).tls(TlsPolicy.of(TlsMode.NONE)).build(), mail("m1", "rcpt@remote.test"));
            testee.deliver(hop("upstream", peer.port()).tls(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).build(), mail("m2", "rcpt@remote.test"));

            assertThat(peer.sessions()).isEqualTo(2);
        }

        @Test
        void concurrentDeliveriesShouldShareAtMostMaxConnections() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().extensions("PIPELINING"));
            NextHop hop = hop("upstream", peer.port()).maxConnections(2).build();
            ExecutorService consumers = Executors.newFixedThreadPool(6);
            List<Future<DeliveryResult>> results = new ArrayList<>();

            try {
                for (int i = 0; i < 30; i++) {
                    Mail mail = mail("m" + i, "rcpt" + i + "@remote.test");
                    results.add(consumers.submit(() -> testee.deliver(hop, mail)));
                }
                for (Future<DeliveryResult> result : results) {
                    assertThat(result.get(30, TimeUnit.SECONDS).recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
                }
            } finally {
                consumers.shutdownNow();
            }

            assertThat(peer.messages()).hasSize(30);
            assertThat(peer.mostConcurrentSessions()).isLessThanOrEqualTo(2);
            assertThat(peer.sessions()).isLessThanOrEqualTo(2);
        }

        @Test
        void closeShouldQuitPooledSessions() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            deliverThrough(peer);

            testee.close();

            assertThat(peer.commands()).endsWith("QUIT");
        }

        @Test
        void closeShouldLeaveNoWatchdogThreadOfItsOwn() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            deliverThrough(peer);
            long withThisTransport = watchdogThreads();
            assertThat(withThisTransport).isPositive();

            testee.close();

            // other test classes may have left transports open in this JVM: only this one's thread must go
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(watchdogThreads()).isEqualTo(withThisTransport - 1));
        }

        private long watchdogThreads() {
            return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("relaypack-smtp-watchdog"))
                .count();
        }
    }

    @Nested
    class Resolution {
        private ScriptedSmtpPeer peer;

        @BeforeEach
        void startPeer() {
            peer = start(ScriptedSmtpPeer.builder().refuseFirstSessions(0));
        }

        /** An MX record set for the domain, the exchanges in this order. */
        void mx(String domain, String... exchanges) {
            dns.registerRecord(domain, ImmutableList.of(), ImmutableList.copyOf(exchanges), ImmutableList.of());
        }

        /** The host's address: loopback. */
        void loopbackAddress(String host) {
            dns.registerRecord(host, ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
        }

        /** The hop "upstream" to the host and port given (MX looked up unless bracketed), loopback not being this relay. */
        NextHop upstream(String host, int port) {
            return NextHop.builder("upstream").loopDetection(LOOPBACK_PEERS).host(HostSpec.parse(host + ":" + port)).build();
        }

        @Test
        void deliverShouldUseMxRecordsInTheOrderDnsServiceReturnsThem() throws Exception {
            dns.registerRecord("example.test", ImmutableList.of(LOOPBACK), ImmutableList.of("mx-b.example.test", "mx-a.example.test"), ImmutableList.of());
            loopbackAddress("mx-b.example.test");
            loopbackAddress("mx-a.example.test");

            DeliveryResult result = testee.deliver(upstream("example.test", peer.port()), mail("m1", "rcpt@remote.test"));

            assertThat(result.host()).contains("mx-b.example.test[127.0.0.1]:" + peer.port());
        }

        @Test
        void deliverShouldTryTheNextMxWhenTheFirstFails() throws Exception {
            ScriptedSmtpPeer busyOnce = start(ScriptedSmtpPeer.builder().refuseFirstSessions(1));
            mx("example.test", "mx1.example.test", "mx2.example.test");
            loopbackAddress("mx1.example.test");
            loopbackAddress("mx2.example.test");

            DeliveryResult result = testee.deliver(upstream("example.test", busyOnce.port()), mail("m1", "rcpt@remote.test"));

            assertThat(result.host()).contains("mx2.example.test[127.0.0.1]:" + busyOnce.port());
            assertThat(busyOnce.sessions()).isEqualTo(2);
        }

        @Test
        void deliverShouldUseTheAddressOfAHostWithoutMx() throws Exception {
            loopbackAddress("plain.test");

            DeliveryResult result = testee.deliver(upstream("plain.test", peer.port()), mail("m1", "rcpt@remote.test"));

            assertThat(result.host()).contains("plain.test[127.0.0.1]:" + peer.port());
        }

        @Test
        void addressLiteralShouldBeUsedWithoutAskingDns() throws Exception {
            // InMemoryDNSService knows no 127.0.0.1: a lookup would fail the delivery.
            DeliveryResult result = testee.deliver(upstream("[127.0.0.1]", peer.port()), mail("m1", "rcpt@remote.test"));

            assertThat(statusOf(result, "rcpt@remote.test")).isEqualTo(RecipientOutcome.Status.DELIVERED);
            assertThat(result.host()).contains("127.0.0.1[127.0.0.1]:" + peer.port());
        }

        @Test
        void deliverShouldNotLookUpMxOfALiteralHost() throws Exception {
            dns.registerRecord("relay.test", ImmutableList.of(LOOPBACK), ImmutableList.of("unresolvable.test"), ImmutableList.of());

            DeliveryResult result = testee.deliver(upstream("[relay.test]", peer.port()), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(result.host()).contains("relay.test[127.0.0.1]:" + peer.port());
        }

        @Test
        void deliverShouldDeferWhenTheHostIsUnknown() throws Exception {
            DeliveryResult result = testee.deliver(NextHop.builder("upstream").host(HostSpec.parse("[nowhere.test]:2525")).build(),
                mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(result.outcomes().get(0).reply().text()).startsWith("4.4.3");
        }

        @Test
        void deliverShouldOpenOneTransactionPerRecipientDomainForRecipientMx() throws Exception {
            SmtpTransport mxTestee = new SmtpTransport(dns, clock, peer.port(), false);
            mx("one.test", "mx.one.test");
            loopbackAddress("mx.one.test");
            loopbackAddress("two.test");

            DeliveryResult result;
            try (mxTestee) {
                result = mxTestee.deliver(NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).loopDetection(LOOPBACK_PEERS).build(),
                    mail("m1", "a@one.test", "b@two.test", "c@one.test"));
            }

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED))
                .containsExactly(address("a@one.test"), address("b@two.test"), address("c@one.test"));
            assertThat(peer.messages()).hasSize(2);
            assertThat(peer.commands()).filteredOn(line -> line.startsWith("RCPT"))
                .containsExactly("RCPT TO:<a@one.test>", "RCPT TO:<c@one.test>", "RCPT TO:<b@two.test>");
        }

        @Test
        void deliverShouldUseThePortOfTheHopForRecipientMx() throws Exception {
            mx("one.test", "mx.one.test");
            loopbackAddress("mx.one.test");

            DeliveryResult result = testee.deliver(NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).loopDetection(LOOPBACK_PEERS).mxPort(peer.port()).build(),
                mail("m1", "a@one.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("a@one.test"));
            assertThat(result.host()).contains("mx.one.test[127.0.0.1]:" + peer.port());
        }
    }

    @Nested
    class Logging {
        @Test
        void deliveryResultShouldNamePlaintextSessionsWithoutTlsFacts() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = deliverThrough(peer);

            assertThat(result.host()).contains("localhost[127.0.0.1]:" + peer.port());
            assertThat(result.tlsProtocol()).isEmpty();
            assertThat(result.tlsCipher()).isEmpty();
            assertThat(result.outcomes().get(0).reply()).isEqualTo(SmtpReply.of(250, "2.0.0 queued as 1"));
        }

        @Test
        void deliverShouldLogOneLinePerAttempt() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            int closedPort = closedPort();
            Mail mail = mail("m1", "rcpt@remote.test");

            List<String> lines = LogCapture.infoOf(SmtpTransport.class, () ->
                testee.deliver(hop("upstream", closedPort, peer.port()).build(), mail));

            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).contains("mail=m1 hop=upstream host=localhost[127.0.0.1]:" + closedPort
                + " tls=none reply=\"451 4.4.1 connect to localhost[127.0.0.1]:" + closedPort + " failed");
            assertThat(lines.get(1)).contains("mail=m1 hop=upstream host=localhost[127.0.0.1]:" + peer.port()
                + " tls=plaintext replies={rcpt@remote.test=\"250 2.0.0 queued as 1\"}");
        }
    }

}
