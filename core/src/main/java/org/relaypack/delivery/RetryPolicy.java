package org.relaypack.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;

/**
 * When to try again after a temporary failure, and when to give up. The n-th retry waits the n-th
 * delay of the schedule; past its end the last delay repeats. After {@code maxAttempts} attempts
 * the recipients still failing temporarily are bounced.
 */
public final class RetryPolicy {
    public static final ImmutableList<Duration> DEFAULT_DELAYS = ImmutableList.of(
        Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
        Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4));
    /** With the default delays: about 4 days before giving up, like Postfix's maximal_queue_lifetime of 5d. */
    public static final int DEFAULT_MAX_ATTEMPTS = 30;

    public static RetryPolicy defaults() {
        return of(DEFAULT_DELAYS, DEFAULT_MAX_ATTEMPTS);
    }

    public static RetryPolicy of(List<Duration> delays, int maxAttempts) {
        Preconditions.checkArgument(!delays.isEmpty(), "at least one retry delay is needed");
        Preconditions.checkArgument(maxAttempts >= 1, "maxAttempts must be at least 1");
        return new RetryPolicy(ImmutableList.copyOf(delays), maxAttempts);
    }

    private final ImmutableList<Duration> delays;
    private final int maxAttempts;

    private RetryPolicy(ImmutableList<Duration> delays, int maxAttempts) {
        this.delays = delays;
        this.maxAttempts = maxAttempts;
    }

    public ImmutableList<Duration> delays() {
        return delays;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** True when an attempt numbered {@code attemptsMade} (1 for the first) may be followed by another. */
    public boolean mayRetryAfter(int attemptsMade) {
        return attemptsMade < maxAttempts;
    }

    /** The wait before the next attempt, after {@code attemptsMade} failed attempts (1 or more). */
    public Duration delayAfter(int attemptsMade) {
        Preconditions.checkArgument(attemptsMade >= 1, "attemptsMade must be at least 1");
        return delays.get(Math.min(attemptsMade, delays.size()) - 1);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof RetryPolicy) {
            RetryPolicy that = (RetryPolicy) o;
            return maxAttempts == that.maxAttempts && delays.equals(that.delays);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(delays, maxAttempts);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("delays", delays).add("maxAttempts", maxAttempts).toString();
    }
}
