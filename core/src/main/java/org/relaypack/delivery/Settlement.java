package org.relaypack.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.relaypack.delivery.smtp.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * Settles the recipients of one attempt (the role of James's {@code Bouncer}, plus the retry):
 * those refused for good, or out of attempts, go to the mail's {@link FailurePolicy}; those that
 * failed temporarily are queued again in a fresh copy that carries only them, their attempt count
 * and when they are due. Writes the attempt's {@link DeliveryLog} lines. Bounce first, then queue
 * the retry, so that a recipient whose bounce could not be sent is retried rather than lost.
 */
final class Settlement {
    private static final Logger LOGGER = LoggerFactory.getLogger(Settlement.class);

    private final HopQueues queues;
    private final FailureHandler failureHandler;
    private final DeliveryMetrics metrics;
    private final HopHealthTracker health;
    private final Clock clock;

    Settlement(HopQueues queues, FailureHandler failureHandler, DeliveryMetrics metrics, HopHealthTracker health, Clock clock) {
        this.queues = queues;
        this.failureHandler = failureHandler;
        this.metrics = metrics;
        this.health = health;
        this.clock = clock;
    }

    /** What is left to do after an attempt: nothing, or recipients that could be neither bounced nor queued again. */
    static final class Settled {
        static final Settled DONE = new Settled(ImmutableList.of(), Optional.empty());

        private final ImmutableList<MailAddress> pending;
        private final Optional<Exception> cause;

        private Settled(ImmutableList<MailAddress> pending, Optional<Exception> cause) {
            this.pending = pending;
            this.cause = cause;
        }

        boolean isDone() {
            return pending.isEmpty();
        }

        /** The recipients still to do: neither delivered, bounced, nor queued for their retry. */
        ImmutableList<MailAddress> pending() {
            return pending;
        }

        Optional<Exception> cause() {
            return cause;
        }
    }

    /** Settles attempt number {@code attempt} (1 for the first) of the mail at the hop. */
    Settled settle(NextHop hop, Mail mail, int attempt, ChainResult result) {
        ImmutableList<MailAddress> temporary = result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE);
        boolean retry = !temporary.isEmpty() && hop.scheduling().retry().mayRetryAfter(attempt);
        List<RecipientOutcome> toFail = new ArrayList<>(result.with(RecipientOutcome.Status.PERMANENT_FAILURE));
        if (!temporary.isEmpty() && !retry) {
            LOGGER.info("Mail {} still failing for {} at next hop {} after {} attempts: giving up", mail.getName(), temporary, hop.name(), attempt);
            toFail.addAll(result.with(RecipientOutcome.Status.TEMPORARY_FAILURE));
        }
        DeliveryLog.attempt(mail, attempt, result, retry ? ImmutableSet.of() : ImmutableSet.copyOf(temporary), clock.instant());
        List<MailAddress> toRetry = new ArrayList<>(retry ? temporary : ImmutableList.of());
        Optional<Exception> cause = Optional.empty();
        if (!toFail.isEmpty()) {
            try {
                failureHandler.handle(mail, toFail, Optional.of(hop.name()), attempt, Optional.of(result.last()));
                metrics.bounced(hop.name(), toFail.size());
            } catch (Exception e) {
                LOGGER.error("Mail {}: could not bounce {} for next hop {}; they will be retried", mail.getName(),
                    recipients(toFail), hop.name(), e);
                toRetry.addAll(recipients(toFail));
                cause = Optional.of(e);
            }
        }
        if (toRetry.isEmpty()) {
            return Settled.DONE;
        }
        try {
            Optional<SmtpReply> lastReply = result.with(RecipientOutcome.Status.TEMPORARY_FAILURE).stream()
                .map(RecipientOutcome::reply).findFirst();
            Instant due = queueRetry(hop, mail, toRetry, attempt, hop.scheduling().retry().delayAfter(attempt), lastReply);
            metrics.deferred(hop.name(), retry ? temporary.size() : 0);
            LOGGER.debug("Mail {} queued again for {} to next hop {}, attempt {} made, due at {}", mail.getName(), toRetry, hop.name(), attempt, due);
            return Settled.DONE;
        } catch (Exception e) {
            return new Settled(ImmutableList.copyOf(toRetry), Optional.of(cause.map(bounceFailure -> {
                bounceFailure.addSuppressed(e);
                return bounceFailure;
            }).orElse(e)));
        }
    }

    /**
     * Queues a fresh copy of the mail carrying only {@code recipients}, the attempts made and when it
     * is due; on a queue that ignores delays the consumer queues it again, without an attempt, until then.
     */
    Instant queueRetry(NextHop hop, Mail mail, List<MailAddress> recipients, int attemptsMade, Duration delay)
        throws MessagingException {
        return queueRetry(hop, mail, recipients, attemptsMade, delay, Optional.empty());
    }

    /** ... with the reply of the attempt that failed, kept on the copy for "where is my mail" (else the mail's last one stays). */
    Instant queueRetry(NextHop hop, Mail mail, List<MailAddress> recipients, int attemptsMade, Duration delay,
                       Optional<SmtpReply> lastReply) throws MessagingException {
        Instant due = clock.instant().plus(delay);
        try (MailCopies.QueueCopy copy = MailCopies.forQueue(mail, mail.getName(), recipients)) {
            copy.mail().setAttribute(new Attribute(DeliveryAttributes.ATTEMPTS, AttributeValue.of(attemptsMade)));
            DeliveryAttributes.setInstant(copy.mail(), DeliveryAttributes.NOT_BEFORE, due);
            lastReply.ifPresent(reply -> copy.mail().setAttribute(new Attribute(DeliveryAttributes.LAST_REPLY, AttributeValue.of(reply.asString()))));
            queues.queue(hop.name()).enQueue(copy.mail(), delay);
        }
        health.recordRetry(hop.name(), due);
        return due;
    }

    private static ImmutableList<MailAddress> recipients(List<RecipientOutcome> outcomes) {
        return outcomes.stream().map(RecipientOutcome::recipient).collect(ImmutableList.toImmutableList());
    }
}
