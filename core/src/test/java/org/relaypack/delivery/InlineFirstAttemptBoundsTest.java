package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.testing.TestResources;

import com.google.common.collect.ImmutableList;

/** Inline first attempts never wait for a pooled session, and all of them together stay below the spool's threads. */
class InlineFirstAttemptBoundsTest {
    private static final String HOP = "upstream";
    private static final String BACKUP = "backup";
    private static final NextHop UPSTREAM = NextHop.builder(HOP).host(HostSpec.literal("smtp.provider.example", 587)).build();
    private static final SmtpReply BUSY = SmtpReply.of(451, "4.4.5 next hop upstream: all 1 connections are busy to smtp.provider.example");
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");

    @RegisterExtension
    final TestResources resources = TestResources.perTest();
    private final ScriptedTransport transport = new ScriptedTransport();
    private final FakeMailContext mailetContext = FakeMailContext.defaultContext();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private DeliveryEngine testee;

    private void start(int spoolThreads) {
        start(spoolThreads, NextHopsConfiguration.of(UPSTREAM.withScheduling(
            HopScheduling.of(RETRY, 2, Optional.empty(), HopScheduling.FirstAttempt.INLINE))));
    }

    private static final RetryPolicy RETRY = RetryPolicy.of(ImmutableList.of(Duration.ofHours(1)), 3);

    private void start(int spoolThreads, NextHopsConfiguration configuration) {
        testee = new DeliveryEngine(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()), metrics,
            transport, mailetContext, configuration, Clock.systemUTC(), DeliveryEngine.PAUSE, spoolThreads,
            DeliveredLedger.inMemory(Duration.ofHours(1), LedgerConfiguration.DEFAULT_MAX_ENTRIES, Clock.systemUTC()));
        testee.start();
        resources.add(testee::stop);
    }

    private void send(String name, MailAddress... recipients) throws Exception {
        Mail mail = TestMails.mail(name, recipients[0].asString(), recipients.length > 1 ? recipients[1].asString() : recipients[0].asString());
        mail.setRecipients(List.of(recipients));
        testee.deliverShares(mail, List.of(new HopShare(testee.configuration().hop(HOP).orElseThrow(),
            List.of(recipients), List.of(recipients))), FailurePolicy.defaults());
    }

    @Test
    void inlineAttemptsShouldLeaveOneSpoolThread() {
        assertThat(SpoolShare.of(20)).isEqualTo(19);
        assertThat(SpoolShare.of(1)).isZero();
        assertThat(SpoolShare.of(0)).isZero();
    }

    @Test
    void spoolOfOneThreadShouldHaveEveryFirstAttemptQueued() throws Exception {
        start(1);

        send("mail1", BOB);

        assertThat(metrics.countFor(DeliveryMetrics.inlineFirst(HOP))).isZero();
        assertThat(metrics.countFor(DeliveryMetrics.queuedFirst(HOP))).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(transport.attemptsAt(HOP)).hasSize(1));
    }

    @Test
    void recipientsWhoseSessionsWereBusyShouldBeQueuedForTheirFirstAttemptNotRetried() throws Exception {
        start(20);
        transport.then(HOP, ScriptedTransport.replying(BUSY, CAROL));

        send("mail1", BOB, CAROL);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(transport.attemptsAt(HOP)).hasSize(2));
        assertThat(transport.attemptsAt(HOP).get(1).recipients()).containsExactly(CAROL);
        assertThat(mailetContext.getSentMails()).as("bounces").isEmpty();
        assertThat(metrics.countFor(DeliveryMetrics.queuedFirst(HOP))).isEqualTo(1);

        send("mail2", BOB);

        assertThat(metrics.countFor(DeliveryMetrics.inlineFirst(HOP))).as("inline attempts not paused by a busy pool").isEqualTo(2);
    }

    @Test
    void recipientsWhoseSessionsWereBusyShouldNotGoToTheFallbackHop() throws Exception {
        start(20, NextHopsConfiguration.of(
            UPSTREAM.withScheduling(HopScheduling.of(RETRY, 2, Optional.of(BACKUP), HopScheduling.FirstAttempt.INLINE)),
            NextHop.builder(BACKUP).host(HostSpec.literal("backup.provider.example", 465)).build().withScheduling(
                HopScheduling.of(RETRY, 2, Optional.empty(), HopScheduling.FirstAttempt.INLINE))));
        transport.then(HOP, ScriptedTransport.replying(BUSY, CAROL));

        send("mail1", BOB, CAROL);

        // Nothing was sent to the hop for carol: her first attempt is the hop's own queue's, not the fallback's.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(transport.attemptsAt(HOP)).hasSize(2));
        assertThat(transport.attemptsAt(HOP).get(1).recipients()).containsExactly(CAROL);
        assertThat(transport.attemptsAt(BACKUP)).isEmpty();
        assertThat(metrics.countFor(DeliveryMetrics.queuedFirst(HOP))).isEqualTo(1);
    }
}
