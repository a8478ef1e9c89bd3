package org.relaypack.tls.mtasts;

/** A policy could not be had: the fetch failed, or the policy is not valid. The message says why. */
final class PolicyUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    PolicyUnavailable(String reason) {
        super(reason);
    }

    PolicyUnavailable(String reason, Throwable cause) {
        super(reason, cause);
    }
}
