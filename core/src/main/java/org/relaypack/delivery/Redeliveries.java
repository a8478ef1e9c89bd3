package org.relaypack.delivery;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;

import com.google.common.collect.ImmutableSet;

/**
 * What this node remembers of the queue items it handed back with a nack ({@code done(RETRY)}),
 * which it does only when it could not queue a fresh copy: RabbitMQ and ActiveMQ then redeliver the
 * original, with every recipient and the old attempt count. Remembered here: the attempts made and
 * the recipients already delivered, so that the redelivery neither sends to them again nor starts
 * its count over; and how many nacks of the hop came in a row, so that each waits longer (bounded).
 * Memory only, bounded: after a restart the queue's copy is the truth (at least once).
 */
final class Redeliveries {
    static final int MAX_REMEMBERED = 10_000;

    /** A nacked item: attempts made, recipients delivered. */
    static final class Memo {
        private final int attempts;
        private final ImmutableSet<MailAddress> delivered;

        Memo(int attempts, ImmutableSet<MailAddress> delivered) {
            this.attempts = attempts;
            this.delivered = delivered;
        }

        int attempts() {
            return attempts;
        }

        ImmutableSet<MailAddress> delivered() {
            return delivered;
        }
    }

    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Map<String, Memo> memos = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Memo> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private final ConcurrentMap<String, AtomicInteger> nacksInARow = new ConcurrentHashMap<>();

    Redeliveries(Duration firstBackoff, Duration maxBackoff) {
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
    }

    synchronized void remember(String hop, String mailName, int attempts, Collection<MailAddress> delivered) {
        Memo previous = memos.get(key(hop, mailName));
        ImmutableSet<MailAddress> all = ImmutableSet.<MailAddress>builder()
            .addAll(previous == null ? ImmutableSet.of() : previous.delivered)
            .addAll(delivered)
            .build();
        memos.put(key(hop, mailName), new Memo(Math.max(attempts, previous == null ? 0 : previous.attempts), all));
    }

    synchronized Optional<Memo> recall(String hop, String mailName) {
        return Optional.ofNullable(memos.get(key(hop, mailName)));
    }

    synchronized void forget(String hop, String mailName) {
        memos.remove(key(hop, mailName));
    }

    /** The wait before the next nack of the hop: doubles with each nack in a row, up to the maximum. */
    Duration nextBackoff(String hop) {
        int previous = nacksInARow.computeIfAbsent(hop, any -> new AtomicInteger()).getAndIncrement();
        Duration backoff = firstBackoff.multipliedBy(1L << Math.min(previous, 20));
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    /** The hop's queue took an item back: the next nack starts from the first backoff again. */
    void queueWorked(String hop) {
        AtomicInteger count = nacksInARow.get(hop);
        if (count != null) {
            count.set(0);
        }
    }

    private static String key(String hop, String mailName) {
        return hop + '\n' + mailName;
    }
}
