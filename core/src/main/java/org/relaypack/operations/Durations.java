package org.relaypack.operations;

import java.time.Duration;

/** Durations as the pack writes them in its configuration: "90s", "10m", "2h". */
final class Durations {
    private Durations() {
    }

    /** To the next whole second: a hop failing for 2.4s is not "failing for 2s, longer than 2s". */
    static Duration roundedUp(Duration duration) {
        Duration seconds = Duration.ofSeconds(duration.getSeconds());
        return seconds.equals(duration) ? seconds : seconds.plusSeconds(1);
    }

    static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds != 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
