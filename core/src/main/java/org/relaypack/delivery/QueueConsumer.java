package org.relaypack.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Handles one item of a hop queue, so that the same holds on any James queue (memory, ActiveMQ,
 * RabbitMQ, which ignores delays, requeues a nack at once and lets 5 items at most be unacknowledged):
 * <ul>
 *   <li>a mail not due yet is queued again with the time it has left and acknowledged at once, without
 *       an attempt: it never occupies the queue's prefetch while it waits;</li>
 *   <li>otherwise it is attempted, settled (see {@link Settlement}: a retry is a fresh copy carrying only
 *       the recipients left and the attempts made) and only then acknowledged: a crash means the item
 *       comes back (at least once), never that it is lost;</li>
 *   <li>when nothing can be queued, the item is handed back ({@code done(RETRY)}) after a backoff that
 *       grows with each such failure in a row, remembering what it delivered ({@link Redeliveries});</li>
 *   <li>anything thrown, Errors included, settles the item with a retry instead of leaving it unsettled.</li>
 * </ul>
 */
final class QueueConsumer {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueConsumer.class);
    /** A mail given back less than this before its time is attempted: clocks of queue nodes differ a little. */
    static final Duration EARLINESS_TOLERANCE = Duration.ofSeconds(1);
    /** A mail whose destination lane is full comes back after this long. */
    static final Duration LANE_FULL_DELAY = Duration.ofSeconds(1);

    private final FallbackChain chain;
    private final DestinationLanes lanes;
    private final Settlement settlement;
    private final Redeliveries redeliveries;
    private final DeliveryMetrics metrics;
    private final Consumer<String> onHopDelivered;
    private final Clock clock;
    /** After queueing an early mail again, its slot stays taken this long: a queue ignoring delays cannot spin. */
    private final Duration earlyPause;
    private final Set<String> warnedIgnoredDelays = ConcurrentHashMap.newKeySet();

    QueueConsumer(FallbackChain chain, DestinationLanes lanes, Settlement settlement, Redeliveries redeliveries, DeliveryMetrics metrics,
                  Consumer<String> onHopDelivered, Clock clock, Duration earlyPause) {
        this.chain = chain;
        this.lanes = lanes;
        this.settlement = settlement;
        this.redeliveries = redeliveries;
        this.metrics = metrics;
        this.onHopDelivered = onHopDelivered;
        this.clock = clock;
        this.earlyPause = earlyPause;
    }

    Mono<Void> handle(ConfiguredHop hop, MailQueue queue, MailQueue.MailQueueItem item, Scheduler scheduler) {
        Optional<Duration> early = DeliveryAttributes.notBefore(item.getMail())
            .map(notBefore -> Duration.between(clock.instant(), notBefore))
            .filter(remaining -> remaining.compareTo(EARLINESS_TOLERANCE) > 0);
        if (early.isPresent()) {
            return Mono.fromCallable(() -> requeueEarly(hop, queue, item, early.get()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(then -> then);
        }
        if (!hop.hasLanes()) {
            return Mono.fromCallable(() -> process(hop, item)).subscribeOn(scheduler).flatMap(then -> then);
        }
        Optional<DestinationLanes.Ticket> ticket = lanes.tryEnter(hop, destinations(item.getMail()), clock.instant());
        if (ticket.isEmpty()) {
            // Not a thread of the hop: the lane's own deliveries are running, the mail waits in the queue.
            return Mono.fromCallable(() -> requeueLaneFull(hop, queue, item))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(then -> then);
        }
        return Mono.fromCallable(() -> process(hop, item)).subscribeOn(scheduler).flatMap(then -> then)
            .doFinally(signal -> ticket.get().close());
    }

    static ImmutableSet<String> destinations(Mail mail) {
        return mail.getRecipients().stream().map(FallbackChain::destination).collect(ImmutableSet.toImmutableSet());
    }

    /**
     * The mail's destination lane is full: queue it again for a moment and acknowledge it, without an
     * attempt. Its slot stays taken for a while, so that a queue ignoring delays does not spin on it.
     */
    private Mono<Void> requeueLaneFull(ConfiguredHop hop, MailQueue queue, MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        LOGGER.debug("Mail {} for next hop {}: the lane of {} is full, queued again for {}", mail.getName(), hop.name(),
            destinations(mail), LANE_FULL_DELAY);
        try (MailCopies.QueueCopy copy = MailCopies.forQueue(mail, mail.getName(), mail.getRecipients())) {
            queue.enQueue(copy.mail(), LANE_FULL_DELAY);
        } catch (Exception e) {
            LOGGER.error("Mail {} for next hop {}: could not queue it again while its lane is full", mail.getName(), hop.name(), e);
            return handBack(hop, item, ImmutableList.copyOf(mail.getRecipients()), DeliveryAttributes.attempts(mail), ImmutableSet.of());
        }
        acknowledge(hop, item);
        return Mono.delay(earlyPause).then();
    }

    /** A queue that ignores delays (James's RabbitMQ queue) gave the mail back before its time: queue it again, no attempt. */
    private Mono<Void> requeueEarly(ConfiguredHop hop, MailQueue queue, MailQueue.MailQueueItem item, Duration remaining) {
        Mail mail = item.getMail();
        if (warnedIgnoredDelays.add(hop.name())) {
            LOGGER.warn("Queue {} gave back mail {} before its retry time: it ignores delays (James's RabbitMQ queue does). "
                + "Such mail is queued again, without an attempt, until its time comes.", queue.getName().asString(), mail.getName());
        }
        try (MailCopies.QueueCopy copy = MailCopies.forQueue(mail, mail.getName(), mail.getRecipients())) {
            queue.enQueue(copy.mail(), remaining);
        } catch (Exception e) {
            LOGGER.error("Mail {} for next hop {}: could not queue it again until its time", mail.getName(), hop.name(), e);
            return handBack(hop, item, ImmutableList.copyOf(mail.getRecipients()), DeliveryAttributes.attempts(mail), ImmutableSet.of());
        }
        acknowledge(hop, item);
        return Mono.delay(earlyPause).then();
    }

    private Mono<Void> process(ConfiguredHop hop, MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        Progress progress = new Progress(DeliveryAttributes.attempts(mail));
        try {
            redeliveries.recall(hop.name(), mail.getName()).ifPresent(memo -> progress.recall(mail, memo));
            if (mail.getRecipients().isEmpty()) {
                LOGGER.warn("Mail {} for next hop {} has no recipient left: dropped from the queue", mail.getName(), hop.name());
                return settled(hop, item);
            }
            progress.attempt++;
            progress.attemptMade = true;
            TimeMetric timer = metrics.deliveryTimer(hop.name());
            ChainResult result = chain.deliver(hop, mail);
            timer.stopAndPublish();
            progress.delivered.addAll(result.recipientsWith(RecipientOutcome.Status.DELIVERED));
            if (result.hopDelivered()) {
                onHopDelivered.accept(hop.name());
            }
            Settlement.Settled settled = settlement.settle(hop, mail, progress.attempt, result);
            if (settled.isDone()) {
                return settled(hop, item);
            }
            LOGGER.error("Mail {} for next hop {}: could not queue the retry or the bounce of {}; the queue gets the item back",
                mail.getName(), hop.name(), settled.pending(), settled.cause().orElse(null));
            return handBack(hop, item, settled.pending(), progress.attempt, progress.delivered);
        } catch (Throwable t) {
            return afterThrow(hop, item, progress, t);
        }
    }

    /** Settles an item whose handling threw: a retry of the recipients not delivered, the attempt counted. */
    private Mono<Void> afterThrow(ConfiguredHop hop, MailQueue.MailQueueItem item, Progress progress, Throwable t) {
        Mail mail = item.getMail();
        LOGGER.error("Mail {} for next hop {}: unexpected failure; it will be retried", mail.getName(), hop.name(), t);
        int attempts = progress.attemptMade ? progress.attempt : progress.attempt + 1;
        List<MailAddress> pending = new ArrayList<>(mail.getRecipients());
        pending.removeAll(progress.delivered);
        if (t instanceof VirtualMachineError) {
            // Out of memory or stack: nothing more that allocates; the queue keeps the mail.
            return handBack(hop, item, ImmutableList.copyOf(pending), attempts, progress.delivered);
        }
        if (pending.isEmpty()) {
            return settled(hop, item);
        }
        try {
            settlement.queueRetry(hop, mail, pending, attempts, hop.retry().delayAfter(attempts));
        } catch (Throwable e) {
            LOGGER.error("Mail {} for next hop {}: could not queue its retry either", mail.getName(), hop.name(), e);
            return handBack(hop, item, ImmutableList.copyOf(pending), attempts, progress.delivered);
        }
        return settled(hop, item);
    }

    private Mono<Void> settled(ConfiguredHop hop, MailQueue.MailQueueItem item) {
        redeliveries.forget(hop.name(), item.getMail().getName());
        acknowledge(hop, item);
        return Mono.empty();
    }

    private void acknowledge(ConfiguredHop hop, MailQueue.MailQueueItem item) {
        try {
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
            redeliveries.queueWorked(hop.name());
        } catch (Exception e) {
            LOGGER.error("Mail {} for next hop {}: could not acknowledge the queue item; the queue may deliver it again",
                item.getMail().getName(), hop.name(), e);
        } finally {
            LifecycleUtil.dispose(item.getMail());
        }
    }

    /**
     * Nothing could be queued: the queue gets the item back after a backoff. Delivered recipients and
     * the attempts are remembered for the redelivery of a queue that hands back the original, and set
     * on the item's mail for a queue that hands back the mail (James's memory queue).
     */
    private Mono<Void> handBack(ConfiguredHop hop, MailQueue.MailQueueItem item, ImmutableList<MailAddress> pending, int attempts,
                                Set<MailAddress> delivered) {
        Mail mail = item.getMail();
        Duration backoff = redeliveries.nextBackoff(hop.name());
        try {
            redeliveries.remember(hop.name(), mail.getName(), attempts, delivered);
            mail.setRecipients(pending);
            mail.setAttribute(new Attribute(DeliveryAttributes.ATTEMPTS, AttributeValue.of(attempts)));
        } catch (Throwable e) {
            LOGGER.error("Mail {}: could not note what was done before handing it back", mail.getName(), e);
        }
        return Mono.delay(backoff).then(Mono.fromRunnable(() -> {
            try {
                item.done(pending.isEmpty() ? MailQueue.MailQueueItem.CompletionStatus.SUCCESS : MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (Exception e) {
                LOGGER.error("Mail {}: could not hand the queue item back", mail.getName(), e);
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }));
    }

    /** What handling one item did so far: the attempt count, and the recipients delivered. */
    private static final class Progress {
        private int attempt;
        private boolean attemptMade;
        private final Set<MailAddress> delivered = new LinkedHashSet<>();

        private Progress(int attemptsBefore) {
            this.attempt = attemptsBefore;
        }

        /** A redelivery of an item this node handed back: skip what it delivered, count on from its attempts. */
        private void recall(Mail mail, Redeliveries.Memo memo) {
            attempt = Math.max(attempt, memo.attempts());
            delivered.addAll(memo.delivered());
            List<MailAddress> left = new ArrayList<>(mail.getRecipients());
            left.removeAll(memo.delivered());
            mail.setRecipients(ImmutableList.copyOf(left));
        }
    }
}
