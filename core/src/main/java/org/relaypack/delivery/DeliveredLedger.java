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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
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
     * Waits until no other delivery of one of these recipients of this mail key to this hop runs in
     * this process, and claims them: copies of one mail that share no recipient (a mail split per
     * destination) do not wait for each other. Close the claim once the delivery is recorded.
     */
    Claim claim(String mailKey, String hop, Collection<MailAddress> recipients) {
        ImmutableMap<MailAddress, long[]> fingerprints = recipients.stream().distinct()
            .collect(ImmutableMap.toImmutableMap(recipient -> recipient, recipient -> fingerprint(mailKey, hop, recipient)));
        ImmutableSet<String> claimKeys = fingerprints.keySet().stream()
            .map(recipient -> hop + '\n' + mailKey + '\n' + recipient.asString())
            .collect(ImmutableSet.toImmutableSet());
        synchronized (claimed) {
            while (claimKeys.stream().anyMatch(claimed::contains)) {
                try {
                    claimed.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while another copy of mail " + mailKey + " was delivered to " + hop, e);
                }
            }
            claimed.addAll(claimKeys);
        }
        return new Claim(fingerprints, claimKeys);
    }

    /** The deliveries of some recipients of one mail key to one hop, claimed: what was delivered already, and recording more. */
    final class Claim implements AutoCloseable {
        private final ImmutableMap<MailAddress, long[]> fingerprints;
        private final ImmutableSet<String> claimKeys;

        private Claim(ImmutableMap<MailAddress, long[]> fingerprints, ImmutableSet<String> claimKeys) {
            this.fingerprints = fingerprints;
            this.claimKeys = claimKeys;
        }

        /** Those of the claimed recipients the ledger has as delivered. */
        ImmutableList<MailAddress> delivered() {
            return fingerprints.entrySet().stream()
                .filter(entry -> contains(entry.getValue()))
                .map(Map.Entry::getKey)
                .collect(ImmutableList.toImmutableList());
        }

        /** Records claimed recipients as delivered, on disk before it returns. */
        void record(Collection<MailAddress> delivered) throws IOException {
            List<long[]> records = delivered.stream().map(fingerprints::get).filter(Objects::nonNull).collect(Collectors.toList());
            if (!records.isEmpty()) {
                append(records);
            }
        }

        @Override
        public void close() {
            synchronized (claimed) {
                claimed.removeAll(claimKeys);
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
            // the next generation first: if it cannot be opened, the current one stays open for the records
            LedgerGeneration next = LedgerGeneration.start(directory, current.sequence() + 1, now);
            current.close(now);
            generations.add(next);
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
            try {
                oldest.delete();
            } catch (IOException e) {
                LOGGER.warn("Delivered ledger: could not delete {} (forgotten all the same)", oldest, e);
            }
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
