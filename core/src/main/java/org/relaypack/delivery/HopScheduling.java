package org.relaypack.delivery;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * How the delivery engine runs a next hop's deliveries (what Postfix's queue manager decides for a
 * transport): the retry schedule, how many deliveries run at once from the hop's queue, the hop that
 * takes over its temporarily failed recipients (Postfix's smtp_fallback_relay), where the first
 * attempt of a mail is made, and for a {@code type="mx"} hop how its deliveries are shared among
 * destinations. Part of a {@link NextHop}.
 */
public final class HopScheduling {
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
            return defaultFor(hop.kind());
        }

        static FirstAttempt defaultFor(NextHop.Kind kind) {
            return kind == NextHop.Kind.HOSTS ? INLINE : QUEUE;
        }
    }

    /** The defaults for a hop of this kind: default retries, {@link #DEFAULT_CONCURRENCY}, no fallback, the kind's first attempt. */
    public static HopScheduling defaults(NextHop.Kind kind) {
        return of(RetryPolicy.defaults(), DEFAULT_CONCURRENCY, Optional.empty(), FirstAttempt.defaultFor(kind));
    }

    public static HopScheduling of(RetryPolicy retry, int concurrency, Optional<String> fallback, FirstAttempt firstAttempt) {
        Preconditions.checkArgument(concurrency >= 1, "concurrency must be at least 1");
        return new HopScheduling(retry, concurrency, fallback, firstAttempt, LaneLimits.DEFAULTS);
    }

    private final RetryPolicy retry;
    private final int concurrency;
    private final Optional<String> fallback;
    private final FirstAttempt firstAttempt;
    private final LaneLimits lanes;

    private HopScheduling(RetryPolicy retry, int concurrency, Optional<String> fallback, FirstAttempt firstAttempt, LaneLimits lanes) {
        this.retry = Objects.requireNonNull(retry);
        this.concurrency = concurrency;
        this.fallback = Objects.requireNonNull(fallback);
        this.firstAttempt = Objects.requireNonNull(firstAttempt);
        this.lanes = Objects.requireNonNull(lanes);
    }

    public RetryPolicy retry() {
        return retry;
    }

    /** Deliveries from the hop's queue that run at the same time. */
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

    public HopScheduling withRetry(RetryPolicy retry) {
        return new HopScheduling(retry, concurrency, fallback, firstAttempt, lanes);
    }

    public HopScheduling withFallback(String fallback) {
        return new HopScheduling(retry, concurrency, Optional.of(fallback), firstAttempt, lanes);
    }

    public HopScheduling withFirstAttempt(FirstAttempt firstAttempt) {
        return new HopScheduling(retry, concurrency, fallback, firstAttempt, lanes);
    }

    public HopScheduling withLanes(LaneLimits lanes) {
        return new HopScheduling(retry, concurrency, fallback, firstAttempt, lanes);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof HopScheduling) {
            HopScheduling that = (HopScheduling) o;
            return concurrency == that.concurrency && retry.equals(that.retry) && fallback.equals(that.fallback)
                && firstAttempt == that.firstAttempt && lanes.equals(that.lanes);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(retry, concurrency, fallback, firstAttempt, lanes);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("retry", retry).add("concurrency", concurrency).add("fallback", fallback)
            .add("firstAttempt", firstAttempt).add("lanes", lanes).toString();
    }
}
