package org.relaypack.delivery;

import java.util.Optional;

import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.delivery.smtp.SmtpSession;
import org.relaypack.delivery.smtp.Target;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsRequirement;

/**
 * REQUIRETLS on the sending side (RFC 8689 section 4.2.1), for the hosts of one destination: a
 * mail received with REQUIRETLS goes only to a host whose TLS peer was authenticated and that
 * advertises REQUIRETLS. Refused hosts are skipped before MAIL FROM; when every host tried was
 * refused, the recipients fail permanently (a DSN at once, section 5): the next hop cannot satisfy
 * the sender's requirement, and retrying would not change that. A host that fails otherwise
 * (connection refused, a TLS handshake that fails) keeps the usual temporary failure.
 */
final class RequireTlsGate {
    private static final String KEYWORD = "REQUIRETLS";

    private final boolean applies;
    private int hostsTried;
    private int hostsRefused;

    RequireTlsGate(TlsRequirement requirement) {
        this.applies = requirement == TlsRequirement.REQUIRETLS;
    }

    boolean applies() {
        return applies;
    }

    /** Refuses a host whose sessions could never authenticate their TLS peer, before connecting. */
    Optional<SmtpReply> beforeConnecting(Target target) {
        hostsTried++;
        if (!applies || target.mayAuthenticatePeer()) {
            return Optional.empty();
        }
        return refuse(SmtpReply.of(550, "5.7.10 REQUIRETLS: the TLS peer of " + target.describe() + " cannot be authenticated under "
            + describe(target) + "; the message was not sent"));
    }

    /** Refuses an open session whose TLS peer was not authenticated, or a server that does not advertise REQUIRETLS. */
    Optional<SmtpReply> onSession(SmtpSession session) {
        if (!applies) {
            return Optional.empty();
        }
        if (!session.tlsAuthenticated()) {
            return refuse(SmtpReply.of(550, "5.7.10 REQUIRETLS: TLS with " + session.describe()
                + " is not authenticated; the message was not sent"));
        }
        if (!session.capabilities().has(KEYWORD)) {
            return refuse(SmtpReply.of(550, "5.7.30 REQUIRETLS support required: " + session.describe()
                + " does not offer REQUIRETLS; the message was not sent"));
        }
        return Optional.empty();
    }

    private Optional<SmtpReply> refuse(SmtpReply reply) {
        hostsRefused++;
        return Optional.of(reply);
    }

    /** True when hosts were tried and every one of them was refused for REQUIRETLS. */
    boolean refusedEveryHost() {
        return applies && hostsTried > 0 && hostsRefused == hostsTried;
    }

    private static String describe(Target target) {
        if (!target.tls().verify() || target.tls().mode() == TlsMode.NONE) {
            return "tls mode=\"" + target.tls().mode().configValue() + "\" verify=\"" + target.tls().verify() + "\"";
        }
        return "a host name found by an MX lookup that nothing validated (DNSSEC, MTA-STS; <tls match=\"nexthop\"> would check the next-hop domain)";
    }
}
