package org.relaypack.delivery;

import java.util.Collection;
import java.util.Map;

import org.apache.james.core.MailAddress;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * One next hop's share of a mail, as a mailet hands it to {@link DeliveryEngine#deliverShares}: the
 * recipients its copy carries, and the mail's recipients they stand for.
 */
public final class HopShare {
    private final NextHop hop;
    private final ImmutableList<MailAddress> recipients;
    private final ImmutableList<MailAddress> originals;
    private final ImmutableMap<MailAddress, MailAddress> rewrites;

    /** {@code originals} differ from {@code recipients} only where a route rewrote an address. */
    public HopShare(NextHop hop, Collection<MailAddress> recipients, Collection<MailAddress> originals) {
        this(hop, recipients, originals, ImmutableMap.of());
    }

    /**
     * @param rewrites each original recipient a route rewrote to the address given in its place
     *     (the copy's DSN parameters are re-keyed to it and failures reported for the original)
     */
    public HopShare(NextHop hop, Collection<MailAddress> recipients, Collection<MailAddress> originals,
                    Map<MailAddress, MailAddress> rewrites) {
        this.hop = hop;
        this.recipients = ImmutableList.copyOf(recipients);
        this.originals = ImmutableList.copyOf(originals);
        this.rewrites = ImmutableMap.copyOf(rewrites);
    }

    NextHop hop() {
        return hop;
    }

    ImmutableList<MailAddress> recipients() {
        return recipients;
    }

    ImmutableList<MailAddress> originals() {
        return originals;
    }

    ImmutableMap<MailAddress, MailAddress> rewrites() {
        return rewrites;
    }
}
