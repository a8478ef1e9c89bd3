package org.relaypack.it.smarthost;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.relaypack.delivery.DeliveryResult;
import org.relaypack.delivery.HopTransport;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.RecipientOutcome;
import org.relaypack.delivery.SmtpReply;

import com.google.common.collect.ImmutableList;

/**
 * Stands for the SMTP transport in stories about the engine around it: records every delivery
 * and answers 550 5.1.1 for recipients whose local part starts with "unknown", 250 otherwise.
 */
final class RecordingTransport implements HopTransport {
    static final SmtpReply UNKNOWN_USER = SmtpReply.of(550, "5.1.1 User unknown");

    static final class Delivery {
        final String hop;
        final String sender;
        final ImmutableList<String> recipients;
        final String content;

        Delivery(String hop, String sender, ImmutableList<String> recipients, String content) {
            this.hop = hop;
            this.sender = sender;
            this.recipients = recipients;
            this.content = content;
        }

        @Override
        public String toString() {
            return hop + " <" + sender + "> " + recipients;
        }
    }

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    @Override
    public DeliveryResult deliver(NextHop hop, Mail mail) {
        String content;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            mail.getMessage().writeTo(out);
            content = out.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        deliveries.add(new Delivery(hop.name(), mail.getMaybeSender().asString(""),
            mail.getRecipients().stream().map(MailAddress::asString).collect(ImmutableList.toImmutableList()), content));
        return DeliveryResult.of(mail.getRecipients().stream()
                .map(recipient -> recipient.getLocalPart().startsWith("unknown")
                    ? RecipientOutcome.permanentFailure(recipient, UNKNOWN_USER)
                    : RecipientOutcome.delivered(recipient, SmtpReply.of(250, "2.0.0 Ok")))
                .collect(ImmutableList.toImmutableList()),
            Optional.of(hop.hosts().get(0).asString()), Optional.empty(), Optional.empty());
    }

    List<Delivery> deliveries() {
        return ImmutableList.copyOf(deliveries);
    }

    List<Delivery> deliveriesTo(String hop) {
        return deliveries.stream().filter(delivery -> delivery.hop.equals(hop)).collect(ImmutableList.toImmutableList());
    }

    void clear() {
        deliveries.clear();
    }

    @Override
    public void close() {
    }
}
