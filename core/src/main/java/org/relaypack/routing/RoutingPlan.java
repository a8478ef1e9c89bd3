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
        Map<String, Map<MailAddress, MailAddress>> rewrites = new LinkedHashMap<>();
        ImmutableList.Builder<MailAddress> unrouted = ImmutableList.builder();
        Map<MailAddress, String> failures = new LinkedHashMap<>();
        for (MailAddress recipient : recipients) {
            RouteLookup lookup = directory.lookup(recipient);
            switch (lookup.status()) {
                case FOUND:
                    Route route = lookup.route().orElseThrow();
                    byHop.computeIfAbsent(route.hop(), hop -> new LinkedHashSet<>()).add(route.recipientFor(recipient));
                    originals.computeIfAbsent(route.hop(), hop -> ImmutableList.builder()).add(recipient);
                    Map<MailAddress, MailAddress> hopRewrites = rewrites.computeIfAbsent(route.hop(), hop -> new LinkedHashMap<>());
                    if (!route.recipientFor(recipient).equals(recipient)) {
                        hopRewrites.put(recipient, route.recipientFor(recipient));
                    }
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
        ImmutableMap.Builder<String, ImmutableMap<MailAddress, MailAddress>> rewriteGroups = ImmutableMap.builder();
        rewrites.forEach((hop, addresses) -> rewriteGroups.put(hop, ImmutableMap.copyOf(addresses)));
        return new RoutingPlan(groups.build(), originalGroups.build(), rewriteGroups.build(), unrouted.build(), ImmutableMap.copyOf(failures));
    }

    private final ImmutableMap<String, ImmutableSet<MailAddress>> recipientsByHop;
    private final ImmutableMap<String, ImmutableList<MailAddress>> originalRecipientsByHop;
    private final ImmutableMap<String, ImmutableMap<MailAddress, MailAddress>> rewritesByHop;
    private final ImmutableList<MailAddress> unrouted;
    private final ImmutableMap<MailAddress, String> failures;

    private RoutingPlan(ImmutableMap<String, ImmutableSet<MailAddress>> recipientsByHop,
                        ImmutableMap<String, ImmutableList<MailAddress>> originalRecipientsByHop,
                        ImmutableMap<String, ImmutableMap<MailAddress, MailAddress>> rewritesByHop, ImmutableList<MailAddress> unrouted,
                        ImmutableMap<MailAddress, String> failures) {
        this.recipientsByHop = recipientsByHop;
        this.originalRecipientsByHop = originalRecipientsByHop;
        this.rewritesByHop = rewritesByHop;
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

    /** Next hop name to each of its original recipients whose address a route rewrote, and the address given in its place. */
    public ImmutableMap<MailAddress, MailAddress> rewrites(String hop) {
        return rewritesByHop.getOrDefault(hop, ImmutableMap.of());
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
                && rewritesByHop.equals(that.rewritesByHop) && unrouted.equals(that.unrouted) && failures.equals(that.failures);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(recipientsByHop, originalRecipientsByHop, rewritesByHop, unrouted, failures);
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
