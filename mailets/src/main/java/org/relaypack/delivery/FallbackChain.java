package org.relaypack.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
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

    FallbackChain(HopTransport transport, NextHopsConfiguration configuration, DeliveryMetrics metrics, HopHealthTracker health) {
        this.transport = transport;
        this.configuration = configuration;
        this.metrics = metrics;
        this.health = health;
    }

    /** Delivers the mail, for the recipients it carries, to the hop and its fallbacks; only reads the mail. */
    ChainResult deliver(ConfiguredHop hop, Mail mail) {
        List<ChainResult.Step> steps = new ArrayList<>();
        ConfiguredHop current = hop;
        Mail toSend = mail;
        while (true) {
            DeliveryResult result;
            try {
                result = deliverTo(current, toSend);
            } finally {
                if (toSend != mail) {
                    LifecycleUtil.dispose(toSend);
                }
            }
            steps.add(new ChainResult.Step(current, result));
            metrics.delivered(current.name(), result.recipientsWith(RecipientOutcome.Status.DELIVERED).size());
            health.recordAttempt(current.name(), result);
            ImmutableList<MailAddress> temporary = result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE);
            Optional<ConfiguredHop> fallback = current.fallback().flatMap(configuration::hop);
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

    /** The transport never throws for a delivery failure; anything else is a temporary failure of every recipient. */
    private DeliveryResult deliverTo(ConfiguredHop hop, Mail mail) {
        DeliveryResult result;
        try {
            result = transport.deliver(hop.hop(), mail);
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
