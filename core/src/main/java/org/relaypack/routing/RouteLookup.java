package org.relaypack.routing;

import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * The answer of a route source: a route, no route (the recipient is unknown to this source), or a
 * temporary failure (the directory could not be asked). A failure is a value, never an exception:
 * callers must turn it into "try again later", never into a guess.
 */
public final class RouteLookup {
    public enum Status {
        FOUND,
        NO_ROUTE,
        TEMPORARY_FAILURE
    }

    private static final RouteLookup NO_ROUTE = new RouteLookup(Status.NO_ROUTE, Optional.empty(), Optional.empty());

    public static RouteLookup found(Route route) {
        return new RouteLookup(Status.FOUND, Optional.of(route), Optional.empty());
    }

    public static RouteLookup noRoute() {
        return NO_ROUTE;
    }

    public static RouteLookup temporaryFailure(String reason) {
        Preconditions.checkNotNull(reason);
        return new RouteLookup(Status.TEMPORARY_FAILURE, Optional.empty(), Optional.of(reason));
    }

    private final Status status;
    private final Optional<Route> route;
    private final Optional<String> failureReason;

    private RouteLookup(Status status, Optional<Route> route, Optional<String> failureReason) {
        this.status = status;
        this.route = route;
        this.failureReason = failureReason;
    }

    public Status status() {
        return status;
    }

    public boolean isFound() {
        return status == Status.FOUND;
    }

    public boolean isNoRoute() {
        return status == Status.NO_ROUTE;
    }

    public boolean isTemporaryFailure() {
        return status == Status.TEMPORARY_FAILURE;
    }

    /** Present exactly when {@link #isFound()}. */
    public Optional<Route> route() {
        return route;
    }

    /** Present exactly when {@link #isTemporaryFailure()}. */
    public Optional<String> failureReason() {
        return failureReason;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof RouteLookup) {
            RouteLookup that = (RouteLookup) o;
            return status == that.status && route.equals(that.route) && failureReason.equals(that.failureReason);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, route, failureReason);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("status", status)
            .add("route", route.orElse(null))
            .add("failureReason", failureReason.orElse(null))
            .omitNullValues()
            .toString();
    }
}
