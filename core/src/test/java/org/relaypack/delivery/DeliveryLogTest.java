package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.delivery.ScriptedTransport.GREYLISTED;
import static org.relaypack.delivery.ScriptedTransport.UNKNOWN_USER;
import static org.relaypack.delivery.ScriptedTransport.failAllTemporarily;
import static org.relaypack.delivery.ScriptedTransport.replying;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

class DeliveryLogTest {
    private static final String UPSTREAM = "upstream";
    private static final String BACKUP = "backup";
    private static final NextHop UPSTREAM_HOP = NextHop.builder(UPSTREAM).host(HostSpec.literal("smtp1.provider.example", 587)).build();
    private static final NextHop BACKUP_HOP = NextHop.builder(BACKUP).host(HostSpec.literal("smtp2.provider.example", 465)).build();
    private static final Instant ACCEPTED = Instant.parse("2026-01-01T10:00:00Z");
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");
    private static final MailAddress DAVE = address("dave@remote.example");

    private final ScriptedTransport transport = new ScriptedTransport();

    private DeliveryEngine engine(int maxAttempts, Optional<String> fallback) {
        MutableClock clock = new MutableClock(ACCEPTED.plusMillis(1500));
        DeliveryEngine engine = new DeliveryEngine(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), clock),
            new RecordingMetricFactory(), transport, FakeMailContext.defaultContext(),
            NextHopsConfiguration.of(UPSTREAM_HOP.withScheduling(
                HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofMinutes(5)), maxAttempts), 1, fallback, HopScheduling.FirstAttempt.INLINE)),
                BACKUP_HOP),
            clock, Duration.ofMillis(5));
        engine.start();
        return engine;
    }

    private static Mail mail(MailAddress... recipients) throws MessagingException {
        Mail mail = TestMails.mail("mail1", ImmutableList.copyOf(recipients).stream().map(MailAddress::asString).toArray(String[]::new));
        mail.setLastUpdated(java.util.Date.from(ACCEPTED));
        return mail;
    }

    private List<String> linesOfInlineAttempt(DeliveryEngine testee, Mail mail) {
        try {
            return LogCapture.infoOf(DeliveryLog.LOGGER_NAME, () -> {
                try {
                    testee.deliverShares(mail, List.of(new HopShare(testee.configuration().hop(UPSTREAM).orElseThrow(),
                        mail.getRecipients(), mail.getRecipients())), FailurePolicy.defaults());
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            testee.stop();
        }
    }

    @Test
    void eachOutcomeOfAnAttemptShouldGetOneLineWithItsRecipientsServerDelayAndReply() throws Exception {
        transport.then(UPSTREAM, recipient -> recipient.equals(BOB) ? RecipientOutcome.delivered(recipient, ScriptedTransport.OK)
            : recipient.equals(CAROL) ? RecipientOutcome.temporaryFailure(recipient, GREYLISTED) : RecipientOutcome.permanentFailure(recipient, UNKNOWN_USER));

        List<String> lines = linesOfInlineAttempt(engine(3, Optional.empty()), mail(BOB, CAROL, DAVE));

        assertThat(lines).containsExactly(
            "mail1: from=<sender@relaypack.test>, to=<bob@remote.example>, hop=upstream, relay=upstream.example:25, tls=TLSv1.3, "
                + "delay=1.5, attempt=1, status=sent (250 2.0.0 Ok: queued)",
            "mail1: from=<sender@relaypack.test>, to=<carol@remote.example>, hop=upstream, relay=upstream.example:25, tls=TLSv1.3, "
                + "delay=1.5, attempt=1, status=deferred (451 4.7.1 Greylisted, try again later)",
            "mail1: from=<sender@relaypack.test>, to=<dave@remote.example>, hop=upstream, relay=upstream.example:25, tls=TLSv1.3, "
                + "delay=1.5, attempt=1, status=bounced (550 5.1.1 User unknown)");
    }

    @Test
    void recipientsWithTheSameOutcomeShouldShareTheirLine() throws Exception {
        List<String> lines = linesOfInlineAttempt(engine(3, Optional.empty()), mail(BOB, CAROL));

        assertThat(lines).singleElement().asString()
            .contains("to=<bob@remote.example>,<carol@remote.example>, hop=upstream").endsWith("status=sent (250 2.0.0 Ok: queued)");
    }

    @Test
    void lastAttemptShouldLogItsTemporaryFailureAsBounced() throws Exception {
        transport.then(UPSTREAM, failAllTemporarily());

        List<String> lines = linesOfInlineAttempt(engine(1, Optional.empty()), mail(BOB));

        assertThat(lines).singleElement().asString().contains("to=<bob@remote.example>")
            .endsWith("attempt=1, status=bounced (451 4.7.1 Greylisted, try again later)");
    }

    @Test
    void fallbackShouldGetALineOfItsOwnAfterTheHopsDeferral() throws Exception {
        transport.then(UPSTREAM, replying(GREYLISTED, CAROL));

        List<String> lines = linesOfInlineAttempt(engine(3, Optional.of(BACKUP)), mail(BOB, CAROL));

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("to=<bob@remote.example>, hop=upstream").endsWith("status=sent (250 2.0.0 Ok: queued)");
        assertThat(lines.get(1)).contains("to=<carol@remote.example>, hop=upstream").contains("status=deferred");
        assertThat(lines.get(2)).contains("to=<carol@remote.example>, hop=backup, relay=backup.example:25").endsWith("status=sent (250 2.0.0 Ok: queued)");
    }

    @Test
    void attemptFromTheQueueShouldCarryItsNumber() throws Exception {
        transport.then(UPSTREAM, failAllTemporarily());
        DeliveryEngine testee = engine(3, Optional.empty());
        List<String> lines = LogCapture.infoOf(DeliveryLog.LOGGER_NAME, () -> {
            try {
                testee.enqueue(mail(BOB), UPSTREAM_HOP, FailurePolicy.defaults());
                await().untilAsserted(() -> assertThat(transport.attemptsAt(UPSTREAM)).hasSize(1));
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            } finally {
                testee.stop();
            }
        });

        assertThat(lines).singleElement().asString().startsWith("mail1: from=<sender@relaypack.test>, to=<bob@remote.example>")
            .contains("attempt=1, status=deferred");
    }
}
