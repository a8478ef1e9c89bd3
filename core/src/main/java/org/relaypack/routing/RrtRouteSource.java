package org.relaypack.routing;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.Mappings;
import org.relaypack.delivery.HopName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * Routes from James's own recipient rewrite table, managed with james-cli or WebAdmin:
 * the RRT rewrites the recipient ({@code AddAddressMapping alice example.com alice@mbox1.example.com}),
 * then the domain of the resulting address picks the next hop ({@code <domain name="mbox1.example.com" hop="server1"/>}).
 * A recipient without mapping is routed by its own domain. An error mapping means "no such user";
 * a mapping to several addresses (a group) is a temporary failure: expand groups before routing.
 */
public class RrtRouteSource implements RouteSource {
    public static final String NAME = "rrt";
    private static final Logger LOGGER = LoggerFactory.getLogger(RrtRouteSource.class);

    private final RecipientRewriteTable recipientRewriteTable;
    private final ImmutableMap<Domain, String> domainRoutes;

    public RrtRouteSource(RecipientRewriteTable recipientRewriteTable, ImmutableMap<Domain, String> domainRoutes) {
        this.recipientRewriteTable = recipientRewriteTable;
        this.domainRoutes = domainRoutes;
        domainRoutes.values().forEach(HopName::check);
    }

    @Override
    public String name() {
        return NAME;
    }

    public ImmutableMap<Domain, String> domainRoutes() {
        return domainRoutes;
    }

    @Override
    public RouteLookup lookup(MailAddress recipient) {
        Mappings mappings;
        try {
            mappings = recipientRewriteTable.getResolvedMappings(recipient.getLocalPart(), recipient.getDomain());
        } catch (RecipientRewriteTable.TooManyMappingException e) {
            LOGGER.warn("RRT mappings of {} loop or nest too deep: {}", recipient.asString(), e.getMessage());
            return RouteLookup.temporaryFailure("RRT: too many mappings for " + recipient.asString());
        } catch (RecipientRewriteTable.ErrorMappingException e) {
            LOGGER.debug("RRT error mapping for {}: {}", recipient.asString(), e.getMessage());
            return RouteLookup.noRoute();
        } catch (RecipientRewriteTableException | RuntimeException e) {
            LOGGER.warn("RRT lookup of {} failed", recipient.asString(), e);
            return RouteLookup.temporaryFailure("RRT: " + e.getMessage());
        }
        List<Mapping> targets = mappings.asStream().collect(ImmutableList.toImmutableList());
        if (targets.isEmpty()) {
            return route(recipient, Optional.empty());
        }
        if (targets.size() > 1) {
            return RouteLookup.temporaryFailure("RRT maps " + recipient.asString() + " to " + targets.size()
                + " addresses; expand groups (RecipientRewriteTable mailet) before routing");
        }
        Optional<MailAddress> target = targets.get(0).asMailAddress();
        if (target.isEmpty()) {
            return RouteLookup.temporaryFailure("RRT maps " + recipient.asString() + " to '" + targets.get(0).asString()
                + "', which is not an address");
        }
        return route(target.get(), target.filter(address -> !address.equals(recipient)));
    }

    private RouteLookup route(MailAddress target, Optional<MailAddress> rewritten) {
        return Optional.ofNullable(domainRoutes.get(target.getDomain()))
            .map(hop -> RouteLookup.found(Route.to(hop, rewritten)))
            .orElse(RouteLookup.noRoute());
    }
}
