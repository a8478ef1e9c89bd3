package org.relaypack.delivery;

import org.relaypack.delivery.smtp.SmtpReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Keeps, in memory, the attempt facts of each next hop's {@link HopHealth}: last success, last
 * error, failure streak, and the earliest retry scheduled. Thread safe.
 */
final class HopHealthTracker {
    private final Clock clock;
    private final ConcurrentMap<String, State> states = new ConcurrentHashMap<>();

    HopHealthTracker(Clock clock) {
        this.clock = clock;
    }

    /** Records what one hop answered in one attempt (its fallbacks apart). */
    void recordAttempt(String hop, DeliveryResult result) {
        Instant now = clock.instant();
        State state = state(hop);
        synchronized (state) {
            if (!result.recipientsWith(RecipientOutcome.Status.DELIVERED).isEmpty()) {
                state.lastSuccess = Optional.of(now);
                state.endStreak();
                return;
            }
            Optional<RecipientOutcome> temporary = result.outcomes().stream()
                .filter(outcome -> outcome.status() == RecipientOutcome.Status.TEMPORARY_FAILURE).findFirst();
            Optional<RecipientOutcome> failure = temporary.or(() -> result.outcomes().stream().findFirst());
            failure.ifPresent(outcome -> {
                state.lastError = Optional.of(outcome.reply());
                state.lastErrorAt = Optional.of(now);
            });
            if (temporary.isPresent()) {
                state.consecutiveFailures++;
                state.failingSince = state.failingSince.or(() -> Optional.of(now));
            } else {
                state.endStreak();
            }
        }
    }

    /** Records a retry of the hop scheduled for {@code at}. */
    void recordRetry(String hop, Instant at) {
        Instant now = clock.instant();
        State state = state(hop);
        synchronized (state) {
            boolean known = state.nextRetry.filter(next -> next.isAfter(now)).filter(next -> !next.isAfter(at)).isPresent();
            if (!known) {
                state.nextRetry = Optional.of(at);
            }
        }
    }

    /** The hop's attempt facts now, and the queue facts given. */
    HopHealth health(String hop, Optional<QueueFacts> queue) {
        Instant now = clock.instant();
        State state = state(hop);
        HopHealth.Builder builder = HopHealth.builder(hop);
        synchronized (state) {
            state.lastSuccess.ifPresent(builder::lastSuccess);
            state.lastError.ifPresent(reply -> builder.lastError(reply, state.lastErrorAt.orElseThrow()));
            if (state.consecutiveFailures > 0) {
                builder.failing(state.consecutiveFailures, state.failingSince.orElseThrow());
            }
            Optional<Instant> remembered = state.nextRetry.filter(next -> next.isAfter(now));
            queue.flatMap(QueueFacts::nextDelivery).or(() -> remembered).ifPresent(builder::nextRetry);
        }
        queue.ifPresent(facts -> builder.queue(facts.size(), facts.oldestAcceptedAt().map(oldest -> Duration.between(oldest, now))));
        return builder.build();
    }

    private State state(String hop) {
        return states.computeIfAbsent(hop, any -> new State());
    }

    /** What a hop's queue tells of its mail: size, when its oldest mail was accepted, when the next waiting mail is due. */
    static final class QueueFacts {
        private final long size;
        private final Optional<Instant> oldestAcceptedAt;
        private final Optional<Instant> nextDelivery;

        QueueFacts(long size, Optional<Instant> oldestAcceptedAt, Optional<Instant> nextDelivery) {
            this.size = size;
            this.oldestAcceptedAt = oldestAcceptedAt;
            this.nextDelivery = nextDelivery;
        }

        long size() {
            return size;
        }

        Optional<Instant> oldestAcceptedAt() {
            return oldestAcceptedAt;
        }

        Optional<Instant> nextDelivery() {
            return nextDelivery;
        }
    }

    private static final class State {
        private Optional<Instant> lastSuccess = Optional.empty();
        private Optional<SmtpReply> lastError = Optional.empty();
        private Optional<Instant> lastErrorAt = Optional.empty();
        private int consecutiveFailures;
        private Optional<Instant> failingSince = Optional.empty();
        private Optional<Instant> nextRetry = Optional.empty();

        private void endStreak() {
            consecutiveFailures = 0;
            failingSince = Optional.empty();
        }
    }
}
