package org.relaypack.operations;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.relaypack.delivery.DeliveryAttributes;

import com.google.common.collect.ImmutableList;

/** One mail waiting in a next hop's queue, as "where is my mail" answers it (JSON by its getters). */
public final class PendingMail {
    static PendingMail of(String hop, String queue, ManageableMailQueue.MailQueueItemView item) {
        Mail mail = item.getMail();
        Optional<Instant> nextAttempt = DeliveryAttributes.notBefore(mail)
            .or(() -> item.getNextDelivery().map(ZonedDateTime::toInstant));
        return new PendingMail(mail.getName(), hop, queue, mail.getMaybeSender().asString(),
            mail.getRecipients().stream().map(MailAddress::asString).collect(ImmutableList.toImmutableList()),
            DeliveryAttributes.acceptedAt(mail), DeliveryAttributes.attempts(mail), nextAttempt, DeliveryAttributes.lastReply(mail));
    }

    private final String name;
    private final String hop;
    private final String queue;
    private final String sender;
    private final ImmutableList<String> recipients;
    private final Optional<Instant> acceptedAt;
    private final int attempts;
    private final Optional<Instant> nextAttempt;
    private final Optional<String> lastError;

    private PendingMail(String name, String hop, String queue, String sender, ImmutableList<String> recipients, Optional<Instant> acceptedAt,
                        int attempts, Optional<Instant> nextAttempt, Optional<String> lastError) {
        this.name = name;
        this.hop = hop;
        this.queue = queue;
        this.sender = sender;
        this.recipients = recipients;
        this.acceptedAt = acceptedAt;
        this.attempts = attempts;
        this.nextAttempt = nextAttempt;
        this.lastError = lastError;
    }

    /** The queue id: James's mail name, derived from the received mail's for each hop's copy. */
    public String getName() {
        return name;
    }

    public String getHop() {
        return hop;
    }

    public String getQueue() {
        return queue;
    }

    /** The envelope sender, "&lt;&gt;" for the null sender. */
    public String getSender() {
        return sender;
    }

    /** The recipients still to deliver through this hop. */
    public List<String> getRecipients() {
        return recipients;
    }

    public Optional<String> getAcceptedAt() {
        return acceptedAt.map(Instant::toString);
    }

    /** Attempts made so far; 0 while the first one is still to come. */
    public int getAttempts() {
        return attempts;
    }

    /** When the next attempt is due; empty when it is due now. */
    public Optional<String> getNextAttempt() {
        return nextAttempt.map(Instant::toString);
    }

    /** The reply of the last failed attempt. */
    public Optional<String> getLastError() {
        return lastError;
    }

    boolean hasName(String wanted) {
        return name.equals(wanted) || name.startsWith(wanted + "-");
    }

    boolean hasRecipient(MailAddress recipient) {
        return recipients.stream().anyMatch(address -> address.equalsIgnoreCase(recipient.asString()));
    }

    @Override
    public String toString() {
        return name + " " + hop + " " + recipients + " attempts=" + attempts + " next=" + nextAttempt + " lastError=" + lastError;
    }
}
