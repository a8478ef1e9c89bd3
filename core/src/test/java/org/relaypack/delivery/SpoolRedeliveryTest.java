package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.ScriptedTransport.GREYLISTED;
import static org.relaypack.delivery.ScriptedTransport.replying;
import static org.relaypack.testing.Addresses.address;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

/**
 * James's spool gives back a mail the mailet had already handed to the engine (a crash before the
 * spool's acknowledgement), under its name with other "-!nnnnnnn" suffixes when a matcher split it:
 * the engine does not send again what it delivered, and sends what it had not.
 */
class SpoolRedeliveryTest {
    private static final String HOP = "upstream";
    private static final String JAMES_NAME = "Mail1764540000000-5b0c9b7e-2d4c-4a5e-9f1a-0c3d2e1f4a5b";
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");

    private final ScriptedTransport transport = new ScriptedTransport();
    private final FakeMailContext mailetContext = FakeMailContext.defaultContext();
    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private DeliveryEngine testee;

    @BeforeEach
    void setUp() {
        NextHop inline = NextHop.builder(HOP).host(HostSpec.literal("smtp.provider.example", 587)).build()
            .withScheduling(HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofHours(1)), 3), 2, Optional.empty(),
                HopScheduling.FirstAttempt.INLINE));
        testee = new DeliveryEngine(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), Clock.systemUTC()), metrics,
            transport, mailetContext, NextHopsConfiguration.of(inline));
        testee.start();
    }

    @AfterEach
    void tearDown() {
        testee.stop();
    }

    private void handOver(String name, MailAddress... recipients) throws Exception {
        Mail mail = TestMails.mail(name, BOB.asString());
        mail.setRecipients(List.of(recipients));
        testee.deliverShares(mail, List.of(new HopShare(testee.configuration().hop(HOP).orElseThrow(), List.of(recipients),
            List.of(recipients))), FailurePolicy.defaults());
    }

    @Test
    void aMailTheSpoolGivesBackAfterItsDeliveryShouldNotBeSentAgain() throws Exception {
        handOver(JAMES_NAME + "-!1234567", BOB, CAROL);

        handOver(JAMES_NAME + "-!7654321", BOB, CAROL);

        assertThat(transport.attemptsAt(HOP)).hasSize(1);
        assertThat(metrics.countFor(DeliveryMetrics.duplicateDropped(HOP))).isEqualTo(2);
        assertThat(mailetContext.getSentMails()).as("bounces").isEmpty();
    }

    @Test
    void aRedeliveryShouldSendTheRecipientsNotDeliveredTheFirstTime() throws Exception {
        transport.then(HOP, replying(GREYLISTED, CAROL));
        handOver(JAMES_NAME, BOB, CAROL);

        handOver(JAMES_NAME, BOB, CAROL);

        assertThat(transport.attemptsAt(HOP)).hasSize(2);
        assertThat(transport.attemptsAt(HOP).get(1).recipients()).containsExactly(CAROL);
        assertThat(metrics.countFor(DeliveryMetrics.duplicateDropped(HOP))).isEqualTo(1);
    }

    @Test
    void anotherMailToTheSameRecipientsShouldBeSent() throws Exception {
        handOver(JAMES_NAME, BOB);

        handOver(JAMES_NAME.replace("Mail1764540000000", "Mail1764540000001"), BOB);

        assertThat(transport.attemptsAt(HOP)).hasSize(2);
        assertThat(metrics.countFor(DeliveryMetrics.duplicateDropped(HOP))).isZero();
    }
}
