package org.relaypack.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.apache.james.util.DurationParser;

/**
 * The one duration syntax of the pack's configuration: a whole number and a unit, as James writes
 * durations ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}; {@code ms}, {@code s},
 * {@code m}, {@code h}, {@code d}, {@code w} and their long forms). A unit is required, and every
 * duration has bounds: this class holds them and says what is allowed when a value is outside.
 */
public final class DurationRange {
    static final String SYNTAX = "is not a duration with a unit such as 30s, 5m, 1h, 2d";

    /** More than zero and at most {@code max}. */
    public static DurationRange positiveUpTo(Duration max) {
        return new DurationRange(Optional.empty(), max);
    }

    /** Zero (the feature off) up to {@code max}. */
    public static DurationRange zeroUpTo(Duration max) {
        return new DurationRange(Optional.of(Duration.ZERO), max);
    }

    public static DurationRange between(Duration min, Duration max) {
        return new DurationRange(Optional.of(min), max);
    }

    /** Empty minimum: more than zero. */
    private final Optional<Duration> min;
    private final Duration max;

    private DurationRange(Optional<Duration> min, Duration max) {
        this.min = min;
        this.max = Objects.requireNonNull(max);
    }

    /** A duration in the one syntax, with no bound: the problem, or the duration. */
    static Duration parse(String text) {
        if (!text.matches("\\s*\\d{1,15}\\s*[a-zA-Z]+\\s*")) {
            throw new IllegalArgumentException(SYNTAX);
        }
        try {
            return DurationParser.parse(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(SYNTAX + " (" + e.getMessage() + ")");
        }
    }

    /** Why the duration is outside the range, or empty when it is inside. */
    Optional<String> problem(Duration duration) {
        if (min.isPresent() && !min.get().isZero() && (duration.compareTo(min.get()) < 0 || duration.compareTo(max) > 0)) {
            return Optional.of("must be between " + format(min.get()) + " and " + format(max));
        }
        if (min.isEmpty() && duration.isZero()) {
            return Optional.of("must be more than zero");
        }
        if (duration.compareTo(max) > 0) {
            return Optional.of("must be at most " + format(max));
        }
        return Optional.empty();
    }

    /** "1d", "5m", "1500ms": the largest unit that writes the duration exactly. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis % sizes[i] == 0) {
                return millis / sizes[i] + units[i];
            }
        }
        return millis + "ms";
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof DurationRange) {
            DurationRange that = (DurationRange) o;
            return min.equals(that.min) && max.equals(that.max);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(min, max);
    }

    @Override
    public String toString() {
        return min.map(DurationRange::format).orElse(">0") + ".." + format(max);
    }
}
