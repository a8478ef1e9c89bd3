package org.relaypack.delivery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hashing;

/**
 * The recipients the engine has delivered, per mail and next hop, kept long enough to recognise any
 * other copy of the mail that a queue may give back: the original of an item whose retry was queued
 * but whose acknowledgement a crash cut off, or a spool redelivery after the mailet had handed the
 * mail over. Each copy carries the same {@link DeliveryAttributes#mailKey mail key}.
 *
 * A record is a 128-bit fingerprint (SHA-256) of the mail key, the hop and the recipient, appended
 * to a file under James's {@code var/} before the queue item is acknowledged: it survives a
 * {@code kill -9}; an operating system crash only with {@code fsync}. The records are kept in
 * generations: one is written to, the older ones are read; a generation is forgotten (its file
 * deleted) once all its records are older than the retention, counted in the time the engine ran
 * (a generation read back at start counts from then: a node that was down does not age its queue),
 * or earlier when the ledger holds more than its maximum of records. See docs/durability.md.
 *
 * {@link #claim} serialises the deliveries of one mail key and hop in this process, so that two
 * copies in flight at once do not both send.
 */
public final class DeliveredLedger implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveredLedger.class);
    /** Generations within the retention: each covers a quarter of it, or a fifth of the maximum records. */
    static final int GENERATIONS = 4;

    /** A ledger whose records live in files of {@code directory}, created if needed; the records there are read back. */
    public static DeliveredLedger open(Path directory, Duration retention, int maxEntries, boolean fsync, Clock clock) throws IOException {
        Files.createDirectories(directory);
        List<Path> files;
        try (Stream<Path> listed = Files.list(directory)) {
            files = listed.filter(file -> LedgerGeneration.sequence(file).isPresent())
                .sorted((a, b) -> Long.compare(LedgerGeneration.sequence(a).get(), LedgerGeneration.sequence(b).get()))
                .collect(Collectors.toList());
        }
        Deque<LedgerGeneration> loaded = new ArrayDeque<>();
        for (Path file : files) {
            loaded.add(LedgerGeneration.load(file, LedgerGeneration.sequence(file).get(), clock.instant()));
        }
        DeliveredLedger ledger = new DeliveredLedger(Optional.of(directory), retention, maxEntries, fsync, clock, loaded);
        LOGGER.info("Delivered ledger in {}: {} records read back from {} files; retention {}, at most {} records, fsync {}",
            directory, ledger.size(), files.size(), retention, maxEntries, fsync);
        return ledger;
    }

    /** A ledger in memory only: it guards against copies in this process, not across a restart. */
    public static DeliveredLedger inMemory(Duration retention, int maxEntries, Clock clock) {
        try {
            return new DeliveredLedger(Optional.empty(), retention, maxEntries, false, clock, new ArrayDeque<>());
        } catch (IOException e) {
            throw new IllegalStateException("a ledger in memory has no file to fail", e);
        }
    }

    private final Optional<Path> directory;
    private final Duration retention;
    private final int maxEntries;
    private final boolean fsync;
    private final Clock clock;
    /** Oldest first; the last is written to. */
    private final Deque<LedgerGeneration> generations;
    private final Set<String> claimed = new HashSet<>();

    private DeliveredLedger(Optional<Path> directory, Duration retention, int maxEntries, boolean fsync, Clock clock,
                            Deque<LedgerGeneration> loaded) throws IOException {
        this.directory = directory;
        this.retention = retention;
        this.maxEntries = maxEntries;
        this.fsync = fsync;
        this.clock = clock;
        this.generations = loaded;
        long next = loaded.isEmpty() ? 1 : loaded.getLast().sequence() + 1;
        generations.add(LedgerGeneration.start(directory, next, clock.instant()));
        prune(clock.instant());
    }

    /**
     * Waits until no other delivery of this mail key and hop runs in this process, and claims it;
     * close the claim once the delivery is recorded.
     */
    Claim claim(String mailKey, String hop) {
        String claimKey = hop + '\n' + mailKey;
        synchronized (claimed) {
            while (!claimed.add(claimKey)) {
                try {
                    claimed.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while another copy of mail " + mailKey + " was delivered to " + hop, e);
                }
            }
        }
        return new Claim(mailKey, hop, claimKey);
    }

    /** The deliveries of one mail key to one hop, claimed: what was delivered already, and recording more. */
    final class Claim implements AutoCloseable {
        private final String mailKey;
        private final String hop;
        private final String claimKey;

        private Claim(String mailKey, String hop, String claimKey) {
            this.mailKey = mailKey;
            this.hop = hop;
            this.claimKey = claimKey;
        }

        /** Those of the recipients the ledger has as delivered. */
        ImmutableList<MailAddress> delivered(Collection<MailAddress> recipients) {
            return recipients.stream()
                .filter(recipient -> contains(fingerprint(mailKey, hop, recipient)))
                .collect(ImmutableList.toImmutableList());
        }

        /** Records the recipients as delivered, on disk before it returns. */
        void record(Collection<MailAddress> delivered) throws IOException {
            if (!delivered.isEmpty()) {
                append(delivered.stream().map(recipient -> fingerprint(mailKey, hop, recipient)).collect(Collectors.toList()));
            }
        }

        @Override
        public void close() {
            synchronized (claimed) {
                claimed.remove(claimKey);
                claimed.notifyAll();
            }
        }
    }

    /** Records in the ledger now, all generations. */
    synchronized int size() {
        return generations.stream().mapToInt(LedgerGeneration::size).sum();
    }

    Duration retention() {
        return retention;
    }

    @Override
    public synchronized void close() throws IOException {
        generations.getLast().close(clock.instant());
    }

    private synchronized boolean contains(long[] fingerprint) {
        return generations.stream().anyMatch(generation -> generation.contains(fingerprint));
    }

    private synchronized void append(List<long[]> fingerprints) throws IOException {
        Instant now = clock.instant();
        LedgerGeneration current = generations.getLast();
        if (!now.isBefore(current.startedAt().plus(retention.dividedBy(GENERATIONS))) || current.size() >= perGeneration()) {
            current.close(now);
            generations.add(LedgerGeneration.start(directory, current.sequence() + 1, now));
            prune(now);
        }
        generations.getLast().append(fingerprints, fsync);
    }

    /** Forgets the closed generations older than the retention, and the oldest beyond the maximum of records. */
    private void prune(Instant now) throws IOException {
        while (generations.size() > 1) {
            LedgerGeneration oldest = generations.getFirst();
            boolean expired = !now.isBefore(oldest.closedAt().plus(retention));
            // Room for the new generation to fill up.
            boolean full = size() > maxEntries - perGeneration();
            if (!expired && !full) {
                return;
            }
            if (!expired) {
                LOGGER.warn("Delivered ledger full ({} records, at most {}): {} forgotten before its retention of {} ran out; "
                    + "raise maxEntries of <deliveredLedger> if copies of a mail may come back later than that", size(), maxEntries,
                    oldest, retention);
            }
            generations.removeFirst();
            oldest.delete();
        }
    }

    private int perGeneration() {
        return maxEntries / (GENERATIONS + 1);
    }

    static long[] fingerprint(String mailKey, String hop, MailAddress recipient) {
        byte[] hash = Hashing.sha256().newHasher()
            .putString(mailKey, StandardCharsets.UTF_8).putByte((byte) 0)
            .putString(hop, StandardCharsets.UTF_8).putByte((byte) 0)
            .putString(recipient.asString(), StandardCharsets.UTF_8)
            .hash().asBytes();
        ByteBuffer buffer = ByteBuffer.wrap(hash);
        return new long[] {buffer.getLong(), buffer.getLong()};
    }
}
