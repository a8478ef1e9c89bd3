package org.relaypack.delivery;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.relaypack.delivery.smtp.SmtpReply;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * The result of delivering one message to one next hop: an outcome per recipient, plus the facts
 * of the last attempt (host, TLS protocol and cipher) for logs and mail attributes.
 */
public final class DeliveryResult {
    public static DeliveryResult of(List<RecipientOutcome> outcomes, Optional<String> host,
                                    Optional<String> tlsProtocol, Optional<String> tlsCipher) {
        return new DeliveryResult(ImmutableList.copyOf(outcomes), host, tlsProtocol, tlsCipher);
    }

    /** Every recipient failed temporarily for the same reason (no host reachable, TLS policy not met...). */
    public static DeliveryResult allTemporary(Collection<MailAddress> recipients, SmtpReply reason, Optional<String> host) {
        return of(recipients.stream().map(r -> RecipientOutcome.temporaryFailure(r, reason)).collect(ImmutableList.toImmutableList()),
            host, Optional.empty(), Optional.empty());
    }

    private final ImmutableList<RecipientOutcome> outcomes;
    private final Optional<String> host;
    private final Optional<String> tlsProtocol;
    private final Optional<String> tlsCipher;

    private DeliveryResult(ImmutableList<RecipientOutcome> outcomes, Optional<String> host,
                           Optional<String> tlsProtocol, Optional<String> tlsCipher) {
        this.outcomes = outcomes;
        this.host = host;
        this.tlsProtocol = tlsProtocol;
        this.tlsCipher = tlsCipher;
    }

    public ImmutableList<RecipientOutcome> outcomes() {
        return outcomes;
    }

    public ImmutableList<MailAddress> recipientsWith(RecipientOutcome.Status status) {
        return outcomes.stream()
            .filter(outcome -> outcome.status() == status)
            .map(RecipientOutcome::recipient)
            .collect(ImmutableList.toImmutableList());
    }

    /** The host that gave the final answer ("host:port"), absent when no host could be reached. */
    public Optional<String> host() {
        return host;
    }

    public Optional<String> tlsProtocol() {
        return tlsProtocol;
    }

    public Optional<String> tlsCipher() {
        return tlsCipher;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof DeliveryResult) {
            DeliveryResult that = (DeliveryResult) o;
            return outcomes.equals(that.outcomes) && host.equals(that.host)
                && tlsProtocol.equals(that.tlsProtocol) && tlsCipher.equals(that.tlsCipher);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(outcomes, host, tlsProtocol, tlsCipher);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("outcomes", outcomes)
            .add("host", host)
            .add("tlsProtocol", tlsProtocol)
            .add("tlsCipher", tlsCipher)
            .toString();
    }
}
