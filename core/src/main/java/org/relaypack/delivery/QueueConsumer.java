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
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.queue.api.MailQueue;
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
 *   <li>a mail not due yet, or whose destination lane is full, is queued again with the time it has left
 *       and acknowledged at once, without an attempt: it never occupies the queue's prefetch while it waits;</li>
 *   <li>otherwise it is attempted, settled (see {@link Settlement}: a retry is a fresh copy carrying only
 *       the recipients left and the attempts made) and only then acknowledged: a crash means the item
 *       comes back (at least once), never that it is lost;</li>
 *   <li>when nothing can be queued, the item is handed back ({@code done(RETRY)}), see {@link ItemCompletion};</li>
 *   <li>anything thrown, Errors included, settles the item with a retry instead of leaving it unsettled.</li>
 * </ul>
 */
final class QueueConsumer {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueConsumer.class);
    /** A mail given back less than this before its time is attempted: clocks of queue nodes differ a little. */
    static final Duration EARLINESS_TOLERANCE = Duration.ofSeconds(1);
    /** A mail whose destination lane is full comes back after this long. */
    static final Duration LANE_FULL_DELAY = Duration.ofSeconds(1);

    private final DeliveredOnce chain;
    private final DestinationLanes lanes;
    private final Settlement settlement;
    private final ItemCompletion completion;
    private final DeliveryMetrics metrics;
    private final Consumer<String> onHopDelivered;
    private final Clock clock;
    /** After queueing an early mail again, its slot stays taken this long: a queue ignoring delays cannot spin. */
    private final Duration earlyPause;
    private final Set<String> warnedIgnoredDelays = ConcurrentHashMap.newKeySet();

    QueueConsumer(DeliveredOnce chain, DestinationLanes lanes, Settlement settlement, Redeliveries redeliveries, DeliveryMetrics metrics,
                  Consumer<String> onHopDelivered, Clock clock, Duration earlyPause) {
        this.chain = chain;
        this.lanes = lanes;
        this.settlement = settlement;
        this.completion = new ItemCompletion(redeliveries);
        this.metrics = metrics;
        this.onHopDelivered = onHopDelivered;
        this.clock = clock;
        this.earlyPause = earlyPause;
    }

    /**
     * @param scheduler the hop's threads
     * @param unprovenScheduler the threads of a mail entering a lane not known to work yet (the hop's
     *     own for a hop without lanes)
     */
    Mono<Void> handle(NextHop hop, MailQueue queue, MailQueue.MailQueueItem item, Scheduler scheduler, Scheduler unprovenScheduler) {
        Optional<Duration> early = DeliveryAttributes.notBefore(item.getMail())
            .map(notBefore -> Duration.between(clock.instant(), notBefore))
            .filter(remaining -> remaining.compareTo(EARLINESS_TOLERANCE) > 0);
        if (early.isPresent()) {
            warnOnceOfIgnoredDelays(hop, queue, item.getMail());
            return requeueWithoutAttempt(hop, queue, item, early.get(), "it is not due yet");
        }
        if (!hop.hasLanes()) {
            return Mono.fromCallable(() -> process(hop, item)).subscribeOn(scheduler).flatMap(then -> then);
        }
        Optional<DestinationLanes.Ticket> ticket = lanes.tryEnter(hop, destinations(item.getMail()), clock.instant());
        if (ticket.isEmpty()) {
            return requeueWithoutAttempt(hop, queue, item, LANE_FULL_DELAY, "the lane of " + destinations(item.getMail()) + " is full");
        }
        return Mono.fromCallable(() -> process(hop, item)).subscribeOn(ticket.get().holdsUnproven() ? unprovenScheduler : scheduler)
            .flatMap(then -> then)
            .doFinally(signal -> ticket.get().close());
    }

    static ImmutableSet<String> destinations(Mail mail) {
        return mail.getRecipients().stream().map(FallbackChain::destination).collect(ImmutableSet.toImmutableSet());
    }

    /**
     * Queues the mail again for {@code delay} and acknowledges the item, without an attempt: it never
     * occupies the queue's prefetch while it waits. Its slot stays taken for a while, so that a queue
     * ignoring delays does not spin on it. Not on a thread of the hop: its deliveries are running.
     */
    private Mono<Void> requeueWithoutAttempt(NextHop hop, MailQueue queue, MailQueue.MailQueueItem item, Duration delay, String why) {
        return Mono.fromCallable(() -> {
            Mail mail = item.getMail();
            LOGGER.debug("Mail {} for next hop {}: {}, queued again for {}", mail.getName(), hop.name(), why, delay);
            try (MailCopies.QueueCopy copy = MailCopies.forQueue(mail, mail.getName(), mail.getRecipients())) {
                queue.enQueue(copy.mail(), delay);
            } catch (Exception e) {
                LOGGER.error("Mail {} for next hop {}: could not queue it again ({})", mail.getName(), hop.name(), why, e);
                return completion.handBack(hop, item, ImmutableList.copyOf(mail.getRecipients()), DeliveryAttributes.attempts(mail),
                    ImmutableSet.of());
            }
            completion.acknowledge(hop, item);
            return Mono.delay(earlyPause).then();
        }).subscribeOn(Schedulers.boundedElastic()).flatMap(then -> then);
    }

    /** A queue that ignores delays (James's RabbitMQ queue) gives mail back before its time: said once per hop. */
    private void warnOnceOfIgnoredDelays(NextHop hop, MailQueue queue, Mail mail) {
        if (warnedIgnoredDelays.add(hop.name())) {
            LOGGER.warn("Queue {} gave back mail {} before its retry time: it ignores delays (James's RabbitMQ queue does). "
                + "Such mail is queued again, without an attempt, until its time comes.", queue.getName().asString(), mail.getName());
        }
    }

    private Mono<Void> process(NextHop hop, MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        Progress progress = new Progress(DeliveryAttributes.attempts(mail));
        try {
            completion.recall(hop, mail).ifPresent(memo -> progress.recall(mail, memo));
            if (mail.getRecipients().isEmpty()) {
                LOGGER.warn("Mail {} for next hop {} has no recipient left: dropped from the queue", mail.getName(), hop.name());
                return completion.settled(hop, item);
            }
            progress.attempt++;
            progress.attemptMade = true;
            TimeMetric timer = metrics.deliveryTimer(hop.name());
            ChainResult result = chain.deliver(hop, mail, true);
            timer.stopAndPublish();
            if (result.outcomes().isEmpty()) {
                // Every recipient was delivered from another copy of the mail (the ledger's log line says so).
                return completion.settled(hop, item);
            }
            progress.delivered.addAll(result.recipientsWith(RecipientOutcome.Status.DELIVERED));
            if (result.hopDelivered()) {
                onHopDelivered.accept(hop.name());
            }
            Settlement.Settled settled = settlement.settle(hop, mail, progress.attempt, result);
            if (settled.isDone()) {
                return completion.settled(hop, item);
            }
            LOGGER.error("Mail {} for next hop {}: could not queue the retry or the bounce of {}; the queue gets the item back",
                mail.getName(), hop.name(), settled.pending(), settled.cause().orElse(null));
            return completion.handBack(hop, item, settled.pending(), progress.attempt, progress.delivered);
        } catch (Throwable t) {
            return afterThrow(hop, item, progress, t);
        }
    }

    /** Settles an item whose handling threw: a retry of the recipients not delivered, the attempt counted. */
    private Mono<Void> afterThrow(NextHop hop, MailQueue.MailQueueItem item, Progress progress, Throwable t) {
        Mail mail = item.getMail();
        LOGGER.error("Mail {} for next hop {}: unexpected failure; it will be retried", mail.getName(), hop.name(), t);
        int attempts = progress.attemptMade ? progress.attempt : progress.attempt + 1;
        List<MailAddress> pending = new ArrayList<>(mail.getRecipients());
        pending.removeAll(progress.delivered);
        if (t instanceof VirtualMachineError) {
            // Out of memory or stack: nothing more that allocates; the queue keeps the mail.
            return completion.handBack(hop, item, ImmutableList.copyOf(pending), attempts, progress.delivered);
        }
        if (pending.isEmpty()) {
            return completion.settled(hop, item);
        }
        try {
            settlement.queueRetry(hop, mail, pending, attempts, hop.scheduling().retry().delayAfter(attempts));
        } catch (Throwable e) {
            LOGGER.error("Mail {} for next hop {}: could not queue its retry either", mail.getName(), hop.name(), e);
            return completion.handBack(hop, item, ImmutableList.copyOf(pending), attempts, progress.delivered);
        }
        return completion.settled(hop, item);
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
