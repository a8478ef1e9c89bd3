package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.SmtpReply;

import com.google.common.collect.ImmutableList;

/**
 * A {@code type="mx"} hop with hostile destinations (each attempt hangs until its deadline, or until
 * released, then times out) and a healthy one, over James's memory queue.
 */
class DestinationLanesEngineTest {
    private static final String HOP = "internet";
    private static final int CONCURRENCY = 4;
    private static final List<String> HOSTILE = List.of("slow1.example", "slow2.example", "slow3.example", "slow4.example", "slow5.example");
    private static final String HEALTHY = "healthy.example";
    private static final SmtpReply TIMED_OUT = HostFailure.localReply("4.4.2", "conversation with mx timed out while setting up the session");
    private static final RetryPolicy SLOW_RETRY = RetryPolicy.of(ImmutableList.of(Duration.ofHours(1)), 5);

    /** Hostile destinations hang until released or for {@code deadline}, then time out; the others deliver. */
    private static final class HostileTransport implements HopTransport {
        private final Duration deadline;
        private final CountDownLatch release = new CountDownLatch(1);
        private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        private final AtomicInteger hanging = new AtomicInteger();
        private final AtomicInteger mostHanging = new AtomicInteger();
        private final List<MailAddress> delivered = new CopyOnWriteArrayList<>();
        /** Healthy deliveries wait (up to 5 s) until this many run at once: how many threads the healthy destination gets. */
        private volatile CountDownLatch healthyTogether = new CountDownLatch(0);
        private final AtomicInteger healthyInFlight = new AtomicInteger();
        private final AtomicInteger mostHealthyInFlight = new AtomicInteger();

        private HostileTransport(Duration deadline) {
            this.deadline = deadline;
        }

