package org.relaypack.delivery;

import java.util.Objects;

import org.apache.james.core.MailAddress;
import org.relaypack.delivery.smtp.SmtpReply;

import com.google.common.base.MoreObjects;

/** What happened to one recipient in one delivery attempt. */
public final class RecipientOutcome {
    public enum Status {
        DELIVERED,
        /** Retry later: 4xx, I/O error, TLS policy not met, every host down. */
        TEMPORARY_FAILURE,
        /** Bounce: 5xx. */
        PERMANENT_FAILURE
    }

    public static RecipientOutcome delivered(MailAddress recipient, SmtpReply reply) {
        return new RecipientOutcome(recipient, Status.DELIVERED, reply);
    }

    public static RecipientOutcome temporaryFailure(MailAddress recipient, SmtpReply reply) {
        return new RecipientOutcome(recipient, Status.TEMPORARY_FAILURE, reply);
    }

    public static RecipientOutcome permanentFailure(MailAddress recipient, SmtpReply reply) {
        return new RecipientOutcome(recipient, Status.PERMANENT_FAILURE, reply);
    }

    private final MailAddress recipient;
    private final Status status;
    private final SmtpReply reply;

    private RecipientOutcome(MailAddress recipient, Status status, SmtpReply reply) {
        this.recipient = Objects.requireNonNull(recipient);
        this.status = Objects.requireNonNull(status);
        this.reply = Objects.requireNonNull(reply);
    }

    /** The same outcome for another address: the original recipient a rewritten one stands for. */
    public RecipientOutcome forRecipient(MailAddress other) {
        return new RecipientOutcome(other, status, reply);
    }

    public MailAddress recipient() {
        return recipient;
    }

    public Status status() {
        return status;
    }

    /** The server's reply for this recipient (RCPT or end of DATA), or the local description of the failure. */
    public SmtpReply reply() {
        return reply;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof RecipientOutcome) {
            RecipientOutcome that = (RecipientOutcome) o;
            return recipient.equals(that.recipient) && status == that.status && reply.equals(that.reply);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(recipient, status, reply);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("recipient", recipient).add("status", status).add("reply", reply).toString();
    }
}
