package org.relaypack.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.relaypack.delivery.smtp.Envelope;
import org.relaypack.delivery.smtp.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/** The outcomes of one delivery by {@link SmtpTransport} so far, and the facts of the last host that ran a transaction. */
final class Attempts {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpTransport.class);

    private final Map<MailAddress, RecipientOutcome> outcomes = new LinkedHashMap<>();
    private Optional<String> host = Optional.empty();
    private Optional<String> tlsProtocol = Optional.empty();
    private Optional<String> tlsCipher = Optional.empty();

    /**
     * Addresses holding CR, LF or NUL would end an SMTP command early and smuggle another one:
     * they are refused before a byte is written, the sender for the whole mail.
     *
     * @return the recipients that may be sent to
     */
    List<MailAddress> refuseUnsafeAddresses(NextHop hop, Mail mail, List<MailAddress> recipients) {
        if (!Envelope.isSafe(mail.getMaybeSender().asString(""))) {
            SmtpReply refusal = SmtpReply.of(553, "5.1.7 the sender address holds CR, LF or NUL: refused before sending");
            LOGGER.warn("Mail {} not sent to next hop {}: {}", mail.getName(), hop.name(), refusal.asString());
            recipients.forEach(recipient -> record(RecipientOutcome.permanentFailure(recipient, refusal)));
            return ImmutableList.of();
        }
        List<MailAddress> sendable = new ArrayList<>();
        for (MailAddress recipient : recipients) {
            if (Envelope.isSafe(recipient.asString())) {
                sendable.add(recipient);
            } else {
                SmtpReply refusal = SmtpReply.of(553, "5.1.3 the recipient address holds CR, LF or NUL: refused before sending");
                LOGGER.warn("Mail {} not sent to a recipient of next hop {}: {}", mail.getName(), hop.name(), refusal.asString());
                record(RecipientOutcome.permanentFailure(recipient, refusal));
            }
        }
        return sendable;
    }

    void record(RecipientOutcome outcome) {
        outcomes.put(outcome.recipient(), outcome);
    }

    void ranOn(String host, Optional<String> tlsProtocol, Optional<String> tlsCipher) {
        this.host = Optional.of(host);
        this.tlsProtocol = tlsProtocol;
        this.tlsCipher = tlsCipher;
    }

    void merge(Attempts other) {
        outcomes.putAll(other.outcomes);
        if (other.host.isPresent()) {
            host = other.host;
            tlsProtocol = other.tlsProtocol;
            tlsCipher = other.tlsCipher;
        }
    }

    DeliveryResult toResult(List<MailAddress> recipients) {
        ImmutableList<RecipientOutcome> ordered = recipients.stream()
            .map(outcomes::get)
            .filter(Objects::nonNull)
            .collect(ImmutableList.toImmutableList());
        return DeliveryResult.of(ordered, host, tlsProtocol, tlsCipher);
    }
}
