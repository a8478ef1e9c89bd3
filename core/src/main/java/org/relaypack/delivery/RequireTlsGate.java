package org.relaypack.delivery;

import java.util.Optional;

import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.delivery.smtp.SmtpSession;
import org.relaypack.delivery.smtp.Target;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsRequirement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * REQUIRETLS on the sending side (RFC 8689 section 4.2.1), for the hosts of one destination: a
 * mail received with REQUIRETLS goes only to a host whose TLS peer was authenticated and that
 * advertises REQUIRETLS. Refused hosts are skipped before MAIL FROM; when every host tried was
 * refused, the recipients fail permanently (a DSN at once, section 5): the next hop cannot satisfy
 * the sender's requirement, and retrying would not change that. A host that fails otherwise
 * (connection refused, a TLS handshake that fails) keeps the usual temporary failure.
 *
 * <p>A mail from the null sender (a DSN, such as the one of a REQUIRETLS mail, which DSNBounce
 * gives the attribute too) is never refused for REQUIRETLS (RFC 8689 section 5: the requirement
 * should not make a bounce be discarded, and a failed bounce has nobody to go back to): it carries
 * REQUIRETLS to a host that authenticates and advertises it, and goes without it elsewhere.
 */
final class RequireTlsGate {
    /** The transport's logger: its lines are the transport's, host by host. */
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpTransport.class);
    private static final String KEYWORD = "REQUIRETLS";

    private final boolean applies;
    private final boolean strict;
    private final String mailName;
    private final String hopName;
    private int hostsTried;
    private int hostsRefused;

    /** @param fromNullSender the mail is a bounce: REQUIRETLS where the host can carry it, never a refusal */
    RequireTlsGate(TlsRequirement requirement, boolean fromNullSender, String mailName, String hopName) {
        this.applies = requirement == TlsRequirement.REQUIRETLS;
        this.strict = applies && !fromNullSender;
        this.mailName = mailName;
        this.hopName = hopName;
    }

    /** REQUIRETLS goes on MAIL FROM in this session (always, for a strict mail that passed {@link #onSession}). */
    boolean requireTlsOn(SmtpSession session) {
        if (!applies) {
            return false;
        }
        boolean carried = strict || session.tlsAuthenticated() && session.capabilities().has(KEYWORD);
        if (!carried) {
            LOGGER.info("REQUIRETLS: mail={} hop={} host={} from the null sender goes without REQUIRETLS (TLS {}, REQUIRETLS {}offered): "
                + "a bounce is not discarded for it (RFC 8689 section 5)", mailName, hopName, session.describe(),
                session.tlsAuthenticated() ? "authenticated" : "not authenticated", session.capabilities().has(KEYWORD) ? "" : "not ");
        }
        return carried;
    }

    /** Refuses a host whose sessions could never authenticate their TLS peer, before connecting. */
    Optional<SmtpReply> beforeConnecting(Target target) {
        hostsTried++;
        if (!strict || target.mayAuthenticatePeer()) {
            return Optional.empty();
        }
        return refuse(target.describe(), "none", SmtpReply.of(550, "5.7.10 REQUIRETLS: the TLS peer of " + target.describe()
            + " cannot be authenticated under " + describe(target) + "; the message was not sent"));
    }

    /** Refuses an open session whose TLS peer was not authenticated, or a server that does not advertise REQUIRETLS. */
    Optional<SmtpReply> onSession(SmtpSession session) {
        if (!strict) {
            return Optional.empty();
        }
        if (!session.tlsAuthenticated()) {
            return refuse(session.describe(), tls(session), SmtpReply.of(550, "5.7.10 REQUIRETLS: TLS with " + session.describe()
                + " is not authenticated; the message was not sent"));
        }
        if (!session.capabilities().has(KEYWORD)) {
            return refuse(session.describe(), tls(session), SmtpReply.of(550, "5.7.30 REQUIRETLS support required: " + session.describe()
                + " does not offer REQUIRETLS; the message was not sent"));
        }
        return Optional.empty();
    }

    private Optional<SmtpReply> refuse(String host, String tls, SmtpReply reply) {
        hostsRefused++;
        LOGGER.info("Delivery attempt refused: mail={} hop={} host={} tls={} reply=\"{}\", trying the next host",
            mailName, hopName, host, tls, reply.asString());
        return Optional.of(reply);
    }

    private static String tls(SmtpSession session) {
        return session.tlsProtocol().map(protocol -> protocol + " " + session.tlsCipher().orElse("")).orElse("plaintext");
    }

    /** True when hosts were tried and every one of them was refused for REQUIRETLS. */
    boolean refusedEveryHost() {
        return strict && hostsTried > 0 && hostsRefused == hostsTried;
    }

    private static String describe(Target target) {
        if (!target.tls().verify() || target.tls().mode() == TlsMode.NONE) {
            return "tls mode=\"" + target.tls().mode().configValue() + "\" verify=\"" + target.tls().verify() + "\"";
        }
        return "a host name found by an MX lookup that nothing validated (DNSSEC, MTA-STS; <tls match=\"nexthop\"> would check the next-hop domain)";
    }
}
