package org.relaypack.delivery;

import org.relaypack.delivery.smtp.SmtpReply;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * A next hop's health as this James node saw it, at one moment: when it last took a mail, its last
 * error, how long it has been failing, when the next retry is due, and what its queue holds.
 *
 * The attempt facts are kept in memory by the engine since it started (a restart forgets them);
 * the queue facts are read from the hop's James {@code MailQueue}, which stays the truth for the
 * pending mail, and are absent when the queue cannot be browsed. An attempt counts as a failure of
 * the hop when the hop delivered nothing and failed at least one recipient temporarily (nothing
 * reachable, 4xx, TLS policy not met); a delivery to any recipient ends a failure streak, and so
 * does an answer that only refused recipients for good (the hop is up).
 */
public final class HopHealth {
    public static Builder builder(String hop) {
        return new Builder(hop);
    }

    public static final class Builder {
        private final String hop;
        private Optional<Instant> lastSuccess = Optional.empty();
        private Optional<SmtpReply> lastError = Optional.empty();
        private Optional<Instant> lastErrorAt = Optional.empty();
        private int consecutiveFailures;
        private Optional<Instant> failingSince = Optional.empty();
        private Optional<Instant> nextRetry = Optional.empty();
        private Optional<Long> queueSize = Optional.empty();
        private Optional<Duration> oldestMailAge = Optional.empty();

        private Builder(String hop) {
            this.hop = Objects.requireNonNull(hop);
        }

        public Builder lastSuccess(Instant at) {
            this.lastSuccess = Optional.of(at);
            return this;
        }

        public Builder lastError(SmtpReply reply, Instant at) {
            this.lastError = Optional.of(reply);
            this.lastErrorAt = Optional.of(at);
            return this;
        }

        /** {@code failures} attempts in a row failed, the first of them at {@code since}. */
        public Builder failing(int failures, Instant since) {
            Preconditions.checkArgument(failures > 0, "a failure streak has at least one failure");
            this.consecutiveFailures = failures;
            this.failingSince = Optional.of(since);
            return this;
        }

        /** No failure streak: the last attempt did not fail. */
        public Builder notFailing() {
            this.consecutiveFailures = 0;
            this.failingSince = Optional.empty();
            return this;
        }

        public Builder nextRetry(Instant at) {
            return nextRetry(Optional.of(at));
        }

        Builder nextRetry(Optional<Instant> at) {
            this.nextRetry = at;
            return this;
        }

        public Builder queue(long size, Optional<Duration> oldestMailAge) {
            this.queueSize = Optional.of(size);
            this.oldestMailAge = oldestMailAge;
            return this;
        }

        public HopHealth build() {
            return new HopHealth(this);
        }
    }

    private final String hop;
    private final Optional<Instant> lastSuccess;
    private final Optional<SmtpReply> lastError;
    private final Optional<Instant> lastErrorAt;
    private final int consecutiveFailures;
    private final Optional<Instant> failingSince;
    private final Optional<Instant> nextRetry;
    private final Optional<Long> queueSize;
    private final Optional<Duration> oldestMailAge;

    private HopHealth(Builder builder) {
        this.hop = builder.hop;
        this.lastSuccess = builder.lastSuccess;
        this.lastError = builder.lastError;
        this.lastErrorAt = builder.lastErrorAt;
        this.consecutiveFailures = builder.consecutiveFailures;
        this.failingSince = builder.failingSince;
        this.nextRetry = builder.nextRetry;
        this.queueSize = builder.queueSize;
        this.oldestMailAge = builder.oldestMailAge;
    }

    /** A builder holding this health's facts, to make the next one. */
    Builder toBuilder() {
        Builder builder = new Builder(hop);
        builder.lastSuccess = lastSuccess;
        builder.lastError = lastError;
        builder.lastErrorAt = lastErrorAt;
        builder.consecutiveFailures = consecutiveFailures;
        builder.failingSince = failingSince;
        builder.nextRetry = nextRetry;
        builder.queueSize = queueSize;
        builder.oldestMailAge = oldestMailAge;
        return builder;
    }

    public String hop() {
        return hop;
    }

    /** When the hop last delivered to at least one recipient. */
    public Optional<Instant> lastSuccess() {
        return lastSuccess;
    }

    /** The reply of the last failed attempt (the remote reply, or the local description of the failure). */
    public Optional<SmtpReply> lastError() {
        return lastError;
    }

    public Optional<Instant> lastErrorAt() {
        return lastErrorAt;
    }

    /** Attempts that failed in a row; 0 when the last attempt did not fail. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** When the current failure streak began; empty when the hop is not failing. */
    public Optional<Instant> failingSince() {
        return failingSince;
    }

    public boolean isFailing() {
        return consecutiveFailures > 0;
    }

    /** How long the hop has been failing at {@code now}; empty when it is not failing. */
    public Optional<Duration> failingFor(Instant now) {
        return failingSince.map(since -> Duration.between(since, now));
    }

    /** When the earliest retry waiting for this hop is due, when one is known. */
    public Optional<Instant> nextRetry() {
        return nextRetry;
    }

    /** Mails in the hop's queue (waiting and in delivery), when the queue tells. */
    public Optional<Long> queueSize() {
        return queueSize;
    }

    /** Age of the oldest mail waiting in the hop's queue, counted from when the engine got it. */
    public Optional<Duration> oldestMailAge() {
        return oldestMailAge;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof HopHealth) {
            HopHealth that = (HopHealth) o;
            return consecutiveFailures == that.consecutiveFailures && hop.equals(that.hop) && lastSuccess.equals(that.lastSuccess)
                && lastError.equals(that.lastError) && lastErrorAt.equals(that.lastErrorAt) && failingSince.equals(that.failingSince)
                && nextRetry.equals(that.nextRetry) && queueSize.equals(that.queueSize) && oldestMailAge.equals(that.oldestMailAge);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hop, lastSuccess, lastError, lastErrorAt, consecutiveFailures, failingSince, nextRetry, queueSize, oldestMailAge);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("hop", hop)
            .add("lastSuccess", lastSuccess)
            .add("lastError", lastError)
            .add("lastErrorAt", lastErrorAt)
            .add("consecutiveFailures", consecutiveFailures)
            .add("failingSince", failingSince)
            .add("nextRetry", nextRetry)
            .add("queueSize", queueSize)
            .add("oldestMailAge", oldestMailAge)
            .toString();
    }
}
