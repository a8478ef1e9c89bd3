package org.relaypack.routing;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.core.MailAddress;

/**
 * A route source of the test: the routes it is given, and an unreachable backend on demand
 * (everything, or some recipients, answer a temporary failure, as an LDAP that cannot be reached).
 * It implements core's {@link RouteSource}, so it lives in core's test-jar rather than in
 * relaypack-test-fixtures (which must not depend on core).
 */
public final class SwitchableRouteSource implements RouteSource {
    public static final String FAILURE = "LDAP: connect error";

    private final String name;
    private final Map<MailAddress, Route> routes = new ConcurrentHashMap<>();
    private final Set<MailAddress> failing = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean down = new AtomicBoolean();
    private volatile RouteLookup otherwise = RouteLookup.noRoute();

    private SwitchableRouteSource(String name) {
        this.name = name;
    }

    public static SwitchableRouteSource named(String name) {
        return new SwitchableRouteSource(name);
    }

    public SwitchableRouteSource route(MailAddress recipient, Route route) {
        routes.put(recipient, route);
        return this;
    }

    /** The answer for a recipient without a route of its own (no route unless told). */
    public SwitchableRouteSource otherwise(RouteLookup lookup) {
        this.otherwise = lookup;
        return this;
    }

    /** Every lookup answers a temporary failure while down. */
    public void down(boolean down) {
        this.down.set(down);
    }

    /** Lookups of this recipient answer a temporary failure. */
    public void failFor(MailAddress recipient) {
        failing.add(recipient);
    }

    @Override
    public RouteLookup lookup(MailAddress recipient) {
        if (down.get() || failing.contains(recipient)) {
            return RouteLookup.temporaryFailure(FAILURE);
        }
        return Optional.ofNullable(routes.get(recipient)).map(RouteLookup::found).orElse(otherwise);
    }

    @Override
    public String name() {
        return name;
    }
}
