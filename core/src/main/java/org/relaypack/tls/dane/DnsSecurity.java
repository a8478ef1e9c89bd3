package org.relaypack.tls.dane;

/** What DNSSEC validation says of an answer (RFC 4033 4.3), as dnsjava's validating resolver reports it. */
public enum DnsSecurity {
    /** Validated from a trust anchor down: the AD bit set by the validating resolver. */
    SECURE,
    /** Provably unsigned, or under no trust anchor: DNS as usual, no DANE. */
    INSECURE,
    /** Signed, but the signatures do not validate (or are missing): an attack or a broken zone. */
    BOGUS
}
