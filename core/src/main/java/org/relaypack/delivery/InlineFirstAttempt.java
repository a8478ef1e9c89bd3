package org.relaypack.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/**
 * The first attempt of a share made in the caller's thread (a James spool thread), for hops whose
 * first attempt is {@link HopScheduling.FirstAttempt#INLINE inline}, when one of the hop's
 * connections is free and the hop has not just failed (its {@link InlineGate}), the share's
 * destination lanes have room, and fewer than {@code spoolShare} inline attempts of all hops run
 * (so that they never hold every spool thread); then bounces and the queued retry, as for an
 * attempt from the queue. The attempt never waits for a pooled session: the recipients whose
 * sessions were all busy are queued for their first attempt, as if they had not been tried.
 */
final class InlineFirstAttempt {
    private static final Logger LOGGER = LoggerFactory.getLogger(InlineFirstAttempt.class);

    private final ImmutableMap<String, InlineGate> gates;
    private final Semaphore spoolShare;
    private final int spoolShareLimit;
    private final DestinationLanes lanes;
    private final DeliveredOnce chain;
    private final Settlement settlement;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    /** @param spoolShare inline attempts of all hops at once; 0 makes every first attempt a queued one */
    InlineFirstAttempt(NextHopsConfiguration configuration, int spoolShare, DestinationLanes lanes, DeliveredOnce chain,
                       Settlement settlement, DeliveryMetrics metrics, Clock clock) {
        this.gates = configuration.hops().values().stream()
            .filter(hop -> hop.scheduling().firstAttempt() == HopScheduling.FirstAttempt.INLINE)
            .collect(ImmutableMap.toImmutableMap(NextHop::name, hop -> new InlineGate(hop.pool().maxConnections())));
        this.spoolShare = new Semaphore(spoolShare);
        this.spoolShareLimit = spoolShare;
        this.lanes = lanes;
        this.chain = chain;
        this.settlement = settlement;
        this.metrics = metrics;
        this.clock = clock;
    }

    int spoolShare() {
        return spoolShareLimit;
    }

    /**
     * Makes the share's first attempt now if its hop allows it, and settles it.
     *
     * @return empty when the share must be queued instead; otherwise what is left to do
     * @throws MessagingException when the share's copy could not be made or queued
     */
    Optional<Settlement.Settled> tryDeliver(Mail mail, HopShare share, FailurePolicy failurePolicy) throws MessagingException {
        InlineGate gate = gates.get(share.hop().name());
        if (gate == null || !spoolShare.tryAcquire()) {
            return Optional.empty();
        }
        try {
            if (!gate.tryEnter(clock.instant())) {
                return Optional.empty();
            }
            try {
                return deliverInLanes(mail, share, failurePolicy, gate);
            } finally {
                gate.exit();
            }
        } finally {
            spoolShare.release();
        }
    }

    private Optional<Settlement.Settled> deliverInLanes(Mail mail, HopShare share, FailurePolicy failurePolicy, InlineGate gate)
        throws MessagingException {
        if (!share.hop().hasLanes()) {
            return Optional.of(deliver(mail, share, failurePolicy, gate));
        }
        ImmutableSet<String> destinations = share.recipients().stream().map(FallbackChain::destination).collect(ImmutableSet.toImmutableSet());
        Optional<DestinationLanes.Ticket> ticket = lanes.tryEnter(share.hop(), destinations, clock.instant());
        if (ticket.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(deliver(mail, share, failurePolicy, gate));
        } finally {
            ticket.get().close();
        }
    }

    /** A delivery of the hop from its queue ends the pause of its inline attempts. */
    void hopDelivered(String hop) {
        Optional.ofNullable(gates.get(hop)).ifPresent(InlineGate::resume);
    }

    /**
     * The attempt only reads the mail: a share carrying all of the mail's recipients is sent from the
     * mail itself, and copied only if something is left to bounce or retry.
     */
    private Settlement.Settled deliver(Mail mail, HopShare share, FailurePolicy failurePolicy, InlineGate gate) throws MessagingException {
        NextHop hop = share.hop();
        MailCopies.QueueCopy copy = null;
        try {
            if (!share.recipients().equals(ImmutableList.copyOf(mail.getRecipients()))) {
                copy = Handover.shareCopy(mail, share, clock.instant());
            }
            Mail toSend = copy != null ? copy.mail() : mail;
            metrics.firstAttemptInline(hop.name());
            TimeMetric timer = metrics.deliveryTimer(hop.name());
            ChainResult result = chain.deliver(hop, toSend, false);
            timer.stopAndPublish();
            ImmutableList<MailAddress> busy = result.with(RecipientOutcome.Status.TEMPORARY_FAILURE).stream()
                .filter(outcome -> HopTransport.isBusy(outcome.reply()))
                .map(RecipientOutcome::recipient)
                .collect(ImmutableList.toImmutableList());
            result = busy.isEmpty() ? result : result.without(busy);
            if (result.hopFailedTemporarily()) {
                Instant until = gate.pause(clock.instant(), hop.scheduling().retry().delayAfter(1));
                LOGGER.info("Next hop {} failed the first attempt of mail {}: first attempts are queued until {}", hop.name(), toSend.getName(), until);
            }
            if (busy.isEmpty() && result.with(RecipientOutcome.Status.DELIVERED).size() == share.recipients().size()) {
                DeliveryLog.attempt(toSend, 1, result, ImmutableSet.of(), clock.instant());
                return Settlement.Settled.DONE;
            }
            if (copy == null) {
                // Named as the mail the attempt was made from: the log lines of a mail keep one queue id.
                copy = Handover.shareCopy(mail, share, toSend.getName(), clock.instant());
            }
            failurePolicy.writeTo(copy.mail());
            if (!busy.isEmpty()) {
                // Nothing was sent to them: their first attempt is the queue's.
                settlement.queueRetry(hop, copy.mail(), busy, 0, Duration.ZERO);
                metrics.firstAttemptQueued(hop.name());
                LOGGER.info("Mail {}: every session of next hop {} was busy for {}: queued for their first attempt", toSend.getName(),
                    hop.name(), busy);
            }
            if (result.outcomes().isEmpty()) {
                return Settlement.Settled.DONE;
            }
            return settlement.settle(hop, copy.mail(), 1, result);
        } finally {
            if (copy != null) {
                copy.close();
            }
        }
    }
}
