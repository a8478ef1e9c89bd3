package org.relaypack.delivery;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation of the {@link DeliveredLedger}: the fingerprints recorded since it began and, for a
 * ledger on disk, its append-only file {@code delivered-<sequence>.ledger}, one fingerprint per line
 * (32 hex digits). Each record is one {@code write} to the file: once it returns, the record is in
 * the operating system's hands and survives a {@code kill -9} of the JVM; with {@code fsync} it is
 * also on the disk.
 */
final class LedgerGeneration {
    private static final Logger LOGGER = LoggerFactory.getLogger(LedgerGeneration.class);
    static final Pattern FILE_NAME = Pattern.compile("delivered-(\\d{12})\\.ledger");
    private static final int LINE_LENGTH = 33;

    static Optional<Long> sequence(Path file) {
        Matcher matcher = FILE_NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    /** A new generation, written to a new file in {@code directory} when there is one. */
    static LedgerGeneration start(Optional<Path> directory, long sequence, Instant now) throws IOException {
        Optional<Path> file = directory.map(dir -> dir.resolve(String.format("delivered-%012d.ledger", sequence)));
        Optional<FileChannel> channel = file.isPresent()
            ? Optional.of(FileChannel.open(file.get(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))
            : Optional.empty();
        return new LedgerGeneration(sequence, file, channel, now);
    }

    /** A generation read back from its file at start, closed; a line cut short by a crash is skipped. */
    static LedgerGeneration load(Path file, long sequence, Instant now) throws IOException {
        LedgerGeneration generation = new LedgerGeneration(sequence, Optional.of(file), Optional.empty(), now);
        int skipped = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                try {
                    generation.fingerprints.add(Long.parseUnsignedLong(line.substring(0, 16), 16), Long.parseUnsignedLong(line.substring(16), 16));
                } catch (RuntimeException e) {
                    skipped++;
                }
            }
        }
        if (skipped > 0) {
            LOGGER.warn("Delivered ledger {}: {} unreadable lines skipped", file, skipped);
        }
        generation.closedAt = now;
        return generation;
    }

    private final long sequence;
    private final Optional<Path> file;
    private Optional<FileChannel> channel;
    private final Fingerprints fingerprints = new Fingerprints();
    private final Instant startedAt;
    private Instant closedAt;

    private LedgerGeneration(long sequence, Optional<Path> file, Optional<FileChannel> channel, Instant startedAt) {
        this.sequence = sequence;
        this.file = file;
        this.channel = channel;
        this.startedAt = startedAt;
    }

    long sequence() {
        return sequence;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** When it stopped taking records: its records are all older than that. */
    Instant closedAt() {
        return closedAt;
    }

    int size() {
        return fingerprints.size();
    }

    boolean contains(long[] fingerprint) {
        return fingerprints.contains(fingerprint[0], fingerprint[1]);
    }

    /** Records the fingerprints not yet here, in one write to the file. */
    void append(List<long[]> toRecord, boolean fsync) throws IOException {
        StringBuilder lines = new StringBuilder(toRecord.size() * LINE_LENGTH);
        for (long[] fingerprint : toRecord) {
            if (fingerprints.add(fingerprint[0], fingerprint[1])) {
                lines.append(String.format("%016x%016x\n", fingerprint[0], fingerprint[1]));
            }
        }
        if (lines.length() == 0 || file.isEmpty()) {
            return;
        }
        if (channel.isEmpty()) {
            throw new IOException("the delivered ledger is closed (James is stopping): " + file.get() + " takes no more records");
        }
        ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
            channel.get().write(buffer);
        }
        if (fsync) {
            channel.get().force(false);
        }
    }

    /** Takes no more records. */
    void close(Instant now) throws IOException {
        closedAt = now;
        if (channel.isPresent()) {
            channel.get().close();
            channel = Optional.empty();
        }
    }

    /** Forgets the generation: its file is deleted. */
    void delete() throws IOException {
        if (file.isPresent()) {
            Files.deleteIfExists(file.get());
        }
    }

    @Override
    public String toString() {
        return file.map(Path::toString).orElse("generation " + sequence) + " (" + size() + " entries)";
    }
}
