package org.relaypack.benchmarks.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pauses of a JVM's {@code -Xlog:gc} file, e.g.
 * {@code [3.1s][info][gc] GC(7) Pause Full (System.gc()) 812M->95M(3072M) 40.1ms}: heap used
 * before and after each collection, in MiB.
 */
final class GcLog {
    private static final Pattern PAUSE = Pattern.compile("GC\\(\\d+\\) (Pause .*?) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private GcLog() {
    }

    /** One collection: what kind ({@code Pause Full (System.gc())}, {@code Pause Young ...}), heap before and after. */
    static final class Pause {
        final String kind;
        final double beforeMib;
        final double afterMib;

        Pause(String kind, double beforeMib, double afterMib) {
            this.kind = kind;
            this.beforeMib = beforeMib;
            this.afterMib = afterMib;
        }

        boolean forcedFull() {
            return kind.startsWith("Pause Full (System.gc())") || kind.startsWith("Pause Full (Diagnostic Command");
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.0fM->%.0fM", kind, beforeMib, afterMib);
        }
    }

    /** The file's length now: {@link #pausesSince} reads what comes after it. */
    static long mark(Path log) throws IOException {
        return Files.exists(log) ? Files.size(log) : 0;
    }

    /** The pauses logged from byte {@code offset} on. */
    static List<Pause> pausesSince(Path log, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(log);
        String text = new String(bytes, (int) Math.min(offset, bytes.length), (int) Math.max(0, bytes.length - offset), StandardCharsets.US_ASCII);
        return parse(text);
    }

    static List<Pause> parse(String text) {
        List<Pause> pauses = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher matcher = PAUSE.matcher(line);
            if (matcher.find()) {
                pauses.add(new Pause(matcher.group(1).trim(), mib(matcher.group(2), matcher.group(3)), mib(matcher.group(4), matcher.group(5))));
            }
        }
        return pauses;
    }

    private static double mib(String value, String unit) {
        double number = Double.parseDouble(value);
        switch (unit) {
            case "K":
                return number / 1024;
            case "G":
                return number * 1024;
            default:
                return number;
        }
    }
}
