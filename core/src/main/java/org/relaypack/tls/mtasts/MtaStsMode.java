package org.relaypack.tls.mtasts;

import java.util.Arrays;
import java.util.Optional;

/** The {@code mode} of an MTA-STS policy (RFC 8461 section 5). */
public enum MtaStsMode {
    /** Only MX hosts that match the policy, over verified TLS; otherwise no delivery. */
    ENFORCE("enforce"),
    /** Deliver as without a policy, and report what would have failed. */
    TESTING("testing"),
    /** The domain withdrew its policy: deliver as without one. */
    NONE("none");

    private final String value;

    MtaStsMode(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** Exactly as RFC 8461 writes it (case-sensitive). */
    static Optional<MtaStsMode> parse(String text) {
        return Arrays.stream(values()).filter(mode -> mode.value.equals(text)).findFirst();
    }
}
