package org.relaypack.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.metrics.api.TimeMetric;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/**
 * The first attempt of a share made in the caller's thread (a James spool thread), for hops whose
 * first attempt is {@link ConfiguredHop.FirstAttempt#INLINE inline}, when one of the hop's
 * connections is free and the hop has not just failed (its {@link InlineGate}); then bounces and
 * the queued retry, as for an attempt from the queue.
 */
final class InlineFirstAttempt {
    private static final Logger LOGGER = LoggerFactory.getLogger(InlineFirstAttempt.class);

    private final ImmutableMap<String, InlineGate> gates;
    private final FallbackChain chain;
    private final Settlement settlement;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    InlineFirstAttempt(NextHopsConfiguration configuration, FallbackChain chain, Settlement settlement, DeliveryMetrics metrics, Clock clock) {
        this.gates = configuration.hops().values().stream()
            .filter(hop -> hop.firstAttempt() == ConfiguredHop.FirstAttempt.INLINE)
            .collect(ImmutableMap.toImmutableMap(ConfiguredHop::name, hop -> new InlineGate(hop.hop().maxConnections())));
        this.chain = chain;
        this.settlement = settlement;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Makes the share's first attempt now if its hop allows it, and settles it.
     *
     * @return empty when the share must be queued instead; otherwise what is left to do
     * @throws MessagingException when the share's copy could not be made (nothing was attempted)
     */
    Optional<Settlement.Settled> tryDeliver(Mail mail, DeliveryEngine.HopShare share, FailurePolicy failurePolicy) throws MessagingException {
        InlineGate gate = gates.get(share.hop().name());
        if (gate == null || !gate.tryEnter(clock.instant())) {
            return Optional.empty();
        }
        try {
            return Optional.of(deliver(mail, share, failurePolicy, gate));
        } finally {
            gate.exit();
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
    private Settlement.Settled deliver(Mail mail, DeliveryEngine.HopShare share, FailurePolicy failurePolicy, InlineGate gate) throws MessagingException {
        ConfiguredHop hop = share.hop();
        MailCopies.QueueCopy copy = null;
        try {
            if (!share.recipients().equals(ImmutableList.copyOf(mail.getRecipients()))) {
                copy = Handover.shareCopy(mail, share, clock.instant());
            }
            Mail toSend = copy != null ? copy.mail() : mail;
            metrics.firstAttemptInline(hop.name());
            TimeMetric timer = metrics.deliveryTimer(hop.name());
            ChainResult result = chain.deliver(hop, toSend);
            timer.stopAndPublish();
            if (result.hopFailedTemporarily()) {
                Instant until = gate.pause(clock.instant(), hop.retry().delayAfter(1));
                LOGGER.info("Next hop {} failed the first attempt of mail {}: first attempts are queued until {}", hop.name(), toSend.getName(), until);
            }
            if (result.with(RecipientOutcome.Status.DELIVERED).size() == share.recipients().size()) {
                DeliveryLog.attempt(toSend, 1, result, ImmutableSet.of(), clock.instant());
                return Settlement.Settled.DONE;
            }
            if (copy == null) {
                // Named as the mail the attempt was made from: the log lines of a mail keep one queue id.
                copy = Handover.shareCopy(mail, share, toSend.getName(), clock.instant());
            }
            failurePolicy.writeTo(copy.mail());
            return settlement.settle(hop, copy.mail(), 1, result);
        } finally {
            if (copy != null) {
                copy.close();
            }
        }
    }
}
