package org.relaypack.benchmarks.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The relay benchmark of {@code benchmarks/run.sh}: James 3.8.1 in three configurations (null
 * baseline, stock RemoteDelivery to the sink, relaypack SmarthostDelivery to the same sink), each in
 * its own JVM, driven in one run with the same load, alternating; measures intake and end-to-end
 * rates, James's CPU per message, peak RSS and connections to the sink, and checks that the sink got
 * every message exactly once.
 */
public final class RelayBenchmark {
    static final Map<String, String> LABELS = labels();
    private static final String SMARTHOST_CLASS = "org/relaypack/smarthost/SmarthostDelivery.class";

    private final BenchmarkOptions options;
    private final List<String> notes = new ArrayList<>();

    RelayBenchmark(BenchmarkOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Path root = Paths.get(System.getProperty("relaypack.root", ".")).toAbsolutePath().normalize();
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Report report = new RelayBenchmark(options).run();
        System.out.println(report.markdown());
        System.exit(report.allCountsExact() ? 0 : 1);
    }

    Report run() throws Exception {
        Path root = options.root;
        Path pack = options.pack.isPresent() ? options.pack.get() : findJar(root.resolve("dist").resolve("target"), "relaypack-");
        Path runnerJar = findJar(root.resolve("runner").resolve("target"), "relaypack-runner-");
        String classpath = runnerJar + java.io.File.pathSeparator
            + Files.readString(root.resolve("runner").resolve("target").resolve("runtime-classpath.txt")).trim();
        JamesProcess.Launch launch = new JamesProcess.Launch(root, classpath, pack,
            Arrays.asList("-Xms" + options.heap, "-Xmx" + options.heap, "-XX:+UseG1GC"));
        List<String> configurations = new ArrayList<>();
        for (String configuration : options.configurations) {
            if (configuration.equals("smarthost") && !contains(pack, SMARTHOST_CLASS)) {
                notes.add("(c) relaypack smarthost skipped: the pack " + pack.getFileName() + " has no SmarthostDelivery yet.");
                continue;
            }
            configurations.add(configuration);
        }
        String started = now();
        Path runDir = Files.createTempDirectory("relaypack-bench-");
        log("run directory " + runDir + "; " + configurations + ", N=" + options.messages + ", C=" + options.concurrency
            + ", S=" + options.size + ", warm-up " + options.warmup + ", rounds " + options.rounds);
        Map<String, JamesProcess> james = new LinkedHashMap<>();
        List<Measurement> cold = new ArrayList<>();
        List<Measurement> warm = new ArrayList<>();
        Map<String, Double> peakRss = new LinkedHashMap<>();
        try (SmtpSink sink = SmtpSink.start()) {
            try {
                for (String configuration : configurations) {
                    log("starting James '" + configuration + "'");
                    boolean baseline = configuration.equals(BenchmarkOptions.SMARTHOST_BASELINE);
                    String folder = baseline ? "smarthost" : configuration;
                    JamesProcess.Launch configurationLaunch = baseline
                        ? new JamesProcess.Launch(root, classpath, options.baselinePack.get(), launch.jvmOptions)
                        : launch;
                    james.put(configuration, JamesProcess.start(configuration, root.resolve("benchmarks").resolve("conf").resolve(folder),
                        Files.createDirectories(runDir.resolve(configuration)), sink.port(), configurationLaunch));
                }
                for (String configuration : configurations) {
                    if (options.warmup > 0) {
                        cold.add(measure(james.get(configuration), sink, "warmup-" + configuration, options.warmup));
                    }
                }
                for (int round = 0; round < options.rounds; round++) {
                    for (int i = 0; i < configurations.size(); i++) {
                        // Alternate: each round starts with the next configuration.
                        String configuration = configurations.get((i + round) % configurations.size());
                        waitForIdleMachine();
                        warm.add(measure(james.get(configuration), sink, "r" + (round + 1) + "-" + configuration, options.messages));
                    }
                }
                for (String configuration : configurations) {
                    peakRss.put(configuration, james.get(configuration).peakRssMib());
                }
            } finally {
                for (JamesProcess process : james.values()) {
                    process.close();
                }
            }
            for (Measurement measurement : Stream.concat(cold.stream(), warm.stream()).collect(Collectors.toList())) {
                SmtpSink.PhaseCount count = sink.phase(measurement.phase);
                measurement.received = count.distinct();
                measurement.duplicates = count.duplicates();
            }
            if (sink.withoutBenchmarkId() > 0) {
                notes.add("The sink got " + sink.withoutBenchmarkId() + " messages without a benchmark Message-ID (bounces?).");
            }
        }
        Report report = new Report(options, configurations, cold, warm, peakRss, notes, started, Machine.describe());
        String text = report.markdown();
        Files.createDirectories(options.results);
        String base = started.substring(0, 10) + "-" + options.mode();
        Path file = options.results.resolve(base + ".md");
        for (int run = 2; Files.exists(file); run++) {
            file = options.results.resolve(base + "-" + run + ".md");
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        if (report.allCountsExact()) {
            log("results written to " + file);
            deleteRecursively(runDir);
        } else {
            log("results written to " + file + "; SOME COUNTS ARE WRONG: this run does not count; James logs kept in " + runDir);
        }
        return report;
    }

    private Measurement measure(JamesProcess james, SmtpSink sink, String phase, int messages) throws Exception {
        LoadGenerator load = new LoadGenerator(james.smtpPort(), options.concurrency, options.size);
        double loadAverage = Machine.loadAverage();
        long connectionsBefore = sink.connections();
        double cpuBefore = james.cpuSeconds();
        long start = System.nanoTime();
        LoadGenerator.Result result = load.send(phase, messages);
        long intakeDone = System.nanoTime();
        boolean drained = waitForEndToEnd(james, sink, phase, result.accepted, messages);
        long endToEndDone = System.nanoTime();
        double cpu = james.cpuSeconds() - cpuBefore;
        Measurement measurement = new Measurement(james.name(), phase, messages, result.accepted, result.failed,
            (intakeDone - start) / 1e9, (endToEndDone - start) / 1e9, cpu, sink.connections() - connectionsBefore, loadAverage, drained);
        log(String.format(Locale.ROOT, "%-22s intake %8.1f msg/s, end to end %8.1f msg/s, CPU %.2f s/1000, sink connections %d, load %.1f%s",
            phase, measurement.intakeRate(), measurement.endToEndRate(), measurement.cpuPerThousand(), measurement.sinkConnections, loadAverage,
            result.failed > 0 ? ", " + result.failed + " FAILED: " + result.errors : ""));
        return measurement;
    }

    /** Until the sink holds every accepted message of the phase (null baseline: until the spool is empty). */
    private boolean waitForEndToEnd(JamesProcess james, SmtpSink sink, String phase, long accepted, int messages) throws Exception {
        long deadline = System.nanoTime() + (60L + messages / 20) * 1_000_000_000L;
        if (james.name().equals("null")) {
            while (james.spoolSize() > 0) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(20);
            }
            return true;
        }
        SmtpSink.PhaseCount count = sink.phase(phase);
        while (count.distinct() < accepted) {
            if (System.nanoTime() > deadline) {
                log("gave up waiting for " + phase + ": the sink holds " + count.distinct() + " of " + accepted);
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Up to --idle-wait seconds for the 1-minute load average to drop below the number of cores. */
    private void waitForIdleMachine() throws Exception {
        long deadline = System.nanoTime() + options.idleWaitSeconds * 1_000_000_000L;
        int cores = Runtime.getRuntime().availableProcessors();
        while (Machine.loadAverage() >= cores && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
    }

    private static Path findJar(Path target, String prefix) throws IOException {
        if (!Files.isDirectory(target)) {
            throw new IOException("No " + target + ": build first (benchmarks/run.sh does)");
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(file -> {
                String name = file.getFileName().toString();
                return name.startsWith(prefix) && name.endsWith(".jar") && !name.contains("sources") && !name.contains("tests")
                    && (prefix.equals("relaypack-runner-") || !name.startsWith("relaypack-runner-"));
            }).findFirst().orElseThrow(() -> new IOException("No " + prefix + "*.jar in " + target + ": build first"));
        }
    }

    private static boolean contains(Path jar, String entry) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getEntry(entry) != null;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted((a, b) -> b.compareTo(a))::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19) + "Z";
    }

    private static void log(String message) {
        System.err.println("[bench " + now().substring(11) + "] " + message);
    }

    static double median(List<Measurement> measurements, ToDoubleFunction<Measurement> figure) {
        double[] values = measurements.stream().mapToDouble(figure).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("null", "(a) James, transport ends in Null");
        labels.put("remote-delivery", "(b) James, stock RemoteDelivery, gateway = sink");
        labels.put(BenchmarkOptions.SMARTHOST_BASELINE, "(c0) the same as (c), pack from --baseline-pack");
        labels.put("smarthost", "(c) James, relaypack SmarthostDelivery, next hop = sink");
        return labels;
    }
}
