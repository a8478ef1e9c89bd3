package org.relaypack.tls;

import java.util.Arrays;
import java.util.Locale;

import javax.mail.MessagingException;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * What the sender of one mail asked of the TLS of its onward relay (RFC 8689): {@code REQUIRETLS}
 * on MAIL FROM (carried by the {@link #REQUIRETLS} attribute from the SMTP session to the delivery),
 * the {@code TLS-Required: No} header field, or nothing.
 */
public enum TlsRequirement {
    /**
     * REQUIRETLS (RFC 8689 section 4.2.1): relayed only over TLS whose peer was authenticated,
     * to a server that advertises REQUIRETLS, with REQUIRETLS on MAIL FROM.
     */
    REQUIRETLS,
    /**
     * {@code TLS-Required: No} (RFC 8689 section 4.2.2): the recipient domain's TLS policies (DANE,
     * MTA-STS) may be ignored; the TLS mode of the configured next hop is not relaxed.
     */
    TLS_OPTIONAL,
    /** Neither: the next hop's policy alone decides. */
    DEFAULT;

    /** Boolean true on a mail received with the REQUIRETLS MAIL FROM parameter. */
    public static final AttributeName REQUIRETLS_ATTRIBUTE = AttributeName.of("relaypack.tls.requiretls");
    /** The header field of RFC 8689 section 3. */
    public static final String TLS_REQUIRED_HEADER = "TLS-Required";
    /**
     * Set on the copy of a REQUIRETLS mail that the pack hands to the bounce processor; James's DSNBounce
     * copies it onto the DSN it makes. Only such a DSN (header section only) may go where REQUIRETLS cannot
     * (RFC 8689 section 5); a null-sender mail a client sent with REQUIRETLS keeps the strict rule.
     */
    public static final AttributeName HEADERS_ONLY_DSN_ATTRIBUTE = AttributeName.of("relaypack.tls.requiretls.headersOnlyDsn");

    /** Marks a mail as received with REQUIRETLS. */
    public static void markRequireTls(Mail mail) {
        mail.setAttribute(new Attribute(REQUIRETLS_ATTRIBUTE, AttributeValue.of(true)));
    }

    /**
     * The requirement of a mail: the REQUIRETLS attribute wins over the header field (RFC 8689
     * section 4.1: with REQUIRETLS on MAIL FROM, TLS-Required is ignored). An unreadable message
     * counts as no header: the relaxation is never assumed.
     */
    public static TlsRequirement of(Mail mail) {
        boolean requireTls = mail.getAttribute(REQUIRETLS_ATTRIBUTE)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .map(Boolean.TRUE::equals)
            .orElse(false);
        if (requireTls) {
            return REQUIRETLS;
        }
        return tlsRequiredNo(mail) ? TLS_OPTIONAL : DEFAULT;
    }

    private static boolean tlsRequiredNo(Mail mail) {
        try {
            String[] values = mail.getMessage() == null ? null : mail.getMessage().getHeader(TLS_REQUIRED_HEADER);
            return values != null && Arrays.stream(values).anyMatch(value -> value.trim().toLowerCase(Locale.US).equals("no"));
        } catch (MessagingException e) {
            return false;
        }
    }
}
