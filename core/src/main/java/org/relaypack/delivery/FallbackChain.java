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
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * One delivery attempt of a mail (the role of James's {@code MailDelivrer}): the next hop gets it
 * through the {@link HopTransport}, and the recipients the hop failed temporarily go, in the same
 * attempt, to its fallback hop, and on along the chain (Postfix's {@code smtp_fallback_relay}).
 * Never throws for a delivery failure: every recipient gets an outcome.
 */
final class FallbackChain {
    private static final Logger LOGGER = LoggerFactory.getLogger(FallbackChain.class);
    static final SmtpReply TRANSPORT_ERROR = SmtpReply.of(451, "4.3.0 Local error in delivery, will retry");

    private final HopTransport transport;
    private final NextHopsConfiguration configuration;
    private final DeliveryMetrics metrics;
    private final HopHealthTracker health;
    private final DestinationLanes lanes;
    private final Clock clock;

    FallbackChain(HopTransport transport, NextHopsConfiguration configuration, DeliveryMetrics metrics, HopHealthTracker health,
                  DestinationLanes lanes, Clock clock) {
        this.transport = transport;
        this.configuration = configuration;
        this.metrics = metrics;
        this.health = health;
        this.lanes = lanes;
        this.clock = clock;
    }

    /** Delivers the mail, for the recipients it carries, to the hop and its fallbacks; only reads the mail. */
    ChainResult deliver(NextHop hop, Mail mail) {
        return deliver(hop, mail, true);
    }

    /** As {@link #deliver(NextHop, Mail)}; without waiting for a pooled session when {@code waitForSession} is false. */
    ChainResult deliver(NextHop hop, Mail mail, boolean waitForSession) {
        List<ChainResult.Step> steps = new ArrayList<>();
        NextHop current = hop;
        Mail toSend = mail;
        while (true) {
            DeliveryResult result;
            try {
                result = deliverTo(current, toSend, waitForSession);
            } finally {
                if (toSend != mail) {
                    LifecycleUtil.dispose(toSend);
                }
            }
            steps.add(new ChainResult.Step(current, result));
            metrics.delivered(current.name(), result.recipientsWith(RecipientOutcome.Status.DELIVERED).size());
            if (!allBusy(result)) {
                health.recordAttempt(current.name(), result);
            }
            // A recipient whose sessions were all busy was not tried: its first attempt is the hop's queue's, not the fallback's.
            ImmutableList<MailAddress> temporary = result.outcomes().stream()
                .filter(outcome -> outcome.status() == RecipientOutcome.Status.TEMPORARY_FAILURE && !HopTransport.isBusy(outcome.reply()))
                .map(RecipientOutcome::recipient)
                .collect(ImmutableList.toImmutableList());
            Optional<NextHop> fallback = current.scheduling().fallback().flatMap(configuration::hop);
            if (temporary.isEmpty() || fallback.isEmpty()) {
                return ChainResult.of(steps);
            }
            LOGGER.info("Mail {}: next hop {} failed temporarily for {}, trying fallback {}", mail.getName(), current.name(),
                temporary, fallback.get().name());
            try {
                toSend = MailCopies.copy(mail, mail.getName(), temporary);
            } catch (MessagingException e) {
                LOGGER.error("Mail {}: could not copy it for fallback {}", mail.getName(), fallback.get().name(), e);
                return ChainResult.of(steps);
            }
            current = fallback.get();
        }
    }

    private static boolean allBusy(DeliveryResult result) {
        return !result.outcomes().isEmpty() && result.outcomes().stream()
            .allMatch(outcome -> outcome.status() == RecipientOutcome.Status.TEMPORARY_FAILURE && HopTransport.isBusy(outcome.reply()));
    }

    /**
     * For a hop with destination lanes, the recipients of a dead destination are deferred without a
     * connection, and what the others' attempt says of their destinations is remembered.
     */
    private DeliveryResult deliverTo(NextHop hop, Mail mail, boolean waitForSession) {
        if (!hop.hasLanes()) {
            return send(hop, mail, waitForSession);
        }
        Instant now = clock.instant();
        Map<String, List<MailAddress>> live = new LinkedHashMap<>();
        List<RecipientOutcome> suspended = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            String destination = destination(recipient);
            Optional<DestinationLanes.Dead> dead = lanes.dead(hop, destination, now);
            if (dead.isPresent()) {
                suspended.add(RecipientOutcome.temporaryFailure(recipient, HostFailure.localReply("4.4.1", "delivery to " + destination
                    + " is suspended until " + dead.get().until() + " after: " + dead.get().reason().asString())));
            } else {
                live.computeIfAbsent(destination, any -> new ArrayList<>()).add(recipient);
            }
        }
        if (suspended.isEmpty()) {
            DeliveryResult result = send(hop, mail, waitForSession);
            learn(hop, live, result);
            return result;
        }
        LOGGER.info("Mail {}: next hop {} defers {} without a connection: their destination is dead", mail.getName(), hop.name(),
            suspended.size());
        if (live.isEmpty()) {
            return DeliveryResult.of(suspended, Optional.empty(), Optional.empty(), Optional.empty());
        }
        List<MailAddress> liveRecipients = new ArrayList<>();
        live.values().forEach(liveRecipients::addAll);
        Mail copy;
        try {
            copy = MailCopies.copy(mail, mail.getName(), liveRecipients);
        } catch (MessagingException e) {
            LOGGER.error("Mail {}: could not copy it for the live destinations of next hop {}", mail.getName(), hop.name(), e);
            return DeliveryResult.allTemporary(mail.getRecipients(), TRANSPORT_ERROR, Optional.empty());
        }
        try {
            DeliveryResult result = send(hop, copy, waitForSession);
            learn(hop, live, result);
            return DeliveryResult.of(ImmutableList.<RecipientOutcome>builder().addAll(result.outcomes()).addAll(suspended).build(),
                result.host(), result.tlsProtocol(), result.tlsCipher());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    static String destination(MailAddress recipient) {
        return recipient.getDomain().asString();
    }

    /** A destination that answered is alive; one whose every recipient failed at the connection level is dead for a while. */
    private void learn(NextHop hop, Map<String, List<MailAddress>> byDestination, DeliveryResult result) {
        Map<MailAddress, RecipientOutcome> outcomes = new LinkedHashMap<>();
        result.outcomes().forEach(outcome -> outcomes.put(outcome.recipient(), outcome));
        byDestination.forEach((destination, recipients) -> {
            List<RecipientOutcome> mine = new ArrayList<>();
            recipients.forEach(recipient -> Optional.ofNullable(outcomes.get(recipient)).ifPresent(mine::add));
            if (mine.stream().anyMatch(outcome -> outcome.status() != RecipientOutcome.Status.TEMPORARY_FAILURE)) {
                lanes.alive(hop, destination);
            } else if (!mine.isEmpty() && mine.stream().allMatch(outcome -> DestinationLanes.isConnectionLevel(outcome.reply()))) {
                lanes.failed(hop, destination, mine.get(0).reply(), clock.instant());
            }
        });
    }

    /** The transport never throws for a delivery failure; anything else is a temporary failure of every recipient. */
    private DeliveryResult send(NextHop hop, Mail mail, boolean waitForSession) {
        DeliveryResult result;
        try {
            result = waitForSession ? transport.deliver(hop, mail) : transport.deliverWithoutWaiting(hop, mail);
        } catch (RuntimeException e) {
            LOGGER.error("Mail {}: transport failed for next hop {}", mail.getName(), hop.name(), e);
            return DeliveryResult.allTemporary(mail.getRecipients(), TRANSPORT_ERROR, Optional.empty());
        }
        List<MailAddress> missing = new ArrayList<>(mail.getRecipients());
        result.outcomes().forEach(outcome -> missing.remove(outcome.recipient()));
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
}
