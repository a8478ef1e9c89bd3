package org.relaypack.routing;

import java.util.Objects;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.relaypack.delivery.HopName;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * Where one recipient goes: the name of a next hop of the delivery engine (a mailbox server) and,
 * when the directory rewrites the address ({@code mailRoutingAddress}, an RRT address mapping),
 * the address to use in RCPT TO at that hop.
 */
public final class Route {
    public static Route to(String hop) {
        return new Route(HopName.check(hop), Optional.empty());
    }

    public static Route to(String hop, MailAddress rewrittenRecipient) {
        return new Route(HopName.check(hop), Optional.of(rewrittenRecipient));
    }

    public static Route to(String hop, Optional<MailAddress> rewrittenRecipient) {
        return new Route(HopName.check(hop), rewrittenRecipient);
    }

    /** For hop names validated when they were loaded (route tables). */
    static Route trusted(String hop, Optional<MailAddress> rewrittenRecipient) {
        return new Route(hop, rewrittenRecipient);
    }

    private final String hop;
    private final Optional<MailAddress> rewrittenRecipient;

    private Route(String hop, Optional<MailAddress> rewrittenRecipient) {
        Preconditions.checkNotNull(rewrittenRecipient);
        this.hop = hop;
        this.rewrittenRecipient = rewrittenRecipient;
    }

    public String hop() {
        return hop;
    }

    public Optional<MailAddress> rewrittenRecipient() {
        return rewrittenRecipient;
    }

    /** The address to hand to the hop for {@code original}. */
    public MailAddress recipientFor(MailAddress original) {
        return rewrittenRecipient.orElse(original);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof Route) {
            Route that = (Route) o;
            return hop.equals(that.hop) && rewrittenRecipient.equals(that.rewrittenRecipient);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hop, rewrittenRecipient);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("hop", hop)
            .add("rewrittenRecipient", rewrittenRecipient.map(MailAddress::asString).orElse(null))
            .omitNullValues()
            .toString();
    }
}
