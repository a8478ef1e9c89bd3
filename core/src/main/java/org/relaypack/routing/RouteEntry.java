package org.relaypack.routing;

import java.util.Objects;

import com.google.common.base.MoreObjects;

/** One line of a route table: a key ({@code user@domain}, {@code @domain}, {@code *}) and its route. */
public final class RouteEntry {
    public static RouteEntry of(String key, Route route) {
        return new RouteEntry(RouteKey.normalize(key), route);
    }

    /** For keys already in normal form. */
    static RouteEntry normalized(String key, Route route) {
        return new RouteEntry(key, route);
    }

    private final String key;
    private final Route route;

    private RouteEntry(String key, Route route) {
        this.key = key;
        this.route = Objects.requireNonNull(route);
    }

    public String key() {
        return key;
    }

    public Route route() {
        return route;
    }

    /** The line as written in a routes file. */
    public String asLine() {
        return key + " " + route.hop() + route.rewrittenRecipient().map(address -> " " + address.asString()).orElse("");
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof RouteEntry) {
            RouteEntry that = (RouteEntry) o;
            return key.equals(that.key) && route.equals(that.route);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, route);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("key", key).add("route", route).toString();
    }
}
