package org.relaypack.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery log: one INFO line per delivery attempt and outcome, in the manner of Postfix's
 * {@code smtp} lines, written to the logger named {@value #LOGGER_NAME}, e.g.
 *
 * <pre>
 * mail1-upstream-1a2b3c4d: from=&lt;alice@lan.example&gt;, to=&lt;bob@remote.example&gt;, hop=upstream,
 *   relay=mx.example[192.0.2.1]:25, tls=TLSv1.3, delay=1.2, attempt=1, status=deferred (451 4.3.0 try later)
 * </pre>
 *
 * (one line in the log). Within one attempt, each next hop tried (the hop, then its fallbacks) writes
 * one line per distinct outcome: the recipients that got the same status and reply share it.
 * {@code delay} counts seconds since the engine got the mail; {@code status} is {@code sent},
 * {@code deferred} (queued for a retry) or {@code bounced} (refused for good, or out of attempts:
 * handed to the failure processor); {@code relay=none} when no host was reached.
 */
public final class DeliveryLog {
    /** The logger of the delivery lines: stable, to route them to a file of their own. */
    public static final String LOGGER_NAME = "org.relaypack.delivery.DeliveryLog";
    private static final Logger LOGGER = LoggerFactory.getLogger(LOGGER_NAME);

    private DeliveryLog() {
    }

    /**
     * Writes the lines of one attempt.
     *
     * @param givenUp recipients whose temporary failure ended their attempts: they are bounced, not deferred
     */
    static void attempt(Mail mail, int attempt, ChainResult chain, Set<MailAddress> givenUp, Instant now) {
        if (!LOGGER.isInfoEnabled()) {
            return;
        }
        String delay = delay(mail, now);
        for (ChainResult.Step step : chain.steps()) {
            Map<String, List<MailAddress>> byStatus = step.result().outcomes().stream()
                .collect(Collectors.groupingBy(outcome -> status(outcome, givenUp, chain) + " (" + outcome.reply().asString() + ")",
                    LinkedHashMap::new, Collectors.mapping(RecipientOutcome::recipient, Collectors.toList())));
            byStatus.forEach((status, recipients) -> LOGGER.info("{}: from=<{}>, to={}, hop={}, relay={}, tls={}, delay={}, attempt={}, status={}",
                mail.getName(), mail.getMaybeSender().asString(""), addresses(recipients), step.hop().name(),
                step.result().host().orElse("none"), step.result().tlsProtocol().orElse("none"), delay, attempt, status));
        }
    }

    /** A temporary failure is deferred, unless its recipient ran out of attempts with this very answer. */
    private static String status(RecipientOutcome outcome, Set<MailAddress> givenUp, ChainResult chain) {
        switch (outcome.status()) {
            case DELIVERED:
                return "sent";
            case PERMANENT_FAILURE:
                return "bounced";
            default:
                boolean last = chain.outcomes().contains(outcome);
                return last && givenUp.contains(outcome.recipient()) ? "bounced" : "deferred";
        }
    }

    private static String addresses(List<MailAddress> recipients) {
        return recipients.stream().map(recipient -> "<" + recipient.asString() + ">").collect(Collectors.joining(","));
    }

    private static String delay(Mail mail, Instant now) {
        Duration delay = DeliveryAttributes.acceptedAt(mail).map(accepted -> Duration.between(accepted, now)).orElse(Duration.ZERO);
        return String.format(Locale.ROOT, "%.1f", Math.max(0, delay.toMillis()) / 1000.0);
    }
}
