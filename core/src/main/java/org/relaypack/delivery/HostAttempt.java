package org.relaypack.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.relaypack.delivery.TlsPlan.PlannedHost;
import org.relaypack.delivery.smtp.Envelope;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.MessageContent;
import org.relaypack.delivery.smtp.SessionPools;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.delivery.smtp.SmtpSession;
import org.relaypack.delivery.smtp.Target;
import org.relaypack.delivery.smtp.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host of a next hop, for one mail: a pooled session (another one when a pooled session turns
 * out stale), the REQUIRETLS gate, the transaction, and its replies recorded as recipient outcomes.
 * Logs under {@link SmtpTransport}'s name, as the delivery attempt lines always have.
 */
final class HostAttempt {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpTransport.class);

    private final SessionPools pools;
    private final String localHostName;
    private final MtaStsHosts mtaSts;
    private final TlsOutcomes tlsOutcomes;

    HostAttempt(SessionPools pools, String localHostName, MtaStsHosts mtaSts, TlsOutcomes tlsOutcomes) {
        this.pools = pools;
        this.localHostName = localHostName;
        this.mtaSts = mtaSts;
        this.tlsOutcomes = tlsOutcomes;
    }

    /** One host: returns the reason to try the next host, or empty when every pending recipient got a final reply. */
    Optional<SmtpReply> run(NextHop hop, Mail mail, PlannedHost planned, List<MailAddress> pending,
                                        MessageContent content, Attempts attempts, boolean waitForSession, RequireTlsGate gate) {
        ResolvedHost host = planned.host();
        // an MX name that an enforced MTA-STS policy named counts as a validated name (RFC 8689 4.2.1)
        Target target = new Target(host.name(), host.address(), planned.tls(), hop.credentials(),
            hop.heloName().orElse(localHostName), hop.deadlines(), host.tlsa(),
            nameConfigured(hop, host) || planned.enforced(), host.nextHop().asString());
        Optional<SmtpReply> refusal = gate.beforeConnecting(target);
        if (refusal.isPresent()) {
            return refusal;
        }
        SessionPools.Limits limits = new SessionPools.Limits(hop.pool().maxConnections(), hop.pool().idleTimeout(),
            waitForSession ? hop.connectTimeout() : Duration.ZERO);
        SessionPools.Lease pooled;
        SmtpSession session;
        TransactionResult result;
        boolean checkBeforeUse = false;
        while (true) {
            try {
                pooled = pools.obtain(hop.name(), target, limits, checkBeforeUse);
            } catch (HostFailure e) {
                tlsOutcomes.failure(mail, hop, planned, e);
                LOGGER.info("Delivery attempt failed: mail={} hop={} host={} tls=none reply=\"{}\", trying the next host",
                    mail.getName(), hop.name(), target.describe(), e.reason().asString());
                return Optional.of(e.reason());
            }
            session = pooled.session();
            Optional<SmtpReply> sessionRefusal = gate.onSession(session);
            if (sessionRefusal.isPresent()) {
                // nothing of the mail was sent: the session stays good for other mail
                pooled.giveBack(true);
                return sessionRefusal;
            }
            try {
                Envelope envelope = Envelope.of(mail.getMaybeSender(), pending, mail.dsnParameters(), gate.requireTlsOn(session));
                result = session.send(envelope, content);
            } catch (RuntimeException e) {
                LOGGER.error("Unexpected failure delivering mail {} to next hop {} at {}", mail.getName(), hop.name(), session.describe(), e);
                pooled.abandon();
                return Optional.of(HostFailure.localReply("4.3.0", "local error during the transaction with " + session.describe() + ": " + e));
            }
            if (!result.staleSession()) {
                break;
            }
            // Nothing took place on it: run the transaction on another session, checking pooled ones first from now on.
            LOGGER.debug("Pooled session to {} for next hop {} is stale ({}), taking another one", target.describe(), hop.name(),
                result.interruption().map(SmtpReply::asString).orElse(""));
            pooled.abandon();
            checkBeforeUse = true;
        }
        pooled.giveBack(result.sessionReusable() && session.transactions() < hop.pool().maxMessagesPerConnection());
        tlsOutcomes.session(mail, hop, planned, session, mtaSts.checkTesting(planned, mail, hop, session));

        result.finalReplies().forEach((recipient, reply) -> attempts.record(outcome(recipient, reply)));
        pending.removeAll(result.finalReplies().keySet());
        attempts.ranOn(session.describe(), session.tlsProtocol(), session.tlsCipher());

        if (result.interruption().isPresent()) {
            if (LOGGER.isInfoEnabled()) {
                LOGGER.info("Delivery attempt interrupted: mail={} hop={} host={} tls={} reply=\"{}\" final={}, {} recipient(s) to the next host",
                    mail.getName(), hop.name(), session.describe(), describeTls(session), result.interruption().get().asString(),
                    describe(result), pending.size());
            }
            return result.interruption();
        }
        if (LOGGER.isInfoEnabled()) {
            LOGGER.info("Delivery attempt: mail={} hop={} host={} tls={} replies={}",
                mail.getName(), hop.name(), session.describe(), describeTls(session), describe(result));
        }
        return Optional.empty();
    }

    /** The host name was written in the hop's configuration (not found by an MX lookup). */
    private static boolean nameConfigured(NextHop hop, ResolvedHost host) {
        return hop.kind() == NextHop.Kind.HOSTS
            && hop.hosts().stream().anyMatch(spec -> !spec.mxLookup() && spec.hostName().equals(host.hostName()));
    }

    private static String describeTls(SmtpSession session) {
        return session.tlsProtocol().map(protocol -> protocol + " " + session.tlsCipher().orElse("")).orElse("plaintext");
    }

    private static String describe(TransactionResult result) {
        StringBuilder text = new StringBuilder("{");
        result.finalReplies().forEach((recipient, reply) -> text.append(text.length() > 1 ? ", " : "")
            .append(recipient.asString()).append("=\"").append(reply.asString()).append('"'));
        return text.append('}').toString();
    }

    private static RecipientOutcome outcome(MailAddress recipient, SmtpReply reply) {
        if (reply.code() >= 200 && reply.code() < 300) {
            return RecipientOutcome.delivered(recipient, reply);
        }
        if (reply.isPermanent()) {
            return RecipientOutcome.permanentFailure(recipient, reply);
        }
        return RecipientOutcome.temporaryFailure(recipient, reply);
    }
}
