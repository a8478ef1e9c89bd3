package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.delivery.ScriptedTransport.GREYLISTED;
import static org.relaypack.delivery.ScriptedTransport.UNKNOWN_USER;
import static org.relaypack.delivery.ScriptedTransport.deliverAll;
import static org.relaypack.delivery.ScriptedTransport.failAllTemporarily;
import static org.relaypack.delivery.ScriptedTransport.replying;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.smtp.SmtpReply;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

class DeliveryEngineTest {
    private static final String UPSTREAM = "upstream";
    private static final String UPSTREAM_465 = "upstream-465";
    private static final String OTHER = "other";
    private static final int MAX_ATTEMPTS = 3;
    /** Short enough to retry at once, long enough to be a real delay of the memory queue. */
    private static final RetryPolicy FAST_RETRY = RetryPolicy.of(ImmutableList.of(Duration.ofMillis(1)), MAX_ATTEMPTS);

    private static final NextHop UPSTREAM_HOP = NextHop.builder(UPSTREAM).host(HostSpec.literal("smtp1.provider.example", 587)).build();
    private static final NextHop UPSTREAM_465_HOP = NextHop.builder(UPSTREAM_465).host(HostSpec.literal("smtp2.provider.example", 465)).build();
    private static final NextHop OTHER_HOP = NextHop.builder(OTHER).host(HostSpec.literal("other.example", 25)).build();

    private static final MailAddress SENDER = address("alice@lan.example");
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");
    private static final MailAddress DAVE = address("dave@remote.example");

    private ScriptedTransport transport;
    private FakeMailContext mailetContext;
    private RecordingMetricFactory metricFactory;
    private MemoryMailQueueFactory queueFactory;
    private DeliveryEngine testee;

