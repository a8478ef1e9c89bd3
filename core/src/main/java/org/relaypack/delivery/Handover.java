package org.relaypack.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/** How a mailet hands mail to the engine: a share per next hop, attempted inline or queued. See {@link DeliveryEngine#deliverShares}. */
final class Handover {
    private static final Logger LOGGER = LoggerFactory.getLogger(Handover.class);

    private final HopQueues queues;
    private final InlineFirstAttempt inline;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    Handover(HopQueues queues, InlineFirstAttempt inline, DeliveryMetrics metrics, Clock clock) {
        this.queues = queues;
        this.inline = inline;
        this.metrics = metrics;
        this.clock = clock;
    }

    void enqueue(Mail mail, NextHop hop, FailurePolicy failurePolicy) throws MessagingException {
        MailQueue queue = queues.queue(hop.name());
        mail.removeAttribute(DeliveryAttributes.ATTEMPTS);
        mail.removeAttribute(DeliveryAttributes.NOT_BEFORE);
        mail.removeAttribute(DeliveryAttributes.LAST_REPLY);
        DeliveryAttributes.stampMailKey(mail);
        markAccepted(mail, clock.instant());
        failurePolicy.writeTo(mail);
        queue.enQueue(mail);
        LOGGER.debug("Mail {} queued for {} to next hop {}", mail.getName(), mail.getRecipients(), hop.name());
    }

    void deliverShares(Mail mail, List<HopShare> shares, FailurePolicy failurePolicy) throws MessagingException {
        // Before any copy is made: every copy, and a redelivery of the mail by James's spool, has the same key.
        DeliveryAttributes.stampMailKey(mail);
        List<MailAddress> notHandedOver = new ArrayList<>(mail.getRecipients());
        for (HopShare share : byDestination(shares)) {
            Optional<Settlement.Settled> settled;
            try {
                settled = inline.tryDeliver(mail, share, failurePolicy);
                if (settled.isEmpty()) {
                    queueShare(mail, share, failurePolicy);
                }
            } catch (MessagingException | RuntimeException e) {
                mail.setRecipients(ImmutableList.copyOf(notHandedOver));
                throw e;
            }
            notHandedOver.removeAll(share.originals());
            if (settled.isPresent() && !settled.get().isDone()) {
                notHandedOver.addAll(share.recipients().equals(share.originals()) ? settled.get().pending() : share.originals());
                mail.setRecipients(ImmutableList.copyOf(notHandedOver));
                throw new MessagingException(String.format("Mail %s: could not queue the retry or the bounce of %s for next hop %s",
                    mail.getName(), settled.get().pending(), share.hop().name()), settled.get().cause().orElse(null));
            }
        }
    }

    /**
     * The share of a hop with destination lanes is split per destination (recipient domain), so that
     * each queue item waits for one lane only. A share whose route rewrote addresses is kept whole
     * (its consumer then enters the lanes of all its destinations at once).
     */
    static List<HopShare> byDestination(List<HopShare> shares) {
        List<HopShare> split = new ArrayList<>();
        for (HopShare share : shares) {
            if (!share.hop().hasLanes() || !share.recipients().equals(share.originals())) {
                split.add(share);
                continue;
            }
            Map<String, List<MailAddress>> byDestination = new LinkedHashMap<>();
            share.recipients().forEach(recipient ->
                byDestination.computeIfAbsent(FallbackChain.destination(recipient), any -> new ArrayList<>()).add(recipient));
            byDestination.values().forEach(recipients -> split.add(new HopShare(share.hop(), recipients, recipients)));
        }
        return split;
    }

    private void queueShare(Mail mail, HopShare share, FailurePolicy failurePolicy) throws MessagingException {
        try (MailCopies.QueueCopy copy = shareCopy(mail, share, clock.instant())) {
            enqueue(copy.mail(), share.hop(), failurePolicy);
            metrics.firstAttemptQueued(share.hop().name());
            LOGGER.info("Mail {} queued as {} for {} to next hop {}", mail.getName(), copy.mail().getName(), share.recipients(), share.hop().name());
        }
    }

    /** The share's copy of the mail, named after its hop. It shares the mail's message: the queue keeps its own copy anyway. */
    static MailCopies.QueueCopy shareCopy(Mail mail, HopShare share, Instant now) throws MessagingException {
        return shareCopy(mail, share, MailCopies.derivedName(mail, share.hop().name()), now);
    }

    static MailCopies.QueueCopy shareCopy(Mail mail, HopShare share, String name, Instant now) throws MessagingException {
        MailCopies.QueueCopy copy = MailCopies.forQueue(mail, name, share.recipients());
        markAccepted(copy.mail(), now);
        RewrittenRecipients.applyTo(copy.mail(), share.rewrites(), share.originals());
        return copy;
    }

    private static void markAccepted(Mail mail, Instant now) {
        if (mail.getAttribute(DeliveryAttributes.ACCEPTED_AT).isEmpty()) {
            DeliveryAttributes.setInstant(mail, DeliveryAttributes.ACCEPTED_AT, DeliveryAttributes.acceptedAt(mail).orElse(now));
        }
    }
}
