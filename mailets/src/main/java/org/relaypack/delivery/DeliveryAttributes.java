package org.relaypack.delivery;

import org.apache.mailet.AttributeName;

/**
 * Every mail attribute the delivery engine reads or writes, in one place. See docs/smarthost.md.
 */
public final class DeliveryAttributes {
    /**
     * The failure reply as text ("550 5.1.1 user unknown"). The name is James's
     * {@code Bouncer.DELIVERY_ERROR}: DSNBounce writes it into the Status and Diagnostic-Code fields.
     */
    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    /** The failure reply code (Integer), as RemoteDelivery sets it; read by RemoteDeliveryFailedWithSMTPCode. */
    public static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");
    /** True for a permanent (5xx) failure, false for temporary failures that ran out of attempts. */
    public static final AttributeName IS_DELIVERY_PERMANENT_ERROR = AttributeName.of("is-delivery-permanent-error");

    /** Attempts made so far (Integer); carried by a mail waiting in a hop queue for its next try. */
    public static final AttributeName ATTEMPTS = AttributeName.of("relaypack.delivery.attempts");
    /**
     * When a queued retry is due (String, ISO-8601 instant). A queue that ignores delays gives the
     * mail back early; the engine then holds it and queues it again instead of attempting it.
     */
    public static final AttributeName NOT_BEFORE = AttributeName.of("relaypack.delivery.notBefore");
    /** The next hop a failed mail was routed to (String). */
    public static final AttributeName NEXT_HOP = AttributeName.of("relaypack.delivery.nexthop");
    /** The host that gave the last answer, "host:port" (String), when a host was reached. */
    public static final AttributeName LAST_HOST = AttributeName.of("relaypack.delivery.lastHost");
    /** TLS protocol and cipher of the last attempt (String), when TLS was used. */
    public static final AttributeName TLS_PROTOCOL = AttributeName.of("relaypack.delivery.tlsProtocol");
    public static final AttributeName TLS_CIPHER = AttributeName.of("relaypack.delivery.tlsCipher");

    /** Where failures of a queued mail go (String): a bounce processor (DSNBounce) ... */
    public static final AttributeName BOUNCE_PROCESSOR = AttributeName.of("relaypack.delivery.bounceProcessor");
    /** ... or an error processor that gets them unchanged, bypassing the bounce rules (String). */
    public static final AttributeName ERROR_PROCESSOR = AttributeName.of("relaypack.delivery.errorProcessor");

    private DeliveryAttributes() {
    }
}