    private void startEngine(Clock queueClock, RetryPolicy upstreamRetry) {
        transport = new ScriptedTransport();
        mailetContext = FakeMailContext.defaultContext();
        metricFactory = new RecordingMetricFactory();
        queueFactory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory(), queueClock);
        testee = new DeliveryEngine(queueFactory, metricFactory, transport, mailetContext, NextHopsConfiguration.of(
            UPSTREAM_HOP.withScheduling(HopScheduling.of(upstreamRetry, 2, Optional.empty(), HopScheduling.FirstAttempt.INLINE)),
            UPSTREAM_465_HOP.withScheduling(HopScheduling.of(FAST_RETRY, 2, Optional.empty(), HopScheduling.FirstAttempt.INLINE)),
            OTHER_HOP.withScheduling(HopScheduling.of(FAST_RETRY, 2, Optional.empty(), HopScheduling.FirstAttempt.QUEUE))));
        testee.start();
    }

    @BeforeEach
    void setUp() {
        startEngine(Clock.systemUTC(), FAST_RETRY);
    }

    @AfterEach
    void tearDown() {
        testee.stop();
    }

    private Mail mail(String name, MaybeSender sender, MailAddress... recipients) throws MessagingException {
        return FakeMail.builder()
            .name(name)
            .sender(sender)
            .recipients(recipients)
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("test").setText("body"))
            .build();
    }

    private Mail mail(MailAddress... recipients) throws MessagingException {
        return mail("mail1", MaybeSender.of(SENDER), recipients);
    }

    private ManageableMailQueue queue(String hop) {
        return queueFactory.getQueue(DeliveryEngine.queueName(hop)).orElseThrow();
    }

    /** Waits until the hop saw that many attempts and its queue holds nothing, so nothing more can happen. */
    private void awaitSettled(String hop, int attempts) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(transport.attemptsAt(hop)).hasSize(attempts);
            assertThat(queue(hop).getSize()).isZero();
        });
    }

    private static Object attribute(FakeMailContext.SentMail sentMail, org.apache.mailet.AttributeName name) {
        return Optional.ofNullable(sentMail.getAttributes().get(name)).map(Attribute::getValue).map(AttributeValue::value).orElse(null);
    }

    @Test
    void enqueuedMailShouldBeDeliveredOnceToItsHopAndNotToAnother() throws Exception {
        testee.enqueue(mail(BOB, CAROL), UPSTREAM_HOP, FailurePolicy.defaults());

        awaitSettled(UPSTREAM, 1);
        assertThat(transport.attemptsAt(UPSTREAM).get(0).recipients()).containsExactly(BOB, CAROL);
        assertThat(transport.attemptsAt(OTHER)).isEmpty();
        assertThat(mailetContext.getSentMails()).isEmpty();
        assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(2);
        assertThat(metricFactory.executionTimesFor(DeliveryMetrics.deliveryTime(UPSTREAM))).hasSize(1);
    }

    @Test
    void enqueueShouldUseOneJamesQueuePerHop() throws Exception {
        assertThat(queueFactory.listCreatedMailQueues()).extracting(name -> name.asString())
            .containsExactlyInAnyOrder("relaypack-upstream", "relaypack-upstream-465", "relaypack-other");
    }

    @Nested
    class Retries {
        @Test
        void temporaryFailureShouldBeRetriedThenDeliveredExactlyOnce() throws Exception {
            transport.then(UPSTREAM, failAllTemporarily());

            testee.enqueue(mail(BOB), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 2);
            assertThat(transport.attemptsAt(UPSTREAM)).allSatisfy(attempt -> assertThat(attempt.recipients()).containsExactly(BOB));
            assertThat(mailetContext.getSentMails()).isEmpty();
            assertThat(metricFactory.countFor(DeliveryMetrics.deferred(UPSTREAM))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.bounced(UPSTREAM))).isZero();
        }

        @Test
        void retryShouldCarryOnlyTheRecipientsThatFailedTemporarily() throws Exception {
            transport.then(UPSTREAM, replying(GREYLISTED, CAROL));

            testee.enqueue(mail(BOB, CAROL, DAVE), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 2);
            assertThat(transport.attemptsAt(UPSTREAM).get(0).recipients()).containsExactly(BOB, CAROL, DAVE);
            assertThat(transport.attemptsAt(UPSTREAM).get(1).recipients()).containsExactly(CAROL);
            assertThat(transport.attemptsAt(UPSTREAM).get(1).mailName()).isEqualTo("mail1");
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(3);
        }

        @Test
        void exhaustedAttemptsShouldBounceWithTheLastReply() throws Exception {
            transport.always(UPSTREAM, failAllTemporarily());

            testee.enqueue(mail(BOB, CAROL), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, MAX_ATTEMPTS);
            assertThat(mailetContext.getSentMails()).hasSize(1);
            FakeMailContext.SentMail bounce = mailetContext.getSentMails().get(0);
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(bounce.getRecipients()).containsExactly(BOB, CAROL);
            assertThat(bounce.getSender()).isEqualTo(SENDER);
            assertThat(attribute(bounce, DeliveryAttributes.DELIVERY_ERROR)).isEqualTo(GREYLISTED.asString());
            assertThat(attribute(bounce, DeliveryAttributes.DELIVERY_ERROR_CODE)).isEqualTo(451);
            assertThat(attribute(bounce, DeliveryAttributes.IS_DELIVERY_PERMANENT_ERROR)).isEqualTo(false);
            assertThat(attribute(bounce, DeliveryAttributes.ATTEMPTS)).isEqualTo(MAX_ATTEMPTS);
            assertThat(attribute(bounce, DeliveryAttributes.NEXT_HOP)).isEqualTo(UPSTREAM);
            assertThat(attribute(bounce, DeliveryAttributes.LAST_HOST)).isEqualTo("upstream.example:25");
            assertThat(metricFactory.countFor(DeliveryMetrics.deferred(UPSTREAM))).isEqualTo(2 * (MAX_ATTEMPTS - 1));
            assertThat(metricFactory.countFor(DeliveryMetrics.bounced(UPSTREAM))).isEqualTo(2);
        }

        @Test
        void deferredMailShouldWaitTheScheduledDelayWithItsAttemptCount() throws Exception {
            testee.stop();
            Clock frozen = Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC);
            startEngine(frozen, RetryPolicy.of(ImmutableList.of(Duration.ofMinutes(5), Duration.ofMinutes(10)), 5));
            transport.then(UPSTREAM, replying(GREYLISTED, CAROL));

            testee.enqueue(mail(BOB, CAROL), UPSTREAM_HOP, FailurePolicy.defaults());

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(transport.attemptsAt(UPSTREAM)).hasSize(1);
                List<ManageableMailQueue.MailQueueItemView> waiting = ImmutableList.copyOf(queue(UPSTREAM).browse());
                assertThat(waiting).hasSize(1);
                assertThat(waiting.get(0).getNextDelivery()).contains(ZonedDateTime.parse("2026-01-01T10:05:00Z"));
                assertThat(waiting.get(0).getMail().getRecipients()).containsExactly(CAROL);
                assertThat(waiting.get(0).getMail().getAttribute(DeliveryAttributes.ATTEMPTS))
                    .contains(new Attribute(DeliveryAttributes.ATTEMPTS, AttributeValue.of(1)));
            });
        }

        @Test
        void transportExceptionShouldBeATemporaryFailure() throws Exception {
            AtomicInteger calls = new AtomicInteger();
            transport.then(UPSTREAM, recipient -> {
                calls.incrementAndGet();
                throw new IllegalStateException("transport bug");
            });

            testee.enqueue(mail(BOB), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 2);
            assertThat(calls).hasValue(1);
            assertThat(mailetContext.getSentMails()).isEmpty();
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(1);
        }
    }

    @Nested
    class QueueIgnoringDelays {
        private MutableClock clock;
        private DelayIgnoringQueueFactory ignoringFactory;

        @BeforeEach
        void withQueueIgnoringDelays() {
            testee.stop();
            clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
            transport = new ScriptedTransport();
            mailetContext = FakeMailContext.defaultContext();
            metricFactory = new RecordingMetricFactory();
            queueFactory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
            ignoringFactory = new DelayIgnoringQueueFactory(queueFactory);
            testee = new DeliveryEngine(ignoringFactory, metricFactory, transport, mailetContext,
                NextHopsConfiguration.of(UPSTREAM_HOP.withScheduling(
                    HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofHours(1)), 2), 1, Optional.empty(), HopScheduling.FirstAttempt.INLINE))),
                clock, Duration.ofMillis(5));
            testee.start();
        }

        @Test
        void mailGivenBackBeforeItsRetryTimeShouldBeQueuedAgainWithoutAnAttempt() throws Exception {
            transport.then(UPSTREAM, failAllTemporarily());

            testee.enqueue(mail(BOB), UPSTREAM_HOP, FailurePolicy.defaults());

            // Queued, deferred, then given back early and queued again several times.
            await().atMost(Duration.ofSeconds(10)).until(() -> ignoringFactory.enqueues() >= 5);
            assertThat(transport.attemptsAt(UPSTREAM)).hasSize(1);
            assertThat(mailetContext.getSentMails()).isEmpty();
        }

        @Test
        void mailQueuedAgainShouldBeAttemptedOnceItsTimeHasCome() throws Exception {
            transport.then(UPSTREAM, failAllTemporarily());
            testee.enqueue(mail(BOB), UPSTREAM_HOP, FailurePolicy.defaults());
            await().atMost(Duration.ofSeconds(10)).until(() -> ignoringFactory.enqueues() >= 3);

            clock.advance(Duration.ofHours(1));

            awaitSettled(UPSTREAM, 2);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(1);
            assertThat(mailetContext.getSentMails()).isEmpty();
        }
    }

    @Nested
    class Fallback {
        @BeforeEach
        void withFallback() {
            testee.stop();
            transport = new ScriptedTransport();
            mailetContext = FakeMailContext.defaultContext();
            metricFactory = new RecordingMetricFactory();
            queueFactory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
            testee = new DeliveryEngine(queueFactory, metricFactory, transport, mailetContext, NextHopsConfiguration.of(
                UPSTREAM_HOP.withScheduling(HopScheduling.of(FAST_RETRY, 2, Optional.of(UPSTREAM_465), HopScheduling.FirstAttempt.INLINE)),
                UPSTREAM_465_HOP.withScheduling(HopScheduling.of(FAST_RETRY, 2, Optional.empty(), HopScheduling.FirstAttempt.INLINE))));
            testee.start();
        }

        @Test
        void hopDownBehindAWorkingFallbackShouldHaveItsNextFirstAttemptsQueued() throws Exception {
            // A retry delay long enough for the pause that follows a failed first attempt to last through the test.
            testee.stop();
            testee = new DeliveryEngine(queueFactory, metricFactory, transport, mailetContext, NextHopsConfiguration.of(
                UPSTREAM_HOP.withScheduling(
                    HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofMinutes(5)), MAX_ATTEMPTS), 2, Optional.of(UPSTREAM_465), HopScheduling.FirstAttempt.INLINE)),
                UPSTREAM_465_HOP.withScheduling(HopScheduling.of(FAST_RETRY, 2, Optional.empty(), HopScheduling.FirstAttempt.INLINE))));
            testee.start();
            transport.then(UPSTREAM, failAllTemporarily());
            List<HopShare> toUpstream = List.of(new HopShare(
                testee.configuration().hop(UPSTREAM).orElseThrow(), List.of(BOB), List.of(BOB)));

            testee.deliverShares(mail(BOB), toUpstream, FailurePolicy.defaults());
            testee.deliverShares(mail("mail2", MaybeSender.of(SENDER), BOB), toUpstream, FailurePolicy.defaults());

            // The fallback delivered the first mail inline; the hop itself failed, so the second waits in its queue.
            assertThat(transport.attemptsAt(UPSTREAM_465)).extracting(ScriptedTransport.Attempt::mailName).first().isEqualTo("mail1");
            assertThat(metricFactory.countFor(DeliveryMetrics.inlineFirst(UPSTREAM))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.queuedFirst(UPSTREAM))).isEqualTo(1);
            awaitSettled(UPSTREAM, 2);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM_465))).isEqualTo(1);
        }

        @Test
        void temporaryFailuresShouldGoToTheFallbackHopInTheSameAttempt() throws Exception {
            transport.then(UPSTREAM, replying(GREYLISTED, CAROL));

            testee.enqueue(mail(BOB, CAROL), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            await().untilAsserted(() -> assertThat(transport.attemptsAt(UPSTREAM_465)).hasSize(1));
            assertThat(transport.attemptsAt(UPSTREAM_465).get(0).recipients()).containsExactly(CAROL);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM_465))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.deferred(UPSTREAM))).isZero();
        }

        @Test
        void permanentFailureShouldNotGoToTheFallbackHop() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, CAROL));

            testee.enqueue(mail(BOB, CAROL), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            assertThat(transport.attemptsAt(UPSTREAM_465)).isEmpty();
            assertThat(mailetContext.getSentMails()).extracting(FakeMailContext.SentMail::getRecipients).containsExactly(List.of(CAROL));
        }

        @Test
        void failureAtBothHopsShouldBeRetriedFromThePrimaryHop() throws Exception {
            transport.then(UPSTREAM, failAllTemporarily()).then(UPSTREAM_465, failAllTemporarily());

            testee.enqueue(mail(BOB), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 2);
            assertThat(transport.attemptsAt(UPSTREAM_465)).hasSize(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(1);
        }
    }

    @Nested
    class Bounces {
        @Test
        void onlyThePermanentlyFailedRecipientShouldBeBounced() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, CAROL));

            testee.enqueue(mail(BOB, CAROL, DAVE), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails()).hasSize(1);
            FakeMailContext.SentMail bounce = mailetContext.getSentMails().get(0);
            assertThat(bounce.getRecipients()).containsExactly(CAROL);
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(attribute(bounce, DeliveryAttributes.DELIVERY_ERROR)).isEqualTo("550 5.1.1 User unknown");
            assertThat(attribute(bounce, DeliveryAttributes.DELIVERY_ERROR_CODE)).isEqualTo(550);
            assertThat(attribute(bounce, DeliveryAttributes.IS_DELIVERY_PERMANENT_ERROR)).isEqualTo(true);
            assertThat(attribute(bounce, DeliveryAttributes.TLS_PROTOCOL)).isEqualTo("TLSv1.3");
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(2);
            assertThat(metricFactory.countFor(DeliveryMetrics.bounced(UPSTREAM))).isEqualTo(1);
        }

        @Test
        void differentRepliesShouldGiveOneBouncePerReply() throws Exception {
            SmtpReply mailboxFull = SmtpReply.of(552, "5.2.2 Mailbox full");
            transport.then(UPSTREAM, recipient -> recipient.equals(BOB)
                ? RecipientOutcome.permanentFailure(recipient, UNKNOWN_USER)
                : RecipientOutcome.permanentFailure(recipient, mailboxFull));

            testee.enqueue(mail(BOB, CAROL, DAVE), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails())
                .extracting(sent -> ImmutableMap.of(attribute(sent, DeliveryAttributes.DELIVERY_ERROR), List.copyOf(sent.getRecipients())))
                .containsExactlyInAnyOrder(
                    ImmutableMap.of("550 5.1.1 User unknown", List.of(BOB)),
                    ImmutableMap.of("552 5.2.2 Mailbox full", List.of(CAROL, DAVE)));
        }

        @Test
        void bounceShouldGoToTheProcessorOfTheFailurePolicy() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, BOB));

            testee.enqueue(mail(BOB), UPSTREAM_HOP, FailurePolicy.bounceTo("relay-bounces"));

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails()).extracting(FakeMailContext.SentMail::getState).containsExactly("relay-bounces");
        }

        @Test
        void nullSenderShouldGetNoBounce() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, BOB));

            testee.enqueue(mail("dsn", MaybeSender.nullSender(), BOB), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails()).isEmpty();
            assertThat(metricFactory.countFor(DeliveryMetrics.bounced(UPSTREAM))).isEqualTo(1);
        }

        @Test
        void notifyNeverShouldSuppressTheBounceOfThatRecipientOnly() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, BOB, CAROL));
            Mail mail = mail(BOB, CAROL);
            mail.setDsnParameters(DsnParameters.builder()
                .addRcptParameter(BOB, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.NEVER)))
                .build().orElseThrow());

            testee.enqueue(mail, UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails()).extracting(FakeMailContext.SentMail::getRecipients).containsExactly(List.of(CAROL));
        }

        @Test
        void notifyWithoutFailureShouldSuppressTheBounce() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, BOB));
            Mail mail = mail(BOB);
            mail.setDsnParameters(DsnParameters.builder()
                .addRcptParameter(BOB, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.SUCCESS, DsnParameters.Notify.DELAY)))
                .build().orElseThrow());

            testee.enqueue(mail, UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails()).isEmpty();
        }

        @Test
        void notifyFailureShouldBounceAndKeepTheDsnParametersForDsnBounce() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, BOB));
            Mail mail = mail(BOB);
            mail.setDsnParameters(DsnParameters.builder()
                .envId(DsnParameters.EnvId.of("envelope-42"))
                .ret(DsnParameters.Ret.HDRS)
                .addRcptParameter(BOB, DsnParameters.RecipientDsnParameters.of(EnumSet.of(DsnParameters.Notify.FAILURE)))
                .build().orElseThrow());

            testee.enqueue(mail, UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails()).hasSize(1);
            FakeMailContext.SentMail bounce = mailetContext.getSentMails().get(0);
            Mail asMail = FakeMail.builder().name("copy").attributes(List.copyOf(bounce.getAttributes().values())).build();
            assertThat(asMail.dsnParameters().orElseThrow().getEnvIdParameter()).contains(DsnParameters.EnvId.of("envelope-42"));
            assertThat(asMail.dsnParameters().orElseThrow().getRetParameter()).contains(DsnParameters.Ret.HDRS);
        }

        @Test
        void errorPolicyShouldSendFailuresToTheErrorProcessorEvenForTheNullSender() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, BOB));

            testee.enqueue(mail("dsn", MaybeSender.nullSender(), BOB, CAROL), UPSTREAM_HOP, FailurePolicy.errorTo("relay-error"));

            awaitSettled(UPSTREAM, 1);
            assertThat(mailetContext.getSentMails()).hasSize(1);
            assertThat(mailetContext.getSentMails().get(0).getState()).isEqualTo("relay-error");
            assertThat(mailetContext.getSentMails().get(0).getRecipients()).containsExactly(BOB);
        }

        @Test
        void failedBounceShouldKeepTheMailQueuedInsteadOfLosingIt() throws Exception {
            testee.stop();
            AtomicInteger bounceCalls = new AtomicInteger();
            FakeMailContext failingOnce = FakeMailContext.defaultContext();
            transport = new ScriptedTransport();
            queueFactory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
            metricFactory = new RecordingMetricFactory();
            org.apache.mailet.MailetContext context = (org.apache.mailet.MailetContext) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.apache.mailet.MailetContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendMail") && bounceCalls.incrementAndGet() == 1) {
                        throw new MessagingException("spool is full");
                    }
                    return method.invoke(failingOnce, args);
                });
            testee = new DeliveryEngine(queueFactory, metricFactory, transport, context,
                NextHopsConfiguration.of(UPSTREAM_HOP.withScheduling(
                    HopScheduling.of(FAST_RETRY, 1, Optional.empty(), HopScheduling.FirstAttempt.INLINE))));
            testee.start();
            transport.always(UPSTREAM, replying(UNKNOWN_USER, CAROL));

            testee.enqueue(mail(BOB, CAROL), UPSTREAM_HOP, FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 2);
            assertThat(transport.attemptsAt(UPSTREAM).get(1).recipients()).containsExactly(CAROL);
            assertThat(failingOnce.getSentMails()).extracting(FakeMailContext.SentMail::getRecipients).containsExactly(List.of(CAROL));
        }
    }

    @Nested
    class InlineFirstAttempt {
        private List<HopShare> sharesFor(String hop, MailAddress... recipients) {
            return List.of(new HopShare(testee.configuration().hop(hop).orElseThrow(), List.of(recipients), List.of(recipients)));
        }

        @Test
        void shouldDeliverBeforeReturningAndQueueNothing() throws Exception {
            testee.deliverShares(mail(BOB, CAROL), sharesFor(UPSTREAM, BOB, CAROL), FailurePolicy.defaults());

            assertThat(transport.attemptsAt(UPSTREAM)).hasSize(1);
            assertThat(transport.attemptsAt(UPSTREAM).get(0).recipients()).containsExactly(BOB, CAROL);
            // A share carrying all of the mail's recipients is sent from the mail itself: no copy, its own name.
            assertThat(transport.attemptsAt(UPSTREAM).get(0).mailName()).isEqualTo("mail1");
            assertThat(queue(UPSTREAM).getSize()).isZero();
            assertThat(metricFactory.countFor(DeliveryMetrics.inlineFirst(UPSTREAM))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.queuedFirst(UPSTREAM))).isZero();
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(2);
            assertThat(transport.attemptsAt(OTHER)).isEmpty();
        }

        @Test
        void hopWithQueuedFirstAttemptShouldGetTheMailFromItsQueue() throws Exception {
            testee.deliverShares(mail(BOB), sharesFor(OTHER, BOB), FailurePolicy.defaults());

            awaitSettled(OTHER, 1);
            assertThat(metricFactory.countFor(DeliveryMetrics.queuedFirst(OTHER))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.inlineFirst(OTHER))).isZero();
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(OTHER))).isEqualTo(1);
        }

        @Test
        void permanentFailureShouldBounceAtOnceAndQueueNothing() throws Exception {
            transport.then(UPSTREAM, replying(UNKNOWN_USER, CAROL));

            testee.deliverShares(mail(BOB, CAROL), sharesFor(UPSTREAM, BOB, CAROL), FailurePolicy.defaults());

            assertThat(mailetContext.getSentMails()).hasSize(1);
            FakeMailContext.SentMail bounce = mailetContext.getSentMails().get(0);
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(bounce.getRecipients()).containsExactly(CAROL);
            assertThat(attribute(bounce, DeliveryAttributes.DELIVERY_ERROR)).isEqualTo(UNKNOWN_USER.asString());
            assertThat(attribute(bounce, DeliveryAttributes.ATTEMPTS)).isEqualTo(1);
            assertThat(queue(UPSTREAM).getSize()).isZero();
            assertThat(transport.attemptsAt(UPSTREAM)).hasSize(1);
        }

        @Test
        void temporaryFailureShouldBeRetriedFromTheQueueForThoseRecipientsOnly() throws Exception {
            transport.then(UPSTREAM, replying(GREYLISTED, CAROL));

            testee.deliverShares(mail(BOB, CAROL), sharesFor(UPSTREAM, BOB, CAROL), FailurePolicy.defaults());

            awaitSettled(UPSTREAM, 2);
            assertThat(transport.attemptsAt(UPSTREAM).get(1).recipients()).containsExactly(CAROL);
            assertThat(metricFactory.countFor(DeliveryMetrics.delivered(UPSTREAM))).isEqualTo(2);
            assertThat(metricFactory.countFor(DeliveryMetrics.deferred(UPSTREAM))).isEqualTo(1);
            assertThat(mailetContext.getSentMails()).isEmpty();
        }

        @Test
        void failedHopShouldHaveTheNextMailsQueuedWithTheAttemptCounted() throws Exception {
            testee.stop();
            Clock frozen = Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC);
            startEngine(frozen, RetryPolicy.of(ImmutableList.of(Duration.ofMinutes(5), Duration.ofMinutes(10)), 5));
            transport.always(UPSTREAM, failAllTemporarily());

            testee.deliverShares(mail(BOB), sharesFor(UPSTREAM, BOB), FailurePolicy.defaults());
            testee.deliverShares(mail("mail2", MaybeSender.of(SENDER), CAROL), sharesFor(UPSTREAM, CAROL), FailurePolicy.defaults());

            // The first mail's attempt counts: it waits its first retry delay. The second is queued (its consumer may have taken it already).
            assertThat(transport.attemptsAt(UPSTREAM)).extracting(ScriptedTransport.Attempt::recipients).startsWith(List.of(BOB))
                .containsOnlyOnce(List.of(BOB));
            assertThat(metricFactory.countFor(DeliveryMetrics.inlineFirst(UPSTREAM))).isEqualTo(1);
            assertThat(metricFactory.countFor(DeliveryMetrics.queuedFirst(UPSTREAM))).isEqualTo(1);
            ImmutableList<ManageableMailQueue.MailQueueItemView> waiting = ImmutableList.copyOf(queue(UPSTREAM).browse());
            ManageableMailQueue.MailQueueItemView retry = waiting.stream()
                .filter(item -> item.getMail().getRecipients().contains(BOB)).findFirst().orElseThrow();
            assertThat(retry.getNextDelivery()).contains(ZonedDateTime.parse("2026-01-01T10:05:00Z"));
            assertThat(retry.getMail().getAttribute(DeliveryAttributes.ATTEMPTS))
                .contains(new Attribute(DeliveryAttributes.ATTEMPTS, AttributeValue.of(1)));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(transport.attemptsAt(UPSTREAM)).extracting(ScriptedTransport.Attempt::recipients).contains(List.of(CAROL)));
        }

        @Test
        void busyHopShouldHaveTheMailQueuedInsteadOfWaiting() throws Exception {
            testee.stop();
            CountDownLatch firstAttemptStarted = new CountDownLatch(1);
            CountDownLatch releaseFirstAttempt = new CountDownLatch(1);
            List<List<MailAddress>> delivered = new CopyOnWriteArrayList<>();
            HopTransport firstBlocks = new HopTransport() {
                private final AtomicInteger calls = new AtomicInteger();

                @Override
                public DeliveryResult deliver(NextHop hop, Mail mail) {
                    if (calls.incrementAndGet() == 1) {
                        firstAttemptStarted.countDown();
                        try {
                            releaseFirstAttempt.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    delivered.add(ImmutableList.copyOf(mail.getRecipients()));
                    return DeliveryResult.of(mail.getRecipients().stream().map(deliverAll()).collect(ImmutableList.toImmutableList()),
                        Optional.of("upstream.example:25"), Optional.empty(), Optional.empty());
                }

                @Override
                public void close() {
                }
            };
            NextHop oneConnection = NextHop.builder(UPSTREAM).host(HostSpec.literal("smtp1.provider.example", 587)).maxConnections(1).build();
            metricFactory = new RecordingMetricFactory();
            testee = new DeliveryEngine(queueFactory, metricFactory, firstBlocks, mailetContext,
                NextHopsConfiguration.of(oneConnection.withScheduling(
                    HopScheduling.of(FAST_RETRY, 1, Optional.empty(), HopScheduling.FirstAttempt.INLINE))));
            testee.start();
            ExecutorService spoolThread = Executors.newSingleThreadExecutor();
            try {
                Future<?> first = spoolThread.submit(() -> {
                    testee.deliverShares(mail(BOB), sharesFor(UPSTREAM, BOB), FailurePolicy.defaults());
                    return null;
                });
                assertThat(firstAttemptStarted.await(10, TimeUnit.SECONDS)).isTrue();

                testee.deliverShares(mail("mail2", MaybeSender.of(SENDER), CAROL), sharesFor(UPSTREAM, CAROL), FailurePolicy.defaults());

                assertThat(metricFactory.countFor(DeliveryMetrics.queuedFirst(UPSTREAM))).isEqualTo(1);
                releaseFirstAttempt.countDown();
                first.get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(delivered).containsExactlyInAnyOrder(List.of(BOB), List.of(CAROL)));
                assertThat(metricFactory.countFor(DeliveryMetrics.inlineFirst(UPSTREAM))).isEqualTo(1);
            } finally {
                releaseFirstAttempt.countDown();
                spoolThread.shutdownNow();
            }
        }
    }

    @Test
    void failShouldBounceRecipientsWithoutAHop() throws Exception {
        SmtpReply noRoute = SmtpReply.of(550, "5.4.4 No next hop");

        testee.fail(mail(BOB, CAROL), List.of(CAROL), noRoute, FailurePolicy.defaults());

        assertThat(mailetContext.getSentMails()).hasSize(1);
        assertThat(mailetContext.getSentMails().get(0).getRecipients()).containsExactly(CAROL);
        assertThat(attribute(mailetContext.getSentMails().get(0), DeliveryAttributes.DELIVERY_ERROR)).isEqualTo("550 5.4.4 No next hop");
        assertThat(transport.attempts()).isEmpty();
    }

    @Test
    void stopShouldEndTheConsumersAndCloseTheTransport() {
        testee.start();
        assertThat(testee.isStarted()).isTrue();
        assertThat(transport.isClosed()).isFalse();

        testee.stop();

        assertThat(testee.isStarted()).isFalse();
        assertThat(transport.isClosed()).isTrue();
    }
}
