package org.relaypack.delivery;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * A next hop as the delivery engine runs it: the hop itself, its retry schedule, how many
 * deliveries run at once from its queue, the hop that takes over its temporarily failed
 * recipients (Postfix's smtp_fallback_relay), and where the first attempt of a mail is made.
 */
public final class ConfiguredHop {
    public static final int DEFAULT_CONCURRENCY = 4;

    /** Where a mail handed to the engine gets its first delivery attempt. */
    public enum FirstAttempt {
        /**
         * At once, in the thread that hands the mail over (a James spool thread), when one of the
         * hop's pooled connections is free and the hop has not just failed; otherwise, and for
         * whatever fails temporarily, the hop's queue.
         */
        INLINE("inline"),
        /** Always from the hop's queue. */
        QUEUE("queue");

        private final String configValue;

        FirstAttempt(String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }

        /** The value written exactly as in relaypack.xml ({@code inline}, {@code queue}). */
        public static Optional<FirstAttempt> parse(String value) {
            return Arrays.stream(values()).filter(firstAttempt -> firstAttempt.configValue.equals(value)).findFirst();
        }

        /** Inline for the fixed relays of a smarthost or mailbox server; queued for delivery to recipient domains' MX hosts. */
        public static FirstAttempt defaultFor(NextHop hop) {
            return hop.kind() == NextHop.Kind.HOSTS ? INLINE : QUEUE;
        }
    }

    public static ConfiguredHop of(NextHop hop) {
        return of(hop, RetryPolicy.defaults(), DEFAULT_CONCURRENCY, Optional.empty(), FirstAttempt.defaultFor(hop));
    }

    public static ConfiguredHop of(NextHop hop, RetryPolicy retry, int concurrency, Optional<String> fallback) {
        return of(hop, retry, concurrency, fallback, FirstAttempt.defaultFor(hop));
    }

    public static ConfiguredHop of(NextHop hop, RetryPolicy retry, int concurrency, Optional<String> fallback, FirstAttempt firstAttempt) {
        Preconditions.checkArgument(concurrency >= 1, "concurrency must be at least 1");
        return new ConfiguredHop(hop, retry, concurrency, fallback, firstAttempt, LaneLimits.DEFAULTS);
    }

    private final NextHop hop;
    private final RetryPolicy retry;
    private final int concurrency;
    private final Optional<String> fallback;
    private final FirstAttempt firstAttempt;
    private final LaneLimits lanes;
    /** Immutable, and a map key per mail (routes group recipients by hop): hashed once. */
    private final int hash;

    private ConfiguredHop(NextHop hop, RetryPolicy retry, int concurrency, Optional<String> fallback, FirstAttempt firstAttempt,
                          LaneLimits lanes) {
        this.hop = Objects.requireNonNull(hop);
        this.retry = Objects.requireNonNull(retry);
        this.concurrency = concurrency;
        this.fallback = Objects.requireNonNull(fallback);
        this.firstAttempt = Objects.requireNonNull(firstAttempt);
        this.lanes = Objects.requireNonNull(lanes);
        this.hash = Objects.hash(hop, retry, concurrency, fallback, firstAttempt, lanes);
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

    public FirstAttempt firstAttempt() {
        return firstAttempt;
    }

    /** For a {@code type="mx"} hop: how its deliveries are shared among destinations; see {@link DestinationLanes}. */
    public LaneLimits lanes() {
        return lanes;
    }

    /** True for a hop that delivers each destination (recipient domain) in a lane of its own. */
    public boolean hasLanes() {
        return hop.kind() == NextHop.Kind.RECIPIENT_MX;
    }

    public ConfiguredHop withRetry(RetryPolicy retry) {
        return new ConfiguredHop(hop, retry, concurrency, fallback, firstAttempt, lanes);
    }

    public ConfiguredHop withFallback(String fallback) {
        return new ConfiguredHop(hop, retry, concurrency, Optional.of(fallback), firstAttempt, lanes);
    }

    public ConfiguredHop withFirstAttempt(FirstAttempt firstAttempt) {
        return new ConfiguredHop(hop, retry, concurrency, fallback, firstAttempt, lanes);
    }

    public ConfiguredHop withLanes(LaneLimits lanes) {
        return new ConfiguredHop(hop, retry, concurrency, fallback, firstAttempt, lanes);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof ConfiguredHop) {
            ConfiguredHop that = (ConfiguredHop) o;
            return concurrency == that.concurrency && hop.equals(that.hop) && retry.equals(that.retry) && fallback.equals(that.fallback)
                && firstAttempt == that.firstAttempt && lanes.equals(that.lanes);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("hop", hop)
            .add("retry", retry)
            .add("concurrency", concurrency)
            .add("fallback", fallback)
            .add("firstAttempt", firstAttempt)
            .add("lanes", lanes)
            .toString();
    }
}
