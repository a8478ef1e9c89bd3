package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.delivery.ScriptedTransport.GREYLISTED;
import static org.relaypack.delivery.ScriptedTransport.failAllTemporarily;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

class DeliveryEngineHealthTest {
    private static final String UPSTREAM = "upstream";
    private static final String OTHER = "other";
    private static final NextHop UPSTREAM_HOP = NextHop.builder(UPSTREAM).host(HostSpec.literal("smtp1.provider.example", 587)).build();
    private static final NextHop OTHER_HOP = NextHop.builder(OTHER).host(HostSpec.literal("other.example", 25)).build();
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");

    private MutableClock clock;
    private ScriptedTransport transport;
    private DeliveryEngine testee;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(T0);
        transport = new ScriptedTransport();
        // Queue and engine share the clock: a retry is due only when the test says.
        MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), clock);
        testee = new DeliveryEngine(queues, new RecordingMetricFactory(), transport, FakeMailContext.defaultContext(),
            NextHopsConfiguration.of(
                UPSTREAM_HOP.withScheduling(
                    HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofMinutes(5)), 3), 1, Optional.empty(), HopScheduling.FirstAttempt.QUEUE)),
                OTHER_HOP.withScheduling(HopScheduling.of(RetryPolicy.defaults(), 1, Optional.empty(), HopScheduling.FirstAttempt.INLINE))),
            clock, Duration.ofMillis(5));
        testee.start();
    }

    @AfterEach
    void tearDown() {
        testee.stop();
    }

    @Test
    void hopNeverTriedShouldBeHealthyWithAnEmptyQueue() {
        assertThat(testee.health(OTHER)).contains(HopHealth.builder(OTHER).queue(0, Optional.empty()).build());
    }

    @Test
    void failedAttemptShouldGiveTheErrorTheStreakTheNextRetryAndTheWaitingMail() throws Exception {
        transport.then(UPSTREAM, failAllTemporarily());

        testee.enqueue(TestMails.mail("mail1", BOB.asString()), UPSTREAM_HOP, FailurePolicy.defaults());
        await().untilAsserted(() -> assertThat(testee.health(UPSTREAM).orElseThrow().nextRetry()).isPresent());
        clock.advance(Duration.ofMinutes(2));

        HopHealth health = testee.health(UPSTREAM).orElseThrow();
        assertThat(health).isEqualTo(HopHealth.builder(UPSTREAM)
            .lastError(GREYLISTED, T0)
            .failing(1, T0)
            .nextRetry(T0.plus(Duration.ofMinutes(5)))
            .queue(1, Optional.of(Duration.ofMinutes(2)))
            .build());
        assertThat(health.isFailing()).isTrue();
        assertThat(health.failingFor(clock.instant())).contains(Duration.ofMinutes(2));
        assertThat(testee.health(OTHER).orElseThrow().isFailing()).isFalse();
    }

    @Test
    void deliveryShouldEndTheStreakAndKeepTheLastError() throws Exception {
        transport.then(UPSTREAM, failAllTemporarily());
        testee.enqueue(TestMails.mail("mail1", BOB.asString()), UPSTREAM_HOP, FailurePolicy.defaults());
        await().untilAsserted(() -> assertThat(transport.attemptsAt(UPSTREAM)).hasSize(1));
        clock.advance(Duration.ofMinutes(1));

        testee.enqueue(TestMails.mail("mail2", CAROL.asString()), UPSTREAM_HOP, FailurePolicy.defaults());

        await().untilAsserted(() -> assertThat(transport.attemptsAt(UPSTREAM)).hasSize(2));
        await().untilAsserted(() -> assertThat(testee.health(UPSTREAM).orElseThrow().queueSize()).contains(1L));
        assertThat(testee.health(UPSTREAM).orElseThrow()).isEqualTo(HopHealth.builder(UPSTREAM)
            .lastSuccess(T0.plus(Duration.ofMinutes(1)))
            .lastError(GREYLISTED, T0)
            .nextRetry(T0.plus(Duration.ofMinutes(5)))
            .queue(1, Optional.of(Duration.ofMinutes(1)))
            .build());
    }

    @Test
    void healthShouldListEveryHopAndNothingForAnUnknownOne() {
        assertThat(testee.health()).containsOnlyKeys(UPSTREAM, OTHER);
        assertThat(testee.health("server9")).isEmpty();
    }
}
