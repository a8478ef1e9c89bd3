package org.relaypack.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * The {@link FallbackChain} as the engine calls it, from a hop queue or inline: each recipient of a
 * mail is sent once per next hop, whichever copy of the mail a queue gives back. Under the
 * {@link DeliveredLedger}'s claim of the mail key, hop and recipients, the recipients the ledger has as
 * delivered are dropped (logged, counted in the hop's {@code duplicateDropped} metric), the others
 * attempted, and those delivered recorded, before the caller settles and acknowledges the item.
 * A recipient not in the ledger is never dropped.
 */
final class DeliveredOnce {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveredOnce.class);

    private final FallbackChain chain;
    private final DeliveredLedger ledger;
    private final DeliveryMetrics metrics;

    DeliveredOnce(FallbackChain chain, DeliveredLedger ledger, DeliveryMetrics metrics) {
        this.chain = chain;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    /** As {@link FallbackChain#deliver(NextHop, Mail, boolean)}; the result has no outcome for a recipient dropped as delivered. */
    ChainResult deliver(NextHop hop, Mail mail, boolean waitForSession) throws MessagingException {
        try (DeliveredLedger.Claim claim = ledger.claim(DeliveryAttributes.mailKey(mail), hop.name(), mail.getRecipients())) {
            ImmutableList<MailAddress> delivered = claim.delivered();
            ChainResult result = delivered.isEmpty()
                ? chain.deliver(hop, mail, waitForSession)
                : deliverTheOthers(hop, mail, delivered, waitForSession);
            try {
                claim.record(result.recipientsWith(RecipientOutcome.Status.DELIVERED));
            } catch (IOException e) {
                LOGGER.error("Mail {} for next hop {}: could not record its delivery to {} in the delivered ledger; "
                    + "a copy given back after a crash would be delivered again", mail.getName(), hop.name(),
                    result.recipientsWith(RecipientOutcome.Status.DELIVERED), e);
            }
            return result;
        }
    }

    private ChainResult deliverTheOthers(NextHop hop, Mail mail, ImmutableList<MailAddress> delivered, boolean waitForSession)
        throws MessagingException {
        LOGGER.info("Mail {} for next hop {}: {} already delivered, duplicate copy dropped (key {})", mail.getName(), hop.name(),
            delivered, DeliveryAttributes.mailKey(mail));
        metrics.duplicateDropped(hop.name(), delivered.size());
        List<MailAddress> others = new ArrayList<>(mail.getRecipients());
        others.removeAll(delivered);
        if (others.isEmpty()) {
            return ChainResult.of(ImmutableList.of(new ChainResult.Step(hop,
                DeliveryResult.of(ImmutableList.of(), Optional.empty(), Optional.empty(), Optional.empty()))));
        }
        try (MailCopies.QueueCopy copy = MailCopies.forQueue(mail, mail.getName(), others)) {
            return chain.deliver(hop, copy.mail(), waitForSession);
        }
    }
}
