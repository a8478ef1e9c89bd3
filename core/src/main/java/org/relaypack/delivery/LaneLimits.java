package org.relaypack.delivery;

import java.time.Duration;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * How a {@code type="mx"} next hop shares its deliveries among destinations (recipient domains):
 * at most {@code destinationConcurrency} at once per destination (Postfix's
 * {@code default_destination_concurrency_limit}), and a destination that failed at the connection
 * level is left alone for {@code deadFor} (Postfix's dead host cache). See {@link DestinationLanes}.
 */
public final class LaneLimits {
    public static final int DEFAULT_DESTINATION_CONCURRENCY = 20;
    /** Postfix suspends a dead destination for {@code minimal_backoff_time}, 300s. */
    public static final Duration DEFAULT_DEAD_FOR = Duration.ofMinutes(5);
    public static final Duration MIN_DEAD_FOR = Duration.ofSeconds(1);
    public static final Duration MAX_DEAD_FOR = Duration.ofHours(1);
    public static final int MAX_DESTINATION_CONCURRENCY = 1000;
    public static final LaneLimits DEFAULTS = new LaneLimits(DEFAULT_DESTINATION_CONCURRENCY, DEFAULT_DEAD_FOR);

    public static LaneLimits of(int destinationConcurrency, Duration deadFor) {
        Preconditions.checkArgument(destinationConcurrency >= 1 && destinationConcurrency <= MAX_DESTINATION_CONCURRENCY,
            "destinationConcurrency must be 1-%s", MAX_DESTINATION_CONCURRENCY);
        Preconditions.checkArgument(deadFor.compareTo(MIN_DEAD_FOR) >= 0 && deadFor.compareTo(MAX_DEAD_FOR) <= 0,
            "deadFor must be 1s-1h");
        return new LaneLimits(destinationConcurrency, deadFor);
    }

    private final int destinationConcurrency;
    private final Duration deadFor;

    private LaneLimits(int destinationConcurrency, Duration deadFor) {
        this.destinationConcurrency = destinationConcurrency;
        this.deadFor = deadFor;
    }

    /** Deliveries to one destination at once; the hop's concurrency still caps them all together. */
    public int destinationConcurrency() {
        return destinationConcurrency;
    }

    /** How long a destination that failed at the connection level gets no connection. */
    public Duration deadFor() {
        return deadFor;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof LaneLimits) {
            LaneLimits that = (LaneLimits) o;
            return destinationConcurrency == that.destinationConcurrency && deadFor.equals(that.deadFor);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(destinationConcurrency, deadFor);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("destinationConcurrency", destinationConcurrency).add("deadFor", deadFor).toString();
    }
}
