package org.relaypack.delivery;

import org.apache.mailet.Mail;

/**
 * Delivers one mail, for the recipients it carries, to one next hop over SMTP: resolves the hop's
 * hosts, tries them in order under the hop's TLS policy and credentials, reusing pooled
 * connections. Never throws for a delivery failure: every recipient gets an outcome.
 */
public interface HopTransport extends AutoCloseable {
    DeliveryResult deliver(NextHop hop, Mail mail);

    /** Closes pooled connections (QUIT). */
    @Override
    void close();
}
