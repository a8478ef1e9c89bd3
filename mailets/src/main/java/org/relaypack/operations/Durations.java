package org.relaypack.operations;

import java.time.Duration;

/** Durations as the pack writes them in its configuration: "90s", "10m", "2h". */
final class Durations {
    private Durations() {
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
