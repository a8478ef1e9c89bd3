package org.relaypack.routing;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

import org.relaypack.delivery.NextHopsConfiguration;

import com.google.common.collect.ImmutableSet;

/**
 * The next hops a route may name: those of relaypack.xml {@code <nexthops>}. A route to any other
 * name is refused where it is written (startup, WebAdmin) or deferred where it is read (LDAP).
 */
public final class KnownHops {
    /** For tests and embedding without a delivery engine: every valid hop name is accepted. */
    public static KnownHops any() {
        return new KnownHops(Optional.empty());
    }

    public static KnownHops of(Collection<String> names) {
        return new KnownHops(Optional.of(ImmutableSet.copyOf(names)));
    }

    public static KnownHops of(NextHopsConfiguration nextHops) {
        return of(nextHops.hops().keySet());
    }

    private final Optional<ImmutableSet<String>> names;

    private KnownHops(Optional<ImmutableSet<String>> names) {
        this.names = names;
    }

    public boolean contains(String hop) {
        return names.map(set -> set.contains(hop)).orElse(true);
    }

    /**
     * @throws IllegalArgumentException naming the hop and the defined ones, when it is not defined
     */
    public String check(String hop) {
        if (!contains(hop)) {
            throw new IllegalArgumentException(unknown(hop));
        }
        return hop;
    }

    /** "next hop 'x' is not defined in relaypack.xml &lt;nexthops&gt; (defined: a, b)". */
    public String unknown(String hop) {
        return "next hop '" + hop + "' is not defined in relaypack.xml <nexthops> (defined: "
            + names.filter(set -> !set.isEmpty()).map(set -> String.join(", ", set)).orElse("none") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KnownHops && names.equals(((KnownHops) o).names);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names);
    }

    @Override
    public String toString() {
        return names.map(Object::toString).orElse("any");
    }
}
