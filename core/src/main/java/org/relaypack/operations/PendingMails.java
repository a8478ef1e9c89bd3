package org.relaypack.operations;

import java.util.Optional;
import java.util.function.Predicate;

import javax.inject.Inject;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.ManageableMailQueue;
import org.relaypack.delivery.DeliveryEngine;

import com.google.common.collect.ImmutableList;

/**
 * "Where is my mail" over what James holds: the mails waiting in the next hops' queues
 * ({@code relaypack-<hop>}), browsed, never consumed. A mail delivered or bounced is no longer
 * there: the delivery log tells its end (docs/where-is-my-mail.md).
 */
public class PendingMails {
    private final DeliveryEngine engine;

    @Inject
    public PendingMails(DeliveryEngine engine) {
        this.engine = engine;
    }

    /** The waiting mails that match, hop by hop in configuration order. */
    public ImmutableList<PendingMail> find(Predicate<PendingMail> wanted) {
        ImmutableList.Builder<PendingMail> found = ImmutableList.builder();
        for (String hop : engine.configuration().hops().keySet()) {
            Optional<MailQueue> queue = engine.hopQueue(hop);
            if (queue.isPresent() && queue.get() instanceof ManageableMailQueue) {
                browse(hop, (ManageableMailQueue) queue.get(), wanted, found);
            }
        }
        return found.build();
    }

    private static void browse(String hop, ManageableMailQueue queue, Predicate<PendingMail> wanted, ImmutableList.Builder<PendingMail> found) {
        try {
            ManageableMailQueue.MailQueueIterator items = queue.browse();
            try {
                while (items.hasNext()) {
                    PendingMail mail = PendingMail.of(hop, queue.getName().asString(), items.next());
                    if (wanted.test(mail)) {
                        found.add(mail);
                    }
                }
            } finally {
                items.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot browse queue " + queue.getName().asString() + " of next hop " + hop, e);
        }
    }
}
