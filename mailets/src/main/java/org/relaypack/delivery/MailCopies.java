package org.relaypack.delivery;

import java.util.Collection;
import java.util.UUID;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
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
        return MailImpl.builder()
            .name(name)
            .sender(mail.getMaybeSender())
            .addRecipients(ImmutableList.copyOf(recipients))
            .remoteHost(mail.getRemoteHost())
            .remoteAddr(mail.getRemoteAddr())
            .lastUpdated(mail.getLastUpdated())
            .errorMessage(mail.getErrorMessage())
            .addAttributes(mail.attributes().map(Attribute::duplicate).collect(ImmutableList.toImmutableList()))
            .addAllHeadersForRecipients(mail.getPerRecipientSpecificHeaders())
            .mimeMessage(mail.getMessage())
            .build();
    }

    /** A name for a new copy of the mail: its name with a short unique suffix. */
    public static String derivedName(Mail mail, String tag) {
        return mail.getName() + "-" + tag + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private MailCopies() {
    }
}
