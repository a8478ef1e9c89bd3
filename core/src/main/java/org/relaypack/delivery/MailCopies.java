package org.relaypack.delivery;

import java.util.Collection;
import java.util.UUID;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Attribute;
import org.apache.mailet.Mail;

import com.google.common.collect.ImmutableList;

/**
 * Copies of a mail for a subset of its recipients, under a name we choose. Not
 * {@code Mail.duplicate()}: James derives a "-!nnnnnnn" name for each duplicate and refuses to
 * duplicate a mail that already carries more than seven of them ("Possible loop in config"), which
 * a mail that was split, bounced and relayed again can reach.
 */
public final class MailCopies {
    /** A copy named {@code name}, carrying exactly {@code recipients}, the message and every attribute. */
    public static MailImpl copy(Mail mail, String name, Collection<MailAddress> recipients) throws MessagingException {
        return builder(mail, name, recipients)
            .mimeMessage(mail.getMessage())
            .build();
    }

    private static MailImpl.Builder builder(Mail mail, String name, Collection<MailAddress> recipients) throws MessagingException {
        return MailImpl.builder()
            .name(name)
            .sender(mail.getMaybeSender())
            .addRecipients(ImmutableList.copyOf(recipients))
            .remoteHost(mail.getRemoteHost())
            .remoteAddr(mail.getRemoteAddr())
            .lastUpdated(mail.getLastUpdated())
            .errorMessage(mail.getErrorMessage())
            .addAttributes(mail.attributes().map(Attribute::duplicate).collect(ImmutableList.toImmutableList()))
            .addAllHeadersForRecipients(mail.getPerRecipientSpecificHeaders());
    }

    /**
     * Like {@link #copy}, for handing to a {@link org.apache.james.queue.api.MailQueue}, which keeps
     * its own copy of the message (memory) or a serialized one (RabbitMQ): when the message is
     * James's own {@link MimeMessageWrapper} (as in the mailet pipeline), the copy shares it instead
     * of copying it, so the message must not be changed through the copy. Close the copy once
     * queued: that disposes what the copy owns, never the mail's message.
     */
    public static QueueCopy forQueue(Mail mail, String name, Collection<MailAddress> recipients) throws MessagingException {
        MimeMessage message = mail.getMessage();
        if (!(message instanceof MimeMessageWrapper)) {
            return new QueueCopy(copy(mail, name, recipients), true);
        }
        MailImpl copy = builder(mail, name, recipients).build();
        copy.setMessageNoCopy((MimeMessageWrapper) message);
        return new QueueCopy(copy, false);
    }

    /** A copy made by {@link #forQueue}. */
    public static final class QueueCopy implements AutoCloseable {
        private final MailImpl mail;
        private final boolean ownsMessage;

        private QueueCopy(MailImpl mail, boolean ownsMessage) {
            this.mail = mail;
            this.ownsMessage = ownsMessage;
        }

        public Mail mail() {
            return mail;
        }

        /** Disposes the copy's own message; a shared message stays with the mail it belongs to. */
        @Override
        public void close() {
            if (ownsMessage) {
                LifecycleUtil.dispose(mail);
            }
        }
    }

    /** A name for a new copy of the mail: its name with a short unique suffix. */
    public static String derivedName(Mail mail, String tag) {
        return mail.getName() + "-" + tag + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private MailCopies() {
    }
}
