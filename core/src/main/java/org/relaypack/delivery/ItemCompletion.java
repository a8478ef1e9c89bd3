package org.relaypack.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;

/**
 * Ends a hop queue item, the only two ways James's queues know: acknowledged
 * ({@code done(SUCCESS)}) once what it carried is settled, or handed back ({@code done(RETRY)})
 * when nothing could be queued, after a backoff that grows with each such failure of the hop in a
 * row. What a handed-back item had delivered, and its attempts, are remembered
 * ({@link Redeliveries}) for the redelivery of a queue that hands back the original (RabbitMQ,
 * ActiveMQ), and set on the item's mail for a queue that hands back the mail (James's memory queue).
 */
final class ItemCompletion {
    private static final Logger LOGGER = LoggerFactory.getLogger(ItemCompletion.class);

    private final Redeliveries redeliveries;

    ItemCompletion(Redeliveries redeliveries) {
        this.redeliveries = redeliveries;
    }

    /** What this node remembers of an item it handed back before, now redelivered; empty for any other. */
    Optional<Redeliveries.Memo> recall(NextHop hop, Mail mail) {
        return redeliveries.recall(hop.name(), mail.getName());
    }

    /** The item's recipients are settled: forget what was remembered of it, and acknowledge it. */
    Mono<Void> settled(NextHop hop, MailQueue.MailQueueItem item) {
        redeliveries.forget(hop.name(), item.getMail().getName());
        acknowledge(hop, item);
        return Mono.empty();
    }

    /** Acknowledges the item (its mail is then disposed): the queue forgets it. */
    void acknowledge(NextHop hop, MailQueue.MailQueueItem item) {
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

    /** Nothing could be queued: the queue gets the item back after a backoff, {@code pending} its recipients still to do. */
    Mono<Void> handBack(NextHop hop, MailQueue.MailQueueItem item, ImmutableList<MailAddress> pending, int attempts,
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
}
