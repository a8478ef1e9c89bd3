package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.delivery.ScriptedTransport.GREYLISTED;
import static org.relaypack.delivery.ScriptedTransport.UNKNOWN_USER;
import static org.relaypack.delivery.ScriptedTransport.replying;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.lang.reflect.Proxy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.common.collect.ImmutableList;

/**
 * The engine's behaviour that must hold on every James queue it may run on: memory, the embedded
 * ActiveMQ of James's single-node server, RabbitMQ (delays ignored, a nack requeued at once, 5
 * unacknowledged items at most, the original redelivered). An implementation gives the queue
 * through {@link #queueUnderTest()}.
 */
interface EngineQueueContract {
    String HOP = "upstream";
    NextHop NEXT_HOP = NextHop.builder(HOP).host(HostSpec.literal("smtp.provider.example", 587)).build();
    MailAddress SENDER = address("alice@lan.example");
    MailAddress BOB = address("bob@remote.example");
    MailAddress CAROL = address("carol@remote.example");

    /** A queue as James gives it to one node. */
    interface QueueUnderTest {
        /** The queues as the running node sees them. */
        MailQueueFactory<?> factory();

        /** False for a queue whose content dies with the node (James's memory queue). */
        boolean survivesCrash();

        /**
         * Kills the node ({@code kill -9}): what it had not acknowledged goes back to the queue, and
         * nothing the dead node still does reaches it. Returns the queues as the restarted node sees them.
         */
        MailQueueFactory<?> crashAndRestart() throws Exception;

        /** How long the engine's outcomes may take on this queue: longer for a queue that sees delayed mail late (ActiveMQ). */
        default Duration patience() {
            return Duration.ofSeconds(10);
        }

        /** A queue whose content dies with the node. */
        static QueueUnderTest lostOnCrash(MailQueueFactory<?> factory) {
            return of(factory, false, () -> {
                throw new UnsupportedOperationException("this queue does not survive a crash");
            });
        }

        /** A queue that outlives the node: {@code crash} plays the kill, the same queues serve the restarted node. */
        static QueueUnderTest survivingCrash(MailQueueFactory<?> factory, Runnable crash) {
            return of(factory, true, crash);
        }

        private static QueueUnderTest of(MailQueueFactory<?> factory, boolean survivesCrash, Runnable crash) {
            return new QueueUnderTest() {
                @Override
                public MailQueueFactory<?> factory() {
                    return factory;
                }

                @Override
                public boolean survivesCrash() {
                    return survivesCrash;
                }

                @Override
                public MailQueueFactory<?> crashAndRestart() {
                    crash.run();
                    return factory;
                }
            };
        }
    }

    /** The factory method to implement: a fresh, empty queue for one test. */
    QueueUnderTest queueUnderTest() throws Exception;

    /** The engine as shipped (its pauses and backoffs included), one hop whose first attempts are queued. */
    private static DeliveryEngine engine(MailQueueFactory<?> queues, HopTransport transport, MailetContext context, RetryPolicy retry) {
        return engine(queues, transport, context, retry, 2);
    }

    private static DeliveryEngine engine(MailQueueFactory<?> queues, HopTransport transport, MailetContext context, RetryPolicy retry,
                                         int concurrency) {
        return engine(queues, transport, context, retry, concurrency,
            DeliveredLedger.inMemory(Duration.ofHours(1), LedgerConfiguration.DEFAULT_MAX_ENTRIES, Clock.systemUTC()));
    }

    /** ... with a delivered ledger on disk, read back by the engine of the restarted node. */
    private static DeliveryEngine engine(MailQueueFactory<?> queues, HopTransport transport, MailetContext context, RetryPolicy retry,
                                         Path ledger) throws IOException {
        return engine(queues, transport, context, retry, 2,
            DeliveredLedger.open(ledger, Duration.ofHours(1), LedgerConfiguration.DEFAULT_MAX_ENTRIES, false, Clock.systemUTC()));
    }

    private static DeliveryEngine engine(MailQueueFactory<?> queues, HopTransport transport, MailetContext context, RetryPolicy retry,
                                         int concurrency, DeliveredLedger ledger) {
        DeliveryEngine engine = new DeliveryEngine(queues, new RecordingMetricFactory(), transport, context,
            NextHopsConfiguration.of(NEXT_HOP.withScheduling(
                HopScheduling.of(retry, concurrency, Optional.empty(), HopScheduling.FirstAttempt.QUEUE))),
            SpoolShare.JAMES_DEFAULT_SPOOL_THREADS, ledger);
        engine.start();
        return engine;
    }