        @Override
        public DeliveryResult deliver(NextHop hop, Mail mail) {
            String destination = mail.getRecipients().iterator().next().getDomain().asString();
            attempts.computeIfAbsent(destination, any -> new AtomicInteger()).incrementAndGet();
            if (!HOSTILE.contains(destination)) {
                mostHealthyInFlight.accumulateAndGet(healthyInFlight.incrementAndGet(), Math::max);
                try {
                    healthyTogether.countDown();
                    healthyTogether.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    healthyInFlight.decrementAndGet();
                }
                delivered.addAll(mail.getRecipients());
                return DeliveryResult.of(mail.getRecipients().stream().map(recipient -> RecipientOutcome.delivered(recipient, ScriptedTransport.OK))
                    .collect(ImmutableList.toImmutableList()), Optional.of("mx." + destination), Optional.empty(), Optional.empty());
            }
            mostHanging.accumulateAndGet(hanging.incrementAndGet(), Math::max);
            try {
                release.await(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                hanging.decrementAndGet();
            }
            return DeliveryResult.allTemporary(mail.getRecipients(), TIMED_OUT, Optional.empty());
        }

        int attempts(String destination) {
            return Optional.ofNullable(attempts.get(destination)).map(AtomicInteger::get).orElse(0);
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    private HostileTransport transport;
    private MemoryMailQueueFactory queueFactory;
    private DeliveryEngine testee;

    @BeforeEach
    void setUp() {
        start(Duration.ofSeconds(30));
    }

    private void start(Duration deadline) {
        start(deadline, false);
    }

    /** @param ignoringDelays true for a queue that gives mail back at once whatever its delay (as James's RabbitMQ queue) */
    private void start(Duration deadline, boolean ignoringDelays) {
        transport = new HostileTransport(deadline);
        queueFactory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC());
        NextHop hop = NextHop.builder(HOP).kind(NextHop.Kind.RECIPIENT_MX).build();
        testee = new DeliveryEngine(ignoringDelays ? new DelayIgnoringQueueFactory(queueFactory) : queueFactory,
            new RecordingMetricFactory(), transport, FakeMailContext.defaultContext(),
            NextHopsConfiguration.of(hop.withScheduling(
                HopScheduling.of(SLOW_RETRY, CONCURRENCY, Optional.empty(), HopScheduling.FirstAttempt.QUEUE).withLanes(LaneLimits.of(20, Duration.ofMinutes(10))))));
        testee.start();
    }

    @AfterEach
    void tearDown() {
        transport.close();
        testee.stop();
    }

    private void send(String name, String... recipients) throws Exception {
        Mail mail = TestMails.mail(name, recipients);
        testee.deliverShares(mail, List.of(new HopShare(testee.configuration().hop(HOP).orElseThrow(),
            mail.getRecipients(), mail.getRecipients())), FailurePolicy.defaults());
    }

    private ManageableMailQueue queue() {
        return queueFactory.getQueue(DeliveryEngine.queueName(HOP)).orElseThrow();
    }

    @Test
    void healthyDestinationShouldGetAllItsMailWhileHostileDestinationsHangUntilTheirDeadline() throws Exception {
        tearDown();
        start(Duration.ofSeconds(1));
        for (String destination : HOSTILE) {
            for (int i = 0; i < 3; i++) {
                send("hostile-" + destination + "-" + i, "user" + i + "@" + destination);
            }
        }
        for (int i = 0; i < 20; i++) {
            send("healthy-" + i, "user" + i + "@" + HEALTHY);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(transport.delivered).hasSize(20));
        assertThat(transport.mostHanging.get()).as("threads ever held by hostile destinations").isLessThanOrEqualTo(CONCURRENCY - 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(queuedAttempts()).hasSize(15).containsOnly(1));
        for (String destination : HOSTILE) {
            assertThat(transport.attempts(destination)).as("connections to %s, dead after the first", destination).isEqualTo(1);
        }
    }

    @Test
    void healthyDestinationShouldGetAllItsMailWhileHostileDestinationsHangOnAQueueIgnoringDelays() throws Exception {
        tearDown();
        start(Duration.ofSeconds(30), true);
        testee.deliverShares(TestMails.mail("first", "first@" + HEALTHY), List.of(new HopShare(
            testee.configuration().hop(HOP).orElseThrow(), List.of(address("first@" + HEALTHY)),
            List.of(address("first@" + HEALTHY)))), FailurePolicy.defaults());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(transport.delivered).hasSize(1));
        for (String destination : HOSTILE) {
            for (int i = 0; i < 3; i++) {
                send("hostile-" + destination + "-" + i, "user" + i + "@" + destination);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> transport.hanging.get() == CONCURRENCY - 1);

        for (int i = 0; i < 20; i++) {
            send("healthy-" + i, "user" + i + "@" + HEALTHY);
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(transport.delivered).hasSize(21));
        assertThat(transport.hanging.get()).as("hostile attempts still hanging").isEqualTo(CONCURRENCY - 1);
    }

    @Test
    void healthyDestinationShouldKeepAllTheHopsThreadsWhileHostileDestinationsHoldTheirs() throws Exception {
        send("first", "first@" + HEALTHY);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(transport.delivered).hasSize(1));
        for (String destination : HOSTILE) {
            send("hostile-" + destination, "user@" + destination);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> transport.hanging.get() == CONCURRENCY - 1);
        transport.healthyTogether = new CountDownLatch(CONCURRENCY);

        for (int i = 0; i < CONCURRENCY; i++) {
            send("healthy-" + i, "user" + i + "@" + HEALTHY);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(transport.delivered).hasSize(1 + CONCURRENCY));
        assertThat(transport.mostHealthyInFlight.get()).as("deliveries to the healthy destination at once, beside the hostile ones")
            .isEqualTo(CONCURRENCY);
        assertThat(transport.hanging.get()).as("hostile attempts still hanging").isEqualTo(CONCURRENCY - 1);
    }

    @Test
    void deadDestinationShouldHaveItsOtherMailDeferredWithoutAConnection() throws Exception {
        String destination = HOSTILE.get(0);
        for (int i = 0; i < 3; i++) {
            send("hostile-" + i, "user" + i + "@" + destination);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> transport.hanging.get() == 1);

        transport.release.countDown();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(queuedAttempts()).containsExactly(1, 1, 1));
        assertThat(transport.attempts(destination)).as("connections to the dead destination").isEqualTo(1);
    }

    @Test
    void mailToSeveralDestinationsShouldBeSplitIntoOneQueueItemPerDestination() throws Exception {
        testee.stop();

        send("mixed", "a@" + HEALTHY, "b@other.example", "c@" + HEALTHY);

        assertThat(queue().getSize()).isEqualTo(2);
        ImmutableList.Builder<List<MailAddress>> items = ImmutableList.builder();
        ManageableMailQueue.MailQueueIterator browse = queue().browse();
        browse.forEachRemaining(item -> items.add(ImmutableList.copyOf(item.getMail().getRecipients())));
        assertThat(items.build()).containsExactlyInAnyOrder(
            List.of(address("a@" + HEALTHY), address("c@" + HEALTHY)),
            List.of(address("b@other.example")));
    }

    private List<Integer> queuedAttempts() throws Exception {
        ImmutableList.Builder<Integer> attempts = ImmutableList.builder();
        queue().browse().forEachRemaining(item -> attempts.add(DeliveryAttributes.attempts(item.getMail())));
        return attempts.build();
    }
}
