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
 * its own JVM, driven in one run with the same load, alternating, with a new inbound connection per
 * message and with inbound connections reused; measures intake and end-to-end
 * rates, James's CPU per message, peak RSS and connections to the sink, and checks that the sink got
 * every message exactly once.
 */
public final class RelayBenchmark {
    private static final String SMARTHOST_CLASS = "org/relaypack/mailets/SmarthostDelivery.class";
    private static final String ROUTER_CLASS = "org/relaypack/mailets/MailboxRouter.class";

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
        if (options.large) {
            LargeReport report = new RelayBenchmark(options).runLarge();
            System.out.println(report.markdown());
            System.exit(report.allCountsExact() ? 0 : 1);
        }
        Report report = new RelayBenchmark(options).run();
        System.out.println(report.markdown());
        System.exit(report.allCountsExact() ? 0 : 1);
    }

    /** The memory story: {@link LargeMessages}, its report written as {@code <date>-large.md}. */
    LargeReport runLarge() throws Exception {
        JamesProcess.Launch launch = launch(true);
        List<Configuration> configurations = new ArrayList<>();
        for (Configuration configuration : LargeMessages.CONFIGURATIONS) {
            if (!configuration.runsThePack() || contains(launch.pack, SMARTHOST_CLASS)) {
                configurations.add(configuration);
            }
        }
        String started = now();
        Path runDir = Files.createTempDirectory("relaypack-bench-large-");
        log("run directory " + runDir + "; " + options.messages + " messages of " + options.size + " bytes in parallel to each of "
            + configurations.stream().map(c -> c.name).collect(Collectors.toList()));
        LargeReport report = new LargeReport(options, LargeMessages.run(options, runDir, launch, configurations), started, Machine.describe());
        Path file = write(report.markdown(), started);
        if (report.allCountsExact()) {
            log("results written to " + file);
            deleteRecursively(runDir);
        } else {
            log("results written to " + file + "; SOME COUNTS ARE WRONG: James logs kept in " + runDir);
        }
        return report;
    }

    private JamesProcess.Launch launch(boolean gcLog) throws IOException {
        Path root = options.root;
        Path pack = options.pack.isPresent() ? options.pack.get() : findJar(root.resolve("dist").resolve("target"), "relaypack-");
        Path runnerJar = findJar(root.resolve("runner").resolve("target"), "relaypack-runner-");
        String classpath = runnerJar + java.io.File.pathSeparator
            + Files.readString(root.resolve("runner").resolve("target").resolve("runtime-classpath.txt")).trim();
        return new JamesProcess.Launch(root, classpath, pack, Arrays.asList("-Xms" + options.heap, "-Xmx" + options.heap, "-XX:+UseG1GC"), gcLog);
    }

    private Path write(String text, String started) throws IOException {
        Files.createDirectories(options.results);
        String base = started.substring(0, 10) + "-" + options.mode();
        Path file = options.results.resolve(base + ".md");
        for (int run = 2; Files.exists(file); run++) {
            file = options.results.resolve(base + "-" + run + ".md");
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    Report run() throws Exception {
        Path root = options.root;
        JamesProcess.Launch launch = launch(false);
        Path pack = launch.pack;
        List<String> configurations = new ArrayList<>();
        for (String configuration : options.configurations) {
            Configuration of = Configuration.named(configuration);
            if (of.runsThePack() && !contains(pack, SMARTHOST_CLASS)) {
                notes.add(of.label + " skipped: the pack " + pack.getFileName() + " has no SmarthostDelivery yet.");
                continue;
            }
            if (of.kind == Configuration.Kind.POSTFIX && PostfixProcess.unavailable().isPresent()) {
                notes.add(of.label + " skipped: " + PostfixProcess.unavailable().get() + ".");
                log(of.label + " skipped: " + PostfixProcess.unavailable().get());
                continue;
            }
            configurations.add(configuration);
        }
        String started = now();
        Path runDir = Files.createTempDirectory("relaypack-bench-");
        log("run directory " + runDir + "; " + configurations + ", N=" + options.messages + ", C=" + options.concurrency
            + ", S=" + options.size + ", warm-up " + options.warmup + ", rounds " + options.rounds + ", inbound "
            + options.inbound.stream().map(InboundMode::option).collect(Collectors.joining(", ")));
        Map<String, Relay> james = new LinkedHashMap<>();
        List<Measurement> cold = new ArrayList<>();
        List<Measurement> warm = new ArrayList<>();
        Map<String, Double> peakRss = new LinkedHashMap<>();
        FanOut.Result fanOut = null;
        Path postfixDir = configurations.contains(Configuration.POSTFIX.name) ? Files.createTempDirectory("relaypack-bench-postfix-") : null;
        try (SmtpSink sink = SmtpSink.start()) {
            try {
                log("starting " + configurations + (postfixDir == null ? "" : "; Postfix in " + postfixDir));
                james.putAll(RelayStarter.startAll(configurations.stream().map(Configuration::named).collect(Collectors.toList()),
                    root, runDir, postfixDir, sink.port(), launch));
                for (String configuration : configurations) {
                    if (options.warmup > 0) {
                        // One warm-up pass per inbound mode measured: each mode runs other code at another rate.
                        for (InboundMode inbound : options.inbound) {
                            cold.add(measure(james.get(configuration), sink, "warmup-" + configuration + inbound.phaseSuffix(), inbound,
                                options.warmup));
                        }
                    }
                }
                for (int round = 0; round < options.rounds; round++) {
                    for (int m = 0; m < options.inbound.size(); m++) {
                        // Each round starts with the next inbound mode, and within a mode with the next configuration,
                        // so that a burst of load from elsewhere on the machine does not fall on one of them only.
                        InboundMode inbound = options.inbound.get((m + round) % options.inbound.size());
                        for (int i = 0; i < configurations.size(); i++) {
                            String configuration = configurations.get((i + round) % configurations.size());
                            waitForIdleMachine();
                            warm.add(measure(james.get(configuration), sink, "r" + (round + 1) + "-" + configuration + inbound.phaseSuffix(),
                                inbound, options.messages));
                        }
                    }
                }
                for (String configuration : configurations) {
                    peakRss.put(configuration, james.get(configuration).peakRssMib().orElse(Double.NaN));
                }
            } finally {
                for (Relay process : james.values()) {
                    process.close();
                }
            }
            for (Measurement measurement : Stream.concat(cold.stream(), warm.stream()).collect(Collectors.toList())) {
                SmtpSink.PhaseCount count = sink.phase(measurement.phase);
                measurement.received = count.distinct();
                measurement.duplicates = count.duplicates();
            }
            if (options.fanout > 0) {
                if (contains(pack, ROUTER_CLASS)) {
                    log("fan-out: " + options.fanout + " warm-up then " + options.fanout + " measured messages, each to "
                        + FanOut.RECIPIENTS + " recipients on " + FanOut.SERVERS + " servers");
                    fanOut = FanOut.run(root.resolve("benchmarks").resolve("conf").resolve(FanOut.CONFIGURATION),
                        Files.createDirectories(runDir.resolve(FanOut.CONFIGURATION)), launch, options.fanout, options.fanout, options.size);
                    log(String.format(Locale.ROOT, "fan-out: median %.0f ms, max %.0f ms, %d transactions", fanOut.medianMillis(),
                        fanOut.maxMillis(), fanOut.transactions));
                } else {
                    notes.add("Fan-out skipped: the pack " + pack.getFileName() + " has no MailboxRouter.");
                }
            }
            if (sink.withoutBenchmarkId() > 0) {
                notes.add("The sink got " + sink.withoutBenchmarkId() + " messages without a benchmark Message-ID (bounces?).");
            }
        }
        Report report = new Report(options, configurations, cold, warm, peakRss, java.util.Optional.ofNullable(fanOut), notes, started, Machine.describe());
        Path file = write(report.markdown(), started);
        if (report.allCountsExact()) {
            log("results written to " + file);
            deleteRecursively(runDir);
            if (postfixDir != null) {
                deleteRecursively(postfixDir);
            }
        } else {
            log("results written to " + file + "; SOME COUNTS ARE WRONG: this run does not count; James logs kept in " + runDir
                + (postfixDir == null ? "" : ", Postfix's maillog in " + postfixDir));
        }
        return report;
    }

    private Measurement measure(Relay james, SmtpSink sink, String phase, InboundMode inbound, int messages) throws Exception {
        LoadGenerator load = new LoadGenerator(james.smtpPort(), options.concurrency, options.size, inbound);
        double loadAverage = Machine.loadAverage();
        long connectionsBefore = sink.connections();
        double cpuBefore = james.cpuSeconds();
        long start = System.nanoTime();
        LoadGenerator.Result result = load.send(phase, messages);
        long intakeDone = System.nanoTime();
        boolean drained = waitForEndToEnd(james, sink, phase, result.accepted, messages);
        long endToEndDone = System.nanoTime();
        double cpu = james.cpuSeconds() - cpuBefore;
        Measurement measurement = new Measurement(james.name(), phase, inbound, messages, result.accepted, result.failed,
            (intakeDone - start) / 1e9, (endToEndDone - start) / 1e9, cpu, sink.connections() - connectionsBefore, loadAverage, drained);
        log(String.format(Locale.ROOT, "%-26s intake %8.1f msg/s, end to end %8.1f msg/s, CPU %.2f s/1000, sink connections %d, load %.1f%s",
            phase, measurement.intakeRate(), measurement.endToEndRate(), measurement.cpuPerThousand(), measurement.sinkConnections, loadAverage,
            result.failed > 0 ? ", " + result.failed + " FAILED: " + result.errors
                : result.errors.isEmpty() ? "" : ", no message lost but: " + result.errors));
        return measurement;
    }

    /** Until the sink holds every accepted message of the phase (null baseline: until the spool is empty). */
    private boolean waitForEndToEnd(Relay james, SmtpSink sink, String phase, long accepted, int messages) throws Exception {
        long deadline = System.nanoTime() + (60L + messages / 20) * 1_000_000_000L;
        if (james.name().equals("null")) {
            while (spoolSize((JamesProcess) james) != 0) {
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

    /** The spool's size, or -1 when WebAdmin did not answer in time (a loaded machine, a cold James): ask again. */
    private static long spoolSize(JamesProcess james) throws IOException, InterruptedException {
        try {
            return james.spoolSize();
        } catch (java.net.http.HttpTimeoutException e) {
            log("WebAdmin of James '" + james.name() + "' did not answer in time; asking again");
            return -1;
        }
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

}
