package org.relaypack.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Queues, delivers, retries and bounces mail for the configured next hops.
 *
 * Every pending delivery lives in a James {@link MailQueue}, one per next hop, named
 * {@code relaypack-<hop>}: on James's distributed server that queue is RabbitMQ, so pending mail
 * survives a restart and is shared by the nodes. A dequeued mail is delivered through the
 * {@link HopTransport}; recipients the hop (or its fallback chain) accepted are done, recipients
 * that failed temporarily are queued again alone with the next delay of the hop's
 * {@link RetryPolicy}, and recipients that failed permanently or ran out of attempts go to the
 * mail's {@link FailurePolicy}. The queue item is acknowledged only after that: a crash means the
 * mail is delivered again (at least once), never lost.
 *
 * Consumers run between {@link #start()} and {@link #stop()}; each mailet using the engine calls
 * start in its init and stop in its destroy, and the last stop ends the consumers.
 *
 * One instance per James: its dependencies are core bindings only, so Guice creates its
 * just-in-time singleton binding in James's root injector, and every mailet, matcher and SMTP hook
 * (each built by a child injector) gets the same engine. Checked on James 3.8.1 by
 * SmarthostEngineStoryTest.
 */
@Singleton
public class DeliveryEngine {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryEngine.class);

    public static final String CONFIGURATION_COMPONENT = "relaypack";
    public static final String QUEUE_PREFIX = "relaypack-";
    public static final String METRIC_PREFIX = "relaypack.delivery.";
    /** Longest wait of a mail that a delay-ignoring queue gave back early, before it is queued again. */
    static final Duration MAX_HOLD = Duration.ofSeconds(10);
    static final Duration EARLINESS_TOLERANCE = Duration.ofSeconds(1);
    /** Deliveries in flight are bounded by the hop's threads; this bounds items taken from the queue. */
    static final int MAX_IN_FLIGHT = 256;
    static final SmtpReply TRANSPORT_ERROR = SmtpReply.of(451, "4.3.0 Local error in delivery, will retry");

    public static MailQueueName queueName(String hop) {
        return MailQueueName.of(QUEUE_PREFIX + hop);
    }

    /** Names of the per hop metrics: counters of recipients, and the time of one delivery attempt. */
    public static String deliveredMetric(String hop) {
        return METRIC_PREFIX + hop + ".delivered";
    }

    public static String deferredMetric(String hop) {
        return METRIC_PREFIX + hop + ".deferred";
    }

    public static String bouncedMetric(String hop) {
        return METRIC_PREFIX + hop + ".bounced";
    }

    public static String deliveryTimeMetric(String hop) {
        return METRIC_PREFIX + hop + ".deliveryTime";
    }

    /** Counters of the mails (one per hop share) whose first attempt was made inline, and of those queued for it. */
    public static String inlineFirstMetric(String hop) {
        return METRIC_PREFIX + hop + ".firstAttempt.inline";
    }

    public static String queuedFirstMetric(String hop) {
        return METRIC_PREFIX + hop + ".firstAttempt.queued";
    }

    private final MailQueueFactory<?> queueFactory;
    private final MetricFactory metricFactory;
    private final HopTransport transport;
    private final FailureHandler failureHandler;
    private final NextHopsConfiguration configuration;
    private final Clock clock;
    private final Duration maxHold;
    private final Set<String> warnedIgnoredDelays = ConcurrentHashMap.newKeySet();
    /** Hops whose first attempt is inline. */
    private final ImmutableMap<String, InlineGate> gates;

    private int users;
    private ImmutableMap<String, MailQueue> queues = ImmutableMap.of();
    private final List<Disposable> consumers = new ArrayList<>();
    private final List<Scheduler> schedulers = new ArrayList<>();

    /** For James: core bindings only, so that every mailet, matcher and hook gets the same engine. */
    @Inject
    public DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, SmtpTransport transport,
                          MailetContext mailetContext, ConfigurationProvider configurationProvider, FileSystem fileSystem)
        throws ConfigurationException {
        this(queueFactory, metricFactory, transport, mailetContext,
            NextHopsConfiguration.from(configurationProvider.getConfiguration(CONFIGURATION_COMPONENT), fileSystem, System::getenv));
    }

    public DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, HopTransport transport,
                          MailetContext mailetContext, NextHopsConfiguration configuration) {
        this(queueFactory, metricFactory, transport, mailetContext, configuration, Clock.systemUTC(), MAX_HOLD);
    }

    @VisibleForTesting
    DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, HopTransport transport,
                   MailetContext mailetContext, NextHopsConfiguration configuration, Clock clock, Duration maxHold) {
        this.queueFactory = queueFactory;
        this.metricFactory = metricFactory;
        this.transport = transport;
        this.failureHandler = new FailureHandler(mailetContext, clock);
        this.configuration = configuration;
        this.clock = clock;
        this.maxHold = maxHold;
        this.gates = configuration.hops().values().stream()
            .filter(hop -> hop.firstAttempt() == ConfiguredHop.FirstAttempt.INLINE)
            .collect(ImmutableMap.toImmutableMap(ConfiguredHop::name, hop -> new InlineGate(hop.hop().maxConnections())));
    }

    public NextHopsConfiguration configuration() {
        return configuration;
    }

    /** Opens the hop queues (once) and starts their consumers, unless already started; counts its users. */
    public synchronized void start() {
        users++;
        if (users > 1) {
            return;
        }
        if (queues.isEmpty()) {
            queues = configuration.hops().keySet().stream()
                .collect(ImmutableMap.toImmutableMap(hop -> hop, hop -> queueFactory.createQueue(queueName(hop))));
        }
        for (ConfiguredHop hop : configuration.hops().values()) {
            MailQueue queue = queues.get(hop.name());
            Scheduler scheduler = Schedulers.newBoundedElastic(hop.concurrency(), Integer.MAX_VALUE, QUEUE_PREFIX + hop.name());
            schedulers.add(scheduler);
            // A JMS queue's deQueue() blocks its subscriber in receive(): dequeue on a thread of its own,
            // not on the caller's (James's mailet init) nor on a delivery thread.
            Scheduler dequeuer = Schedulers.newSingle(QUEUE_PREFIX + hop.name() + "-dequeue");
            schedulers.add(dequeuer);
            // The scheduler's threads bound the deliveries; held early items wait on a timer, not a thread.
            consumers.add(Flux.from(queue.deQueue())
                .subscribeOn(dequeuer)
                .flatMap(item -> handle(hop, queue, item, scheduler)
                    .onErrorResume(e -> {
                        LOGGER.error("Unexpected error delivering mail {} to next hop {}", item.getMail().getName(), hop.name(), e);
                        return Mono.empty();
                    }), MAX_IN_FLIGHT)
                .subscribe(any -> { }, e -> LOGGER.error("Consumer of queue {} stopped", queue.getName().asString(), e)));
            LOGGER.info("Delivering from queue {} to next hop {} with {} concurrent deliveries",
                queue.getName().asString(), hop.name(), hop.concurrency());
        }
    }

    /** True between the first {@link #start()} and the last {@link #stop()}: the hop queues are being consumed. */
    public synchronized boolean isStarted() {
        return users > 0;
    }

    /**
     * Ends the consumers when the last user stops. The queues stay open (James owns their lifecycle):
     * queued mail waits there for the next start.
     */
    public synchronized void stop() {
        if (users == 0) {
            return;
        }
        users--;
        if (users > 0) {
            return;
        }
        consumers.forEach(Disposable::dispose);
        consumers.clear();
        schedulers.forEach(Scheduler::dispose);
        schedulers.clear();
        transport.close();
    }

    /**
     * Queues the mail, for the recipients it carries, for delivery to the hop. The caller hands over
     * the mail: pass a copy if you keep using it.
     */
    public void enqueue(Mail mail, NextHop hop, FailurePolicy failurePolicy) throws MessagingException {
        MailQueue queue = queue(hop.name());
        mail.removeAttribute(DeliveryAttributes.ATTEMPTS);
        mail.removeAttribute(DeliveryAttributes.NOT_BEFORE);
        failurePolicy.writeTo(mail);
        queue.enQueue(mail);
        LOGGER.debug("Mail {} queued for {} to next hop {}", mail.getName(), mail.getRecipients(), hop.name());
    }

    /** One next hop's share of a mail: the recipients its copy carries, and the mail's recipients they stand for. */
    public static final class HopShare {
        private final ConfiguredHop hop;
        private final ImmutableList<MailAddress> recipients;
        private final ImmutableList<MailAddress> originals;

        /** {@code originals} differ from {@code recipients} only where a route rewrote an address. */
        public HopShare(ConfiguredHop hop, Collection<MailAddress> recipients, Collection<MailAddress> originals) {
            this.hop = hop;
            this.recipients = ImmutableList.copyOf(recipients);
            this.originals = ImmutableList.copyOf(originals);
        }
    }

    /**
     * Hands the engine one copy of the mail per share, named after the hop. A hop whose first
     * attempt is {@link ConfiguredHop.FirstAttempt#INLINE inline} gets it now, in this thread, when
     * one of its connections is free and it has not just failed; then only what failed
     * temporarily is queued for the retry, and what failed for good is bounced, as from the queue.
     * Every other share is queued.
     *
     * If handing over fails part way, the mail is left carrying only the recipients not handed over
     * yet and the exception propagates, so that James's error processor keeps exactly what is still
     * to do: nothing lost, nothing queued twice. (Where a route rewrote addresses and an inline
     * attempt had delivered some of them, the mail keeps every recipient of that share: they may be
     * delivered twice, never lost.)
     */
    public void deliverShares(Mail mail, List<HopShare> shares, FailurePolicy failurePolicy) throws MessagingException {
        List<MailAddress> notHandedOver = new ArrayList<>(mail.getRecipients());
        for (HopShare share : shares) {
            InlineGate gate = gates.get(share.hop.name());
            boolean inline = gate != null && gate.tryEnter(clock.instant());
            try {
                if (inline) {
                    deliverNow(mail, share, failurePolicy, gate);
                } else {
                    queueShare(mail, share, failurePolicy);
                }
            } catch (StillPending e) {
                notHandedOver.removeAll(share.originals);
                notHandedOver.addAll(share.recipients.equals(share.originals) ? e.recipients : share.originals);
                mail.setRecipients(ImmutableList.copyOf(notHandedOver));
                throw e;
            } catch (MessagingException | RuntimeException e) {
                mail.setRecipients(ImmutableList.copyOf(notHandedOver));
                throw e;
            } finally {
                if (inline) {
                    gate.exit();
                }
            }
            notHandedOver.removeAll(share.originals);
        }
    }

    private void queueShare(Mail mail, HopShare share, FailurePolicy failurePolicy) throws MessagingException {
        try (MailCopies.QueueCopy copy = shareCopy(mail, share)) {
            enqueue(copy.mail(), share.hop.hop(), failurePolicy);
            metricFactory.generate(queuedFirstMetric(share.hop.name())).increment();
            LOGGER.info("Mail {} queued as {} for {} to next hop {}", mail.getName(), copy.mail().getName(), share.recipients, share.hop.name());
        }
    }

    /** The share's copy of the mail, named after its hop. It shares the mail's message: the queue keeps its own copy anyway. */
    private static MailCopies.QueueCopy shareCopy(Mail mail, HopShare share) throws MessagingException {
        return MailCopies.forQueue(mail, MailCopies.derivedName(mail, share.hop.name()), share.recipients);
    }

    /**
     * The first attempt, made in the caller's thread; then bounces and the queued retry, as for a
     * queued attempt. The attempt only reads the mail: a share carrying all of the mail's recipients
     * is sent from the mail itself, and copied only if something is left to bounce or retry.
     */
    private void deliverNow(Mail mail, HopShare share, FailurePolicy failurePolicy, InlineGate gate) throws MessagingException {
        ConfiguredHop hop = share.hop;
        MailCopies.QueueCopy copy = null;
        try {
            if (!share.recipients.equals(ImmutableList.copyOf(mail.getRecipients()))) {
                copy = shareCopy(mail, share);
            }
            Mail toSend = copy != null ? copy.mail() : mail;
            metricFactory.generate(inlineFirstMetric(hop.name())).increment();
            TimeMetric timer = metricFactory.timer(deliveryTimeMetric(hop.name()));
            Attempt result = deliverThroughFallbacks(hop, toSend);
            timer.stopAndPublish();
            if (result.hopFailedTemporarily()) {
                Instant until = gate.pause(clock.instant(), hop.retry().delayAfter(1));
                LOGGER.info("Next hop {} failed the first attempt of mail {}: first attempts are queued until {}", hop.name(), toSend.getName(), until);
            }
            if (result.with(RecipientOutcome.Status.DELIVERED).size() == share.recipients.size()) {
                return;
            }
            if (copy == null) {
                copy = shareCopy(mail, share);
            }
            failurePolicy.writeTo(copy.mail());
            List<MailAddress> pending = new ArrayList<>();
            try {
                settle(hop, copy.mail(), 1, result, pending);
            } catch (Exception e) {
                throw new StillPending(String.format("Mail %s: could not queue the retry or the bounce of %s for next hop %s",
                    copy.mail().getName(), pending, hop.name()), ImmutableList.copyOf(pending), e);
            }
        } finally {
            if (copy != null) {
                copy.close();
            }
        }
    }

    /** Handing a share over failed after its inline attempt: these of its recipients are still to do. */
    private static final class StillPending extends MessagingException {
        private static final long serialVersionUID = 1L;
        private final transient ImmutableList<MailAddress> recipients;

        private StillPending(String message, ImmutableList<MailAddress> recipients, Exception cause) {
            super(message, cause);
            this.recipients = recipients;
        }
    }

    /**
     * Bounds the inline first attempts of a hop to its pool's connections, and queues them for a
     * while after the hop failed one, so that James's spool threads do not wait on a hop that is down.
     */
    private static final class InlineGate {
        /** Longest pause of inline attempts after a failure; a delivery from the queue ends it sooner. */
        static final Duration MAX_PAUSE = Duration.ofMinutes(1);

        private final Semaphore permits;
        private volatile Instant pausedUntil = Instant.MIN;

        private InlineGate(int permits) {
            this.permits = new Semaphore(permits);
        }

        boolean tryEnter(Instant now) {
            return now.isAfter(pausedUntil) && permits.tryAcquire();
        }

        void exit() {
            permits.release();
        }

        Instant pause(Instant now, Duration retryDelay) {
            Instant until = now.plus(retryDelay.compareTo(MAX_PAUSE) < 0 ? retryDelay : MAX_PAUSE);
            pausedUntil = until;
            return until;
        }

        void resume() {
            pausedUntil = Instant.MIN;
        }
    }

    /** Queues the mail for the hop; its failures follow the policy it carries (default: bounce to "bounces"). */
    public void enqueue(Mail mail, NextHop hop) throws MessagingException {
        enqueue(mail, hop, FailurePolicy.of(mail));
    }

    /** Sends recipients that have no next hop to the mail's failure policy. */
    public ImmutableList<MailAddress> fail(Mail mail, Collection<MailAddress> recipients, SmtpReply reply, FailurePolicy failurePolicy)
        throws MessagingException {
        Mail copy = MailCopies.copy(mail, mail.getName(), recipients);
        try {
            failurePolicy.writeTo(copy);
            return failureHandler.handle(copy,
                recipients.stream().map(recipient -> RecipientOutcome.permanentFailure(recipient, reply)).collect(ImmutableList.toImmutableList()),
                Optional.empty(), 0, Optional.empty());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    private synchronized MailQueue queue(String hop) {
        MailQueue queue = queues.get(hop);
        Preconditions.checkState(queue != null, "next hop '%s' is unknown or the delivery engine is not started (known: %s)",
            hop, configuration.hops().keySet());
        return queue;
    }

    private Mono<Void> handle(ConfiguredHop hop, MailQueue queue, MailQueue.MailQueueItem item, Scheduler scheduler) {
        Optional<Duration> early = notBefore(item.getMail())
            .map(notBefore -> Duration.between(clock.instant(), notBefore))
            .filter(remaining -> remaining.compareTo(EARLINESS_TOLERANCE) > 0);
        if (early.isPresent()) {
            Duration hold = early.get().compareTo(maxHold) > 0 ? maxHold : early.get();
            return Mono.delay(hold)
                .then(Mono.<Void>fromRunnable(() -> requeueEarly(hop, queue, item)).subscribeOn(scheduler));
        }
        return Mono.<Void>fromRunnable(() -> process(hop, queue, item)).subscribeOn(scheduler);
    }

    /**
     * A mail came back before its retry time: the queue ignores delays, as James 3.8.1's RabbitMQ
     * queue does. Rather than spend attempts (and bounce after minutes instead of days), hold it a
     * little and queue it again, without an attempt.
     */
    private void requeueEarly(ConfiguredHop hop, MailQueue queue, MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        if (warnedIgnoredDelays.add(hop.name())) {
            LOGGER.warn("Queue {} gave back mail {} before its retry time: it ignores delays (James's RabbitMQ queue does). "
                + "Such mail is held and queued again until its time comes.", queue.getName().asString(), mail.getName());
        }
        try {
            Duration remaining = notBefore(mail).map(notBefore -> Duration.between(clock.instant(), notBefore)).orElse(Duration.ZERO);
            queue.enQueue(mail, remaining.isNegative() ? Duration.ZERO : remaining);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(mail);
        } catch (Exception e) {
            LOGGER.error("Mail {} for next hop {}: could not queue it again; will be retried", mail.getName(), hop.name(), e);
            retryWhole(mail, ImmutableList.copyOf(mail.getRecipients()), item);
        }
    }

    private static Optional<Instant> notBefore(Mail mail) {
        return mail.getAttribute(DeliveryAttributes.NOT_BEFORE)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(String.class::isInstance)
            .map(String.class::cast)
            .flatMap(DeliveryEngine::parseInstant);
    }

    private static Optional<Instant> parseInstant(String value) {
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            LOGGER.warn("Ignoring unparsable {} attribute '{}'", DeliveryAttributes.NOT_BEFORE.asString(), value);
            return Optional.empty();
        }
    }

    @VisibleForTesting
    void process(ConfiguredHop hop, MailQueue queue, MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        if (mail.getRecipients().isEmpty()) {
            LOGGER.warn("Mail {} for next hop {} has no recipient: dropped from the queue", mail.getName(), hop.name());
            doneQuietly(mail, item);
            return;
        }
        int attempt = attempts(mail) + 1;
        TimeMetric timer = metricFactory.timer(deliveryTimeMetric(hop.name()));
        Attempt result = deliverThroughFallbacks(hop, mail);
        timer.stopAndPublish();
        if (result.hopDelivered()) {
            Optional.ofNullable(gates.get(hop.name())).ifPresent(InlineGate::resume);
        }
        List<MailAddress> pending = new ArrayList<>();
        try {
            settle(hop, mail, attempt, result, pending);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(mail);
        } catch (Exception e) {
            LOGGER.error("Mail {} for next hop {}: could not queue the retry or the bounce of {}; will be retried",
                mail.getName(), hop.name(), pending, e);
            retryWhole(mail, pending, item);
        }
    }

    /**
     * After an attempt: bounces the recipients that failed for good or ran out of attempts, then
     * queues the retry of those that failed temporarily. Bounce first, then queue the retry: whatever
     * fails, {@code pending} holds exactly the recipients left to do.
     */
    private void settle(ConfiguredHop hop, Mail mail, int attempt, Attempt result, List<MailAddress> pending)
        throws MessagingException {
        List<RecipientOutcome> temporary = result.with(RecipientOutcome.Status.TEMPORARY_FAILURE);
        List<RecipientOutcome> toFail = new ArrayList<>(result.with(RecipientOutcome.Status.PERMANENT_FAILURE));
        pending.addAll(recipients(temporary));
        pending.addAll(recipients(toFail));
        boolean retry = !temporary.isEmpty() && hop.retry().mayRetryAfter(attempt);
        if (!temporary.isEmpty() && !retry) {
            LOGGER.info("Mail {} still failing for {} at next hop {} after {} attempts: giving up",
                mail.getName(), recipients(temporary), hop.name(), attempt);
            toFail.addAll(temporary);
        }
        if (!toFail.isEmpty()) {
            failureHandler.handle(mail, toFail, Optional.of(hop.name()), attempt, Optional.of(result.last));
            metricFactory.generate(bouncedMetric(hop.name())).add(toFail.size());
            pending.removeAll(recipients(toFail));
        }
        if (retry) {
            Duration delay = hop.retry().delayAfter(attempt);
            // The queue keeps its own copy (memory) or a serialized one (RabbitMQ): the mail is ours to change.
            mail.setRecipients(recipients(temporary));
            mail.setAttribute(new Attribute(DeliveryAttributes.ATTEMPTS, AttributeValue.of(attempt)));
            mail.setAttribute(new Attribute(DeliveryAttributes.NOT_BEFORE, AttributeValue.of(clock.instant().plus(delay).toString())));
            queue(hop.name()).enQueue(mail, delay);
            pending.clear();
            metricFactory.generate(deferredMetric(hop.name())).add(temporary.size());
            LOGGER.info("Mail {} deferred for {} at next hop {} after attempt {}: {}; next attempt in {}",
                mail.getName(), recipients(temporary), hop.name(), attempt, temporary.get(0).reply().asString(), delay);
        }
    }

    private void doneQuietly(Mail mail, MailQueue.MailQueueItem item) {
        try {
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            LifecycleUtil.dispose(mail);
        } catch (Exception e) {
            LOGGER.error("Mail {}: could not acknowledge the queue item", mail.getName(), e);
        }
    }

    private void retryWhole(Mail mail, List<MailAddress> pending, MailQueue.MailQueueItem item) {
        try {
            // Keep delivered recipients out of the redelivery where the queue allows it (memory queue).
            mail.setRecipients(ImmutableList.copyOf(pending));
            item.done(pending.isEmpty() ? MailQueue.MailQueueItem.CompletionStatus.SUCCESS : MailQueue.MailQueueItem.CompletionStatus.RETRY);
        } catch (Exception e) {
            LOGGER.error("Mail {}: could not hand the queue item back", mail.getName(), e);
        } finally {
            // The queue redelivers its own copy (the memory queue clones the mail again on RETRY, RabbitMQ keeps
            // the message): this one is ours to release, as after a delivery.
            LifecycleUtil.dispose(mail);
        }
    }

    private Attempt deliverThroughFallbacks(ConfiguredHop hop, Mail mail) {
        Map<MailAddress, RecipientOutcome> outcomes = new LinkedHashMap<>();
        ConfiguredHop current = hop;
        Mail toSend = mail;
        DeliveryResult first = null;
        DeliveryResult last;
        while (true) {
            last = deliver(current, toSend);
            if (first == null) {
                first = last;
            }
            if (toSend != mail) {
                LifecycleUtil.dispose(toSend);
            }
            ImmutableList<RecipientOutcome> delivered = last.outcomes().stream()
                .filter(outcome -> outcome.status() == RecipientOutcome.Status.DELIVERED)
                .collect(ImmutableList.toImmutableList());
            last.outcomes().forEach(outcome -> outcomes.put(outcome.recipient(), outcome));
            if (!delivered.isEmpty()) {
                metricFactory.generate(deliveredMetric(current.name())).add(delivered.size());
            }
            if (!delivered.isEmpty() && LOGGER.isInfoEnabled()) {
                LOGGER.info("Mail {} delivered to {} via next hop {} ({}{})", mail.getName(), recipients(delivered), current.name(),
                    last.host().orElse("no host"), last.tlsProtocol().map(protocol -> ", " + protocol).orElse(", no TLS"));
            }
            ImmutableList<MailAddress> temporary = last.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE);
            if (temporary.isEmpty() || current.fallback().isEmpty()) {
                break;
            }
            ConfiguredHop fallback = configuration.hop(current.fallback().get()).orElseThrow();
            LOGGER.info("Mail {}: next hop {} failed temporarily for {}, trying fallback {}", mail.getName(), current.name(), temporary, fallback.name());
            try {
                toSend = MailCopies.copy(mail, mail.getName(), temporary);
            } catch (MessagingException e) {
                LOGGER.error("Mail {}: could not copy it for fallback {}", mail.getName(), fallback.name(), e);
                break;
            }
            current = fallback;
        }
        return new Attempt(ImmutableList.copyOf(outcomes.values()), first, last);
    }

    /** The transport never throws for a delivery failure; anything else is a temporary failure of every recipient. */
    private DeliveryResult deliver(ConfiguredHop hop, Mail mail) {
        DeliveryResult result;
        try {
            result = transport.deliver(hop.hop(), mail);
        } catch (RuntimeException e) {
            LOGGER.error("Mail {}: transport failed for next hop {}", mail.getName(), hop.name(), e);
            return DeliveryResult.allTemporary(mail.getRecipients(), TRANSPORT_ERROR, Optional.empty());
        }
        List<MailAddress> missing = new ArrayList<>(mail.getRecipients());
        missing.removeAll(recipients(result.outcomes()));
        if (missing.isEmpty()) {
            return result;
        }
        LOGGER.error("Mail {}: transport gave no outcome for {} at next hop {}; will retry them", mail.getName(), missing, hop.name());
        ImmutableList<RecipientOutcome> completed = ImmutableList.<RecipientOutcome>builder()
            .addAll(result.outcomes())
            .addAll(missing.stream().map(recipient -> RecipientOutcome.temporaryFailure(recipient, TRANSPORT_ERROR)).iterator())
            .build();
        return DeliveryResult.of(completed, result.host(), result.tlsProtocol(), result.tlsCipher());
    }

    private static int attempts(Mail mail) {
        return mail.getAttribute(DeliveryAttributes.ATTEMPTS)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(Integer.class::isInstance)
            .map(Integer.class::cast)
            .orElse(0);
    }

    private static ImmutableList<MailAddress> recipients(Collection<RecipientOutcome> outcomes) {
        return outcomes.stream().map(RecipientOutcome::recipient).collect(ImmutableList.toImmutableList());
    }

    private static final class Attempt {
        private final ImmutableList<RecipientOutcome> outcomes;
        private final DeliveryResult first;
        private final DeliveryResult last;

        private Attempt(ImmutableList<RecipientOutcome> outcomes, DeliveryResult first, DeliveryResult last) {
            this.outcomes = outcomes;
            this.first = first;
            this.last = last;
        }

        List<RecipientOutcome> with(RecipientOutcome.Status status) {
            return outcomes.stream().filter(outcome -> outcome.status() == status).collect(ImmutableList.toImmutableList());
        }

        /** The hop itself, its fallbacks apart, delivered to at least one recipient. */
        boolean hopDelivered() {
            return !first.recipientsWith(RecipientOutcome.Status.DELIVERED).isEmpty();
        }

        /** The hop itself, its fallbacks apart, delivered nothing and failed temporarily: it looks down. */
        boolean hopFailedTemporarily() {
            return !hopDelivered() && !first.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE).isEmpty();
        }
    }
}
