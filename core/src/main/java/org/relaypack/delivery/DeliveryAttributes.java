package org.relaypack.delivery;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Date;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * Every mail attribute the delivery engine reads or writes, in one place. See docs/smarthost.md.
 */
public final class DeliveryAttributes {
    /**
     * The failure reply as text ("550 5.1.1 user unknown"). The name is James's
     * {@code Bouncer.DELIVERY_ERROR}: DSNBounce writes it into the Status and Diagnostic-Code fields.
     */
    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    /** The failure reply code (Integer), as RemoteDelivery sets it; read by RemoteDeliveryFailedWithSMTPCode. */
    public static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");
    /** True for a permanent (5xx) failure, false for temporary failures that ran out of attempts. */
    public static final AttributeName IS_DELIVERY_PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    /** Attempts made so far (Integer); carried by a mail waiting in a hop queue for its next try. */
    public static final AttributeName ATTEMPTS = AttributeName.of("relaypack.delivery.attempts");
    /**
     * When a queued retry is due (String, ISO-8601 instant). A queue that ignores delays gives the
     * mail back early; the engine then holds it and queues it again instead of attempting it.
     */
    public static final AttributeName NOT_BEFORE = AttributeName.of("relaypack.delivery.notBefore");
    /**
     * When the engine was first handed the mail (String, ISO-8601 instant): the {@code delay=} of the
     * delivery log line and the age of the oldest mail of a hop are counted from it.
     */
    public static final AttributeName ACCEPTED_AT = AttributeName.of("relaypack.delivery.acceptedAt");
    /**
     * The reply of the last failed attempt (String, "451 4.7.1 Greylisted"), carried by a mail
     * waiting in a hop queue for its retry: what "where is my mail" shows as its last error.
     */
    public static final AttributeName LAST_REPLY = AttributeName.of("relaypack.delivery.lastReply");
    /**
     * The key of the mail James accepted (String), the same on each of its copies and on each
     * redelivery of it: the {@link DeliveredLedger} records deliveries under it. Stamped when the
     * engine is first handed the mail: its name without the "-!nnnnnnn" suffixes of James's
     * duplicates (random on each run of the spool).
     */
    public static final AttributeName MAIL_KEY = AttributeName.of("relaypack.delivery.mailKey");
    /** The next hop a failed mail was routed to (String). */
    public static final AttributeName NEXT_HOP = AttributeName.of("relaypack.delivery.nexthop");
    /** The host that gave the last answer, "host:port" (String), when a host was reached. */
    public static final AttributeName LAST_HOST = AttributeName.of("relaypack.delivery.lastHost");
    /** TLS protocol and cipher of the last attempt (String), when TLS was used. */
    public static final AttributeName TLS_PROTOCOL = AttributeName.of("relaypack.delivery.tlsProtocol");
    public static final AttributeName TLS_CIPHER = AttributeName.of("relaypack.delivery.tlsCipher");

    /**
     * On a hop's copy whose route rewrote recipients: each rewritten address (the Map's String key)
     * to the original recipients it stands for (a Collection of String), so that failures are
     * reported for the address the sender gave. See {@link RewrittenRecipients}.
     */
    public static final AttributeName ORIGINAL_RECIPIENTS = AttributeName.of("relaypack.delivery.originalRecipients");

    /** Where failures of a queued mail go (String): a bounce processor (DSNBounce) ... */
    public static final AttributeName BOUNCE_PROCESSOR = AttributeName.of("relaypack.delivery.bounceProcessor");
    /** ... or an error processor that gets them unchanged, bypassing the bounce rules (String). */
    public static final AttributeName ERROR_PROCESSOR = AttributeName.of("relaypack.delivery.errorProcessor");

    /** What James's {@code MailImpl.duplicate} appends to a name: "-!" and seven digits, random. */
    private static final Pattern JAMES_DUPLICATE_SUFFIXES = Pattern.compile("(-![0-9]{7})+$");

    private DeliveryAttributes() {
    }

    /** Attempts the mail carries as made; 0 for a mail never attempted. */
    public static int attempts(Mail mail) {
        return mail.getAttribute(ATTEMPTS)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(Integer.class::isInstance)
            .map(Integer.class::cast)
            .orElse(0);
    }

    /** The mail's key ({@link #MAIL_KEY}): its stamp, else what the stamp would be. */
    public static String mailKey(Mail mail) {
        return string(mail, MAIL_KEY).orElseGet(() -> JAMES_DUPLICATE_SUFFIXES.matcher(mail.getName()).replaceFirst(""));
    }

    /** Stamps the mail's key, unless it has one. */
    static void stampMailKey(Mail mail) {
        if (mail.getAttribute(MAIL_KEY).isEmpty()) {
            mail.setAttribute(new Attribute(MAIL_KEY, AttributeValue.of(mailKey(mail))));
        }
    }

    /** The reply of the mail's last failed attempt, when it waits for a retry. */
    public static Optional<String> lastReply(Mail mail) {
        return string(mail, LAST_REPLY);
    }

    public static Optional<Instant> notBefore(Mail mail) {
        return instant(mail, NOT_BEFORE);
    }

    /** When the engine got the mail first; else when James last updated it (its arrival, for a mail just received). */
    public static Optional<Instant> acceptedAt(Mail mail) {
        return instant(mail, ACCEPTED_AT).or(() -> Optional.ofNullable(mail.getLastUpdated()).map(Date::toInstant));
    }

    static void setInstant(Mail mail, AttributeName name, Instant instant) {
        mail.setAttribute(new Attribute(name, AttributeValue.of(instant.toString())));
    }

    private static Optional<Instant> instant(Mail mail, AttributeName name) {
        return string(mail, name).flatMap(DeliveryAttributes::parseInstant);
    }

    private static Optional<String> string(Mail mail, AttributeName name) {
        return mail.getAttribute(name)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(String.class::isInstance)
            .map(String.class::cast);
    }

    private static Optional<Instant> parseInstant(String value) {
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
