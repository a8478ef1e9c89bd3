package org.relaypack.delivery;

import java.time.Clock;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.DsnParameters;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.tls.TlsRequirement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;

/**
 * Sends undeliverable recipients where the mail's {@link FailurePolicy} says, the way James's
 * RemoteDelivery Bouncer does: one copy of the mail per distinct failure reply, carrying exactly
 * the recipients that got that reply and the reply in the {@code delivery-error} attribute that
 * DSNBounce writes into the DSN. DSNBounce already honours RET and ENVID; NOTIFY is honoured here
 * because DSNBounce 3.8.1 ignores it. A recipient a route rewrote is reported as the original
 * recipient the sender gave, under that recipient's NOTIFY ({@link RewrittenRecipients}).
 */
public final class FailureHandler {
    private static final Logger LOGGER = LoggerFactory.getLogger(FailureHandler.class);

    private final MailetContext mailetContext;
    private final Clock clock;

    public FailureHandler(MailetContext mailetContext, Clock clock) {
        this.mailetContext = mailetContext;
        this.clock = clock;
    }

    /**
     * @param hop the next hop the mail was routed to, empty when no route matched
     * @return the recipients handed to a processor (after the null-sender and NOTIFY rules), as the
     *     sender addressed them: a rewritten recipient is returned as its original(s)
     */
    public ImmutableList<MailAddress> handle(Mail mail, List<RecipientOutcome> outcomes, Optional<String> hop, int attempts,
                                             Optional<DeliveryResult> lastResult) throws MessagingException {
        FailurePolicy policy = FailurePolicy.of(mail);
        ImmutableListMultimap<MailAddress, MailAddress> rewrites = RewrittenRecipients.of(mail);
        List<RecipientOutcome> failures = RewrittenRecipients.toOriginals(rewrites, outcomes);
        List<RecipientOutcome> notified = failures;
        boolean bounce = policy.mode() == FailurePolicy.Mode.BOUNCE;
        if (bounce) {
            if (!mail.hasSender()) {
                LOGGER.info("Mail {} from the null sender failed for {} at next hop {}: no bounce", mail.getName(),
                    recipients(failures), hop.orElse("(none)"));
                return ImmutableList.of();
            }
            notified = withFailureNotice(mail, failures, hop);
        }
        ImmutableList.Builder<MailAddress> sent = ImmutableList.builder();
        for (Map.Entry<SmtpReply, List<MailAddress>> group : byReply(notified).entrySet()) {
            Mail copy = MailCopies.copy(mail, MailCopies.derivedName(mail, "failed"), group.getValue());
            copy.removeAttribute(DeliveryAttributes.NOT_BEFORE);
            RewrittenRecipients.restoreOriginals(copy, rewrites);
            if (bounce && TlsRequirement.of(mail) == TlsRequirement.REQUIRETLS) {
                returnHeadersOnly(copy);
            }
            SmtpReply reply = group.getKey();
            copy.setErrorMessage(reply.asString());
            // DSNBounce writes it as the Last-Attempt-Date (and fails without it).
            copy.setLastUpdated(Date.from(clock.instant()));
            copy.setAttribute(new Attribute(DeliveryAttributes.DELIVERY_ERROR, AttributeValue.of(reply.asString())));
            copy.setAttribute(new Attribute(DeliveryAttributes.DELIVERY_ERROR_CODE, AttributeValue.of(reply.code())));
            copy.setAttribute(new Attribute(DeliveryAttributes.IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(reply.isPermanent())));
            copy.setAttribute(new Attribute(DeliveryAttributes.ATTEMPTS, AttributeValue.of(attempts)));
            hop.ifPresent(name -> copy.setAttribute(new Attribute(DeliveryAttributes.NEXT_HOP, AttributeValue.of(name))));
            lastResult.flatMap(DeliveryResult::host)
                .ifPresent(host -> copy.setAttribute(new Attribute(DeliveryAttributes.LAST_HOST, AttributeValue.of(host))));
            lastResult.flatMap(DeliveryResult::tlsProtocol)
                .ifPresent(protocol -> copy.setAttribute(new Attribute(DeliveryAttributes.TLS_PROTOCOL, AttributeValue.of(protocol))));
            lastResult.flatMap(DeliveryResult::tlsCipher)
                .ifPresent(cipher -> copy.setAttribute(new Attribute(DeliveryAttributes.TLS_CIPHER, AttributeValue.of(cipher))));
            try {
                mailetContext.sendMail(copy, policy.processor());
            } finally {
                LifecycleUtil.dispose(copy);
            }
            LOGGER.info("Mail {} failed for {} at next hop {} after {} attempt(s): {}; sent as {} to processor {}",
                mail.getName(), group.getValue(), hop.orElse("(none)"), attempts, reply.asString(), copy.getName(), policy.processor());
            sent.addAll(group.getValue());
        }
        return sent.build();
    }

    /**
     * RFC 8689 section 5: the DSN of a REQUIRETLS mail returns the header section only, as if the
     * sender had asked RET=HDRS (a RET=FULL is disregarded), so that the body never travels in a
     * DSN that may, from the null sender, be relayed without REQUIRETLS.
     */
    private static void returnHeadersOnly(Mail copy) {
        Optional<DsnParameters> given = copy.dsnParameters();
        DsnParameters.of(given.flatMap(DsnParameters::getEnvIdParameter), Optional.of(DsnParameters.Ret.HDRS),
                given.map(DsnParameters::getRcptParameters).orElse(ImmutableMap.of()))
            .ifPresent(copy::setDsnParameters);
        copy.setAttribute(new Attribute(TlsRequirement.HEADERS_ONLY_DSN_ATTRIBUTE, AttributeValue.of(true)));
    }

    private static List<RecipientOutcome> withFailureNotice(Mail mail, List<RecipientOutcome> failures, Optional<String> hop) {
        List<RecipientOutcome> notified = failures.stream()
            .filter(failure -> wantsFailureNotice(mail, failure.recipient()))
            .collect(ImmutableList.toImmutableList());
        if (notified.size() < failures.size()) {
            LOGGER.info("Mail {} failed for {} at next hop {}: no bounce, their NOTIFY excludes FAILURE", mail.getName(),
                failures.stream().filter(failure -> !notified.contains(failure)).map(RecipientOutcome::recipient).collect(Collectors.toList()),
                hop.orElse("(none)"));
        }
        return notified;
    }

    /** RFC 3461: without NOTIFY the MTA decides (a failure notice); with NOTIFY, only if it lists FAILURE. */
    static boolean wantsFailureNotice(Mail mail, MailAddress recipient) {
        return mail.dsnParameters()
            .map(DsnParameters::getRcptParameters)
            .map(parameters -> parameters.get(recipient))
            .flatMap(DsnParameters.RecipientDsnParameters::getNotifyParameter)
            .map((EnumSet<DsnParameters.Notify> notify) -> notify.contains(DsnParameters.Notify.FAILURE))
            .orElse(true);
    }

    private static Map<SmtpReply, List<MailAddress>> byReply(List<RecipientOutcome> failures) {
        return failures.stream().collect(Collectors.groupingBy(RecipientOutcome::reply, LinkedHashMap::new,
            Collectors.mapping(RecipientOutcome::recipient, Collectors.toList())));
    }

    private static Collection<MailAddress> recipients(List<RecipientOutcome> outcomes) {
        return outcomes.stream().map(RecipientOutcome::recipient).collect(Collectors.toList());
    }
}
