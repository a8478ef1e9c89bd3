package org.relaypack.routing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes from a text file ({@link RoutesFileParser} format). The file is polled for changes (its
 * modification time and size) and a changed file is parsed into a new table that replaces the old
 * one in one step; a malformed file leaves the last good table in place and is logged with its line
 * number and reason. At startup a malformed or missing file is an error.
 */
public class FileRouteSource implements RouteSource, AutoCloseable {
    public static final String NAME = "file";
    private static final Logger LOGGER = LoggerFactory.getLogger(FileRouteSource.class);

    private static final class Loaded {
        private final RouteTable table;
        private final Optional<FileState> state;

        private Loaded(RouteTable table, Optional<FileState> state) {
            this.table = table;
            this.state = state;
        }
    }

    private static final class FileState {
        private final FileTime modified;
        private final long size;

        private FileState(FileTime modified, long size) {
            this.modified = modified;
            this.size = size;
        }

        static Optional<FileState> of(Path file) throws IOException {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return Optional.of(new FileState(attributes.lastModifiedTime(), attributes.size()));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof FileState) {
                FileState that = (FileState) o;
                return size == that.size && modified.equals(that.modified);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(modified, size);
        }
    }

    /**
     * Loads {@code file} and, when {@code reloadInterval} is positive, polls it at that interval.
     *
     * @throws RoutesFileException when the file is missing, unreadable or malformed
     */
    public static FileRouteSource load(Path file, Duration reloadInterval) throws RoutesFileException {
        return load(file, reloadInterval, KnownHops.any());
    }

    /**
     * As {@link #load(Path, Duration)}; a route to a next hop outside {@code knownHops} makes the
     * file bad: refused at load, and at a reload the previous table stays in use.
     */
    public static FileRouteSource load(Path file, Duration reloadInterval, KnownHops knownHops) throws RoutesFileException {
        FileRouteSource source = new FileRouteSource(file, knownHops, readFile(file, knownHops));
        if (!reloadInterval.isZero() && !reloadInterval.isNegative()) {
            source.startPolling(reloadInterval);
        }
        return source;
    }

    private final Path file;
    private final KnownHops knownHops;
    private final AtomicReference<Loaded> current;
    /** The file state last read, good or bad: a bad file is reported once, not at every poll. */
    private volatile Optional<FileState> lastSeen;
    private volatile Optional<ScheduledExecutorService> poller = Optional.empty();

    private FileRouteSource(Path file, KnownHops knownHops, Loaded initial) {
        this.file = file;
        this.knownHops = knownHops;
        this.current = new AtomicReference<>(initial);
        this.lastSeen = initial.state;
    }

    @Override
    public String name() {
        return NAME;
    }

    public Path file() {
        return file;
    }

    @Override
    public RouteLookup lookup(MailAddress recipient) {
        RouteTable table = current.get().table;
        Optional<Route> route = table.get(RouteKey.ofAddress(recipient))
            .or(() -> table.get(RouteKey.ofDomain(recipient.getDomain())))
            .or(() -> table.get(RouteKey.DEFAULT));
        return route.map(RouteLookup::found).orElse(RouteLookup.noRoute());
    }

    public RouteTable table() {
        return current.get().table;
    }

    /**
     * Reads the file again when its modification time or size changed since the last read.
     *
     * @return true when a new table is in place
     */
    public synchronized boolean reloadIfChanged() {
        try {
            Optional<FileState> state = FileState.of(file);
            if (state.equals(lastSeen)) {
                return false;
            }
            lastSeen = state;
            Loaded loaded = readFile(file, knownHops);
            current.set(loaded);
            LOGGER.info("Reloaded routes file {}: {} routes", file, loaded.table.size());
            return true;
        } catch (RoutesFileException e) {
            LOGGER.error("Routes file {} not reloaded, the previous table ({} routes) stays in use: line {}: {}",
                file, current.get().table.size(), e.line(), e.reason(), e);
            return false;
        } catch (IOException | RuntimeException e) {
            LOGGER.error("Routes file {} not reloaded, the previous table stays in use", file, e);
            return false;
        }
    }

    /** Adds or replaces the route of {@code entry}'s key: rewrites the file atomically, then swaps the table. */
    public synchronized void setRoute(RouteEntry entry) throws IOException, RoutesFileException {
        List<String> lines = new ArrayList<>();
        boolean replaced = false;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (keyOf(line).map(entry.key()::equals).orElse(false)) {
                if (!replaced) {
                    lines.add(entry.asLine());
                    replaced = true;
                }
            } else {
                lines.add(line);
            }
        }
        if (!replaced) {
            lines.add(entry.asLine());
        }
        write(lines);
    }

    /** @return false when there was no route for that key */
    public synchronized boolean deleteRoute(String key) throws IOException, RoutesFileException {
        String normalized = RouteKey.normalize(key);
        List<String> lines = new ArrayList<>();
        boolean removed = false;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (keyOf(line).map(normalized::equals).orElse(false)) {
                removed = true;
            } else {
                lines.add(line);
            }
        }
        if (removed) {
            write(lines);
        }
        return removed;
    }

    /** The key of a routes file line in lower case, without validating it (the parser does). */
    private static Optional<String> keyOf(String line) {
        String content = line.strip();
        if (content.isEmpty() || content.startsWith("#")) {
            return Optional.empty();
        }
        int end = 0;
        while (end < content.length() && content.charAt(end) != ' ' && content.charAt(end) != '\t') {
            end++;
        }
        return Optional.of(content.substring(0, end).toLowerCase(Locale.ROOT));
    }

    private void write(List<String> lines) throws IOException, RoutesFileException {
        String content = String.join("\n", lines) + "\n";
        RouteTable table = RoutesFileParser.parse(new BufferedReader(new StringReader(content)), file.toString(), knownHops);
        Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        Optional<FileState> state = FileState.of(file);
        current.set(new Loaded(table, state));
        lastSeen = state;
        LOGGER.info("Routes file {} rewritten: {} routes", file, table.size());
    }

    private static Loaded readFile(Path file, KnownHops knownHops) throws RoutesFileException {
        try {
            Optional<FileState> state = FileState.of(file);
            if (state.isEmpty()) {
                throw new RoutesFileException(file.toString(), 0, "file not found");
            }
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                return new Loaded(RoutesFileParser.parse(reader, file.toString(), knownHops), state);
            }
        } catch (IOException e) {
            throw new RoutesFileException(file.toString(), "cannot read: " + e.getMessage(), e);
        }
    }

    private void startPolling(Duration interval) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "relaypack-routes-reload");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::reloadIfChanged, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        poller = Optional.of(executor);
    }

    @Override
    public void close() {
        poller.ifPresent(ScheduledExecutorService::shutdownNow);
    }
}
