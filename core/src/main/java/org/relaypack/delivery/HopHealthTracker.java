package org.relaypack.delivery;

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
    /** Per hop, its attempt facts as a {@link HopHealth} without queue facts, replaced at each record. */
    private final ConcurrentMap<String, HopHealth> attempts = new ConcurrentHashMap<>();

    HopHealthTracker(Clock clock) {
        this.clock = clock;
    }

    /** Records what one hop answered in one attempt (its fallbacks apart). */
    void recordAttempt(String hop, DeliveryResult result) {
        Instant now = clock.instant();
        attempts.compute(hop, (name, known) -> afterAttempt(orNew(name, known), result, now));
    }

    private static HopHealth afterAttempt(HopHealth known, DeliveryResult result, Instant now) {
        HopHealth.Builder next = known.toBuilder();
        if (!result.recipientsWith(RecipientOutcome.Status.DELIVERED).isEmpty()) {
            return next.lastSuccess(now).notFailing().build();
        }
        Optional<RecipientOutcome> temporary = result.outcomes().stream()
            .filter(outcome -> outcome.status() == RecipientOutcome.Status.TEMPORARY_FAILURE).findFirst();
        Optional<RecipientOutcome> failure = temporary.or(() -> result.outcomes().stream().findFirst());
        failure.ifPresent(outcome -> next.lastError(outcome.reply(), now));
        if (temporary.isPresent()) {
            next.failing(known.consecutiveFailures() + 1, known.failingSince().orElse(now));
        } else {
            next.notFailing();
        }
        return next.build();
    }

    /** Records a retry of the hop scheduled for {@code at}. */
    void recordRetry(String hop, Instant at) {
        Instant now = clock.instant();
        attempts.compute(hop, (name, known) -> {
            HopHealth health = orNew(name, known);
            boolean earlierDue = health.nextRetry().filter(next -> next.isAfter(now)).filter(next -> !next.isAfter(at)).isPresent();
            return earlierDue ? health : health.toBuilder().nextRetry(at).build();
        });
    }

    /** The hop's attempt facts now, and the queue facts given. */
    HopHealth health(String hop, Optional<QueueFacts> queue) {
        Instant now = clock.instant();
        HopHealth known = orNew(hop, attempts.get(hop));
        Optional<Instant> remembered = known.nextRetry().filter(next -> next.isAfter(now));
        HopHealth.Builder builder = known.toBuilder().nextRetry(queue.flatMap(QueueFacts::nextDelivery).or(() -> remembered));
        queue.ifPresent(facts -> builder.queue(facts.size(), facts.oldestAcceptedAt().map(oldest -> Duration.between(oldest, now))));
        return builder.build();
    }

    private static HopHealth orNew(String hop, HopHealth known) {
        return known != null ? known : HopHealth.builder(hop).build();
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
}
