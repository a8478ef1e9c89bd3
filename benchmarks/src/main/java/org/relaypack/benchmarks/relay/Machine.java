package org.relaypack.benchmarks.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/** What the figures were measured on, read from /proc. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        return String.format(Locale.ROOT, "%d cores (nproc), %s, %s memory, %s (%s), Linux %s, load average at the end %s",
            Runtime.getRuntime().availableProcessors(), cpuModel(), memory(), "JDK " + System.getProperty("java.version"),
            System.getProperty("java.vm.name"), System.getProperty("os.version"), loadAverages());
    }

    static double loadAverage() {
        try {
            return Double.parseDouble(loadAverages().split(" ")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String loadAverages() {
        try {
            String[] fields = Files.readString(Paths.get("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        return field("/proc/cpuinfo", "model name", "unknown CPU");
    }

    private static String memory() {
        String total = field("/proc/meminfo", "MemTotal", "");
        if (total.isEmpty()) {
            return "unknown";
        }
        long kib = Long.parseLong(total.replaceAll("[^0-9]", ""));
        return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
    }

    private static String field(String file, String name, String otherwise) {
        try {
            List<String> lines = Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8);
            for (String line : lines) {
                if (line.startsWith(name)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return otherwise;
        }
        return otherwise;
    }
}
