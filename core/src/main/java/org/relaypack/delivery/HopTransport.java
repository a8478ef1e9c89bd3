package org.relaypack.delivery;

import org.apache.mailet.Mail;
import org.relaypack.delivery.smtp.SessionPools;
import org.relaypack.delivery.smtp.SmtpReply;

/**
 * Delivers one mail, for the recipients it carries, to one next hop over SMTP: resolves the hop's
 * hosts, tries them in order under the hop's TLS policy and credentials, reusing pooled
 * connections. Never throws for a delivery failure: every recipient gets an outcome.
 */
public interface HopTransport extends AutoCloseable {
    DeliveryResult deliver(NextHop hop, Mail mail);

    /**
     * As {@link #deliver}, but never waits for a pooled session: where every session to a host is
     * busy, its recipients fail at once with a reply that {@link #isBusy} recognises. For attempts
     * made in a James spool thread.
     */
    default DeliveryResult deliverWithoutWaiting(NextHop hop, Mail mail) {
        return deliver(hop, mail);
    }

    /** The reply of a host whose sessions were all busy (see {@link #deliverWithoutWaiting}): nothing was sent to it. */
    static boolean isBusy(SmtpReply reply) {
        return SessionPools.isBusy(reply);
    }

    /** Closes pooled connections (QUIT). */
    @Override
    void close();
}
