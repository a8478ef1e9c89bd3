package org.relaypack.delivery;

import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * A next hop as the delivery engine runs it: the hop itself, its retry schedule, how many
 * deliveries run at once from its queue, and the hop that takes over its temporarily failed
 * recipients (Postfix's smtp_fallback_relay).
 */
public final class ConfiguredHop {
    public static final int DEFAULT_CONCURRENCY = 4;

    public static ConfiguredHop of(NextHop hop) {
        return new ConfiguredHop(hop, RetryPolicy.defaults(), DEFAULT_CONCURRENCY, Optional.empty());
    }

    public static ConfiguredHop of(NextHop hop, RetryPolicy retry, int concurrency, Optional<String> fallback) {
        Preconditions.checkArgument(concurrency >= 1, "concurrency must be at least 1");
        return new ConfiguredHop(hop, retry, concurrency, fallback);
    }

    private final NextHop hop;
    private final RetryPolicy retry;
    private final int concurrency;
    private final Optional<String> fallback;

    private ConfiguredHop(NextHop hop, RetryPolicy retry, int concurrency, Optional<String> fallback) {
        this.hop = Objects.requireNonNull(hop);
        this.retry = Objects.requireNonNull(retry);
        this.concurrency = concurrency;
        this.fallback = Objects.requireNonNull(fallback);
    }

    public String name() {
        return hop.name();
    }

    public NextHop hop() {
        return hop;
    }

    public RetryPolicy retry() {
        return retry;
    }

    /** Deliveries from this hop's queue that run at the same time. */
    public int concurrency() {
        return concurrency;
    }

    /** The name of the hop that gets, in the same attempt, the recipients this hop failed temporarily. */
    public Optional<String> fallback() {
        return fallback;
    }

    public ConfiguredHop withRetry(RetryPolicy retry) {
        return new ConfiguredHop(hop, retry, concurrency, fallback);
    }

    public ConfiguredHop withFallback(String fallback) {
        return new ConfiguredHop(hop, retry, concurrency, Optional.of(fallback));
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ConfiguredHop) {
            ConfiguredHop that = (ConfiguredHop) o;
            return concurrency == that.concurrency && hop.equals(that.hop) && retry.equals(that.retry) && fallback.equals(that.fallback);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hop, retry, concurrency, fallback);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("hop", hop)
            .add("retry", retry)
            .add("concurrency", concurrency)
            .add("fallback", fallback)
            .toString();
    }
}