    private static Mail mail(String name, MailAddress... recipients) throws MessagingException {
        // lastUpdated as James sets it on every mail it receives (James's JMS queue needs it).
        return FakeMail.builder().name(name).sender(MaybeSender.of(SENDER)).recipients(recipients).lastUpdated(new Date())
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(name).setText("body")).build();
    }

    private static long attemptsFor(ScriptedTransport transport, MailAddress recipient) {
        return transport.attempts().stream().filter(attempt -> attempt.recipients().contains(recipient)).count();
    }

    @Test
    default void mailNotDueShouldNeitherBeAttemptedNorHoldTheQueueFromFreshMail() throws Exception {
        QueueUnderTest queue = queueUnderTest();
        List<MailAddress> deferred = ImmutableList.of(address("d1@remote.example"), address("d2@remote.example"),
            address("d3@remote.example"), address("d4@remote.example"), address("d5@remote.example"),
            address("d6@remote.example"));
        ScriptedTransport transport = new ScriptedTransport().always(HOP, replying(GREYLISTED, deferred.toArray(MailAddress[]::new)));
        DeliveryEngine testee = engine(queue.factory(), transport, FakeMailContext.defaultContext(),
            RetryPolicy.of(ImmutableList.of(Duration.ofHours(1)), 5));
        try {
            for (MailAddress recipient : deferred) {
                testee.enqueue(mail("deferred-" + recipient.getLocalPart(), recipient), NEXT_HOP, FailurePolicy.defaults());
            }
            await().atMost(queue.patience()).untilAsserted(() -> assertThat(transport.attempts()).hasSize(deferred.size()));

            // More mails wait for their retry than RabbitMQ lets a consumer hold unacknowledged.
            testee.enqueue(mail("fresh", BOB), NEXT_HOP, FailurePolicy.defaults());

            // Sooner than the 10 s the engine used to hold such mail unacknowledged, which stalled RabbitMQ's prefetch of 5.
            await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThat(attemptsFor(transport, BOB)).isEqualTo(1));
            assertThat(deferred).allSatisfy(recipient -> assertThat(attemptsFor(transport, recipient)).isEqualTo(1));
        } finally {
            testee.stop();
        }
    }

    @Test
    default void itemHandedBackToTheQueueShouldNeitherResendToDeliveredRecipientsNorRestartItsAttempts() throws Exception {
        QueueUnderTest queue = queueUnderTest();
        AtomicBoolean failNextEnqueue = new AtomicBoolean();
        MailQueueFactory<?> failingOnce = QueueFaults.failingNextEnqueue(queue.factory(), failNextEnqueue);
        ScriptedTransport transport = new ScriptedTransport().always(HOP, replying(GREYLISTED, CAROL));
        FakeMailContext context = FakeMailContext.defaultContext();
        DeliveryEngine testee = engine(failingOnce, transport, context, RetryPolicy.of(ImmutableList.of(Duration.ofMillis(1)), 2));
        try {
            failNextEnqueue.set(true);
            testee.enqueue(mail("mail1", BOB, CAROL), NEXT_HOP, FailurePolicy.defaults());

            // The retry of CAROL cannot be queued: the item goes back to the queue (a nack), and comes back.
            await().atMost(queue.patience()).untilAsserted(() -> assertThat(context.getSentMails()).hasSize(1));
            assertThat(attemptsFor(transport, BOB)).isEqualTo(1);
            assertThat(attemptsFor(transport, CAROL)).isEqualTo(2);
            FakeMailContext.SentMail bounce = context.getSentMails().get(0);
            assertThat(bounce.getRecipients()).containsExactly(CAROL);
            assertThat(bounce.getAttributes().get(DeliveryAttributes.ATTEMPTS))
                .isEqualTo(new Attribute(DeliveryAttributes.ATTEMPTS, AttributeValue.of(2)));
        } finally {
            testee.stop();
        }
    }

    @Test
    default void consumerThatThrowsShouldSettleItsItemWithARetry() throws Exception {
        bounceOfCarolAfterTheBounceProcessorFirstThrows(new LinkageError("a bounce processor that throws an Error"));
    }

    @Test
    default void consumerOutOfStackShouldHandItsItemBackAndNotResendToDeliveredRecipients() throws Exception {
        // Nothing that allocates after such an error: the item goes back to the queue as it is, after a backoff.
        bounceOfCarolAfterTheBounceProcessorFirstThrows(new StackOverflowError("a bounce processor out of stack"));
    }

    /** BOB delivered, CAROL refused for good; the first bounce throws {@code first}: CAROL is tried again and bounced, BOB not resent. */
    private void bounceOfCarolAfterTheBounceProcessorFirstThrows(Throwable first) throws Exception {
        QueueUnderTest queue = queueUnderTest();
        FakeMailContext context = FakeMailContext.defaultContext();
        AtomicInteger bounces = new AtomicInteger();
        MailetContext throwingOnce = (MailetContext) Proxy.newProxyInstance(EngineQueueContract.class.getClassLoader(),
            new Class<?>[] {MailetContext.class}, (proxy, method, args) -> {
                if (method.getName().equals("sendMail") && bounces.incrementAndGet() == 1) {
                    throw first;
                }
                return method.invoke(context, args);
            });
        ScriptedTransport transport = new ScriptedTransport().always(HOP, replying(UNKNOWN_USER, CAROL));
        DeliveryEngine testee = engine(queue.factory(), transport, throwingOnce, RetryPolicy.of(ImmutableList.of(Duration.ofMillis(1)), 3));
        try {
            testee.enqueue(mail("mail1", BOB, CAROL), NEXT_HOP, FailurePolicy.defaults());

            await().atMost(queue.patience()).untilAsserted(() -> assertThat(context.getSentMails()).hasSize(1));
            assertThat(context.getSentMails().get(0).getRecipients()).containsExactly(CAROL);
            assertThat(attemptsFor(transport, BOB)).isEqualTo(1);
            assertThat(attemptsFor(transport, CAROL)).isEqualTo(2);
        } finally {
            testee.stop();
        }
    }

    @Test
    default void partialDeliveryThenACrashShouldDeliverEachRecipientOnceBeyondTheTransactionInFlight() throws Exception {
        QueueUnderTest queue = queueUnderTest();
        assumeThat(queue.survivesCrash()).as("the queue's content dies with the node").isTrue();
        BlockingTransport transport = new BlockingTransport(CAROL, 2);
        FakeMailContext context = FakeMailContext.defaultContext();
        RetryPolicy retry = RetryPolicy.of(ImmutableList.of(Duration.ofMillis(1)), 5);
        // One delivery at a time: the first item is acknowledged before the second attempt starts, so the
        // crash catches one transaction in flight (a crash between queueing a retry and acknowledging
        // its item would find two, the second of them already delivered: at least once).
        DeliveryEngine beforeCrash = engine(queue.factory(), transport, context, retry, 1);
        DeliveryEngine afterRestart = null;
        try {
            beforeCrash.enqueue(mail("mail1", BOB, CAROL), NEXT_HOP, FailurePolicy.defaults());
            // BOB delivered, CAROL deferred and queued again alone; her second attempt is in flight at the crash.
            transport.awaitBlocked(queue.patience());

            MailQueueFactory<?> restarted = queue.crashAndRestart();
            transport.release();
            afterRestart = engine(restarted, transport, context, retry);

            await().atMost(queue.patience()).untilAsserted(() -> assertThat(transport.deliveries(CAROL)).isEqualTo(2));
            assertThat(transport.deliveries(BOB)).isEqualTo(1);
            assertThat(context.getSentMails()).isEmpty();
        } finally {
            transport.release();
            beforeCrash.stop();
            if (afterRestart != null) {
                afterRestart.stop();
            }
        }
    }

    @Test
    default void crashBetweenQueueingARetryAndAcknowledgingItsItemShouldDeliverNoRecipientTwice(@TempDir Path ledger) throws Exception {
        QueueUnderTest queue = queueUnderTest();
        assumeThat(queue.survivesCrash()).as("the queue's content dies with the node").isTrue();
        // CAROL is greylisted at her first attempt, delivered at the next; BOB is delivered at once.
        BlockingTransport transport = new BlockingTransport(CAROL, Integer.MAX_VALUE);
        FakeMailContext context = FakeMailContext.defaultContext();
        RetryPolicy retry = RetryPolicy.of(ImmutableList.of(Duration.ofSeconds(3)), 5);
        CountDownLatch died = new CountDownLatch(1);
        DeliveryEngine beforeCrash = engine(QueueFaults.dyingAtFirstAcknowledgement(queue.factory(), died), transport, context, retry, ledger);
        DeliveryEngine afterRestart = null;
        try {
            beforeCrash.enqueue(mail("mail1", BOB, CAROL), NEXT_HOP, FailurePolicy.defaults());
            // BOB delivered, CAROL's retry queued; the node dies as it acknowledges the item: both are in the queue.
            assertThat(died.await(queue.patience().toMillis(), TimeUnit.MILLISECONDS)).as("the node reached the acknowledgement").isTrue();

            afterRestart = engine(queue.crashAndRestart(), transport, context, retry, ledger);

            await().atMost(queue.patience()).untilAsserted(() -> assertThat(transport.deliveries(CAROL)).isEqualTo(1));
            // The original item and the retry's copy both came back: CAROL's copy must find her delivered, not send again.
            await().pollDelay(queue.patience().dividedBy(2)).atMost(queue.patience())
                .untilAsserted(() -> assertThat(transport.deliveries(CAROL)).isEqualTo(1));
            assertThat(transport.deliveries(BOB)).isEqualTo(1);
            assertThat(context.getSentMails()).isEmpty();
        } finally {
            beforeCrash.stop();
            if (afterRestart != null) {
                afterRestart.stop();
            }
        }
    }
}
