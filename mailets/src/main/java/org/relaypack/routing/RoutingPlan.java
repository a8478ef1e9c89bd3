package org.relaypack.routing;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.apache.james.core.MailAddress;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/**
 * How the recipients of one mail split over the mailbox servers: for each next hop, the addresses
 * to give it in RCPT TO (rewritten where the directory says so, each once, in recipient order), the
 * recipients without route, and the directory failures. A router delivers nothing of a mail whose
 * plan {@link #hasFailures() has failures}: the mail waits and is planned again, never half-guessed.
 */
public final class RoutingPlan {
    public static RoutingPlan of(RouteDirectory directory, Collection<MailAddress> recipients) {
        Map<String, Set<MailAddress>> byHop = new LinkedHashMap<>();
        Map<String, ImmutableList.Builder<MailAddress>> originals = new LinkedHashMap<>();
        ImmutableList.Builder<MailAddress> unrouted = ImmutableList.builder();
        Map<MailAddress, String> failures = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            RouteLookup lookup = directory.lookup(recipient);
            switch (lookup.status()) {
                case FOUND:
                    Route route = lookup.route().orElseThrow();
                    byHop.computeIfAbsent(route.hop(), hop -> new LinkedHashSet<>()).add(route.recipientFor(recipient));
                    originals.computeIfAbsent(route.hop(), hop -> ImmutableList.builder()).add(recipient);
                    break;
                case NO_ROUTE:
                    unrouted.add(recipient);
                    break;
                default:
                    failures.put(recipient, lookup.failureReason().orElse(""));
            }
        }
        ImmutableMap.Builder<String, ImmutableSet<MailAddress>> groups = ImmutableMap.builder();
        byHop.forEach((hop, addresses) -> groups.put(hop, ImmutableSet.copyOf(addresses)));
        ImmutableMap.Builder<String, ImmutableList<MailAddress>> originalGroups = ImmutableMap.builder();
        originals.forEach((hop, addresses) -> originalGroups.put(hop, addresses.build()));
        return new RoutingPlan(groups.build(), originalGroups.build(), unrouted.build(), ImmutableMap.copyOf(failures));
    }

    private final ImmutableMap<String, ImmutableSet<MailAddress>> recipientsByHop;
    private final ImmutableMap<String, ImmutableList<MailAddress>> originalRecipientsByHop;
    private final ImmutableList<MailAddress> unrouted;
    private final ImmutableMap<MailAddress, String> failures;

    private RoutingPlan(ImmutableMap<String, ImmutableSet<MailAddress>> recipientsByHop,
                        ImmutableMap<String, ImmutableList<MailAddress>> originalRecipientsByHop, ImmutableList<MailAddress> unrouted,
                        ImmutableMap<MailAddress, String> failures) {
        this.recipientsByHop = recipientsByHop;
        this.originalRecipientsByHop = originalRecipientsByHop;
        this.unrouted = unrouted;
        this.failures = failures;
    }

    /** Next hop name to the addresses to deliver there (rewritten addresses applied), in first-seen order. */
    public ImmutableMap<String, ImmutableSet<MailAddress>> recipientsByHop() {
        return recipientsByHop;
    }

    /** Next hop name to the mail's recipients (before rewriting) routed there. */
    public ImmutableMap<String, ImmutableList<MailAddress>> originalRecipientsByHop() {
        return originalRecipientsByHop;
    }

    public ImmutableList<MailAddress> unrouted() {
        return unrouted;
    }

    /** Recipient to the reason the directory gave. */
    public ImmutableMap<MailAddress, String> failures() {
        return failures;
    }

    public boolean hasFailures() {
        return !failures.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof RoutingPlan) {
            RoutingPlan that = (RoutingPlan) o;
            return recipientsByHop.equals(that.recipientsByHop) && originalRecipientsByHop.equals(that.originalRecipientsByHop)
                && unrouted.equals(that.unrouted) && failures.equals(that.failures);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(recipientsByHop, originalRecipientsByHop, unrouted, failures);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("recipientsByHop", recipientsByHop)
            .add("unrouted", unrouted)
            .add("failures", failures)
            .toString();
    }
}
