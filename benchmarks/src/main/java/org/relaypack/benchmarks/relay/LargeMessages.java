package org.relaypack.benchmarks.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The memory story of issue 11 ({@code benchmarks/run.sh --large}): N messages of S bytes (default
 * 20 of 40 MB) sent in parallel, one per connection, to James with stock RemoteDelivery and to
 * James with relaypack's SmarthostDelivery, one James after the other (never both loaded at once),
 * both on James's memory queue, the same sink. What is measured is James's heap, from its own GC
 * log ({@code -Xlog:gc}): the benchmark forces a full collection ({@code jcmd PID GC.run}) before
 * the pass and every {@link #SAMPLE_SECONDS} seconds during it, and each forced collection's
 * "after" figure is the live heap at that moment. The peak of those, less the idle live heap, is the
 * heap the run needed.
 */
final class LargeMessages {
    static final List<Configuration> CONFIGURATIONS = Arrays.asList(Configuration.REMOTE_DELIVERY, Configuration.SMARTHOST);
    /** Pause between two forced collections (each one's jcmd and pause come on top). */
    static final int SAMPLE_SECONDS = 5;
    /** James may take minutes to answer the final dot of 40 MB when 20 arrive at once on a loaded machine. */
    static final int READ_TIMEOUT_MILLIS = (int) TimeUnit.MINUTES.toMillis(15);

    private LargeMessages() {
    }

    /** One configuration's pass: counts and heap figures, MiB. */
    static final class Result {
        final Configuration configuration;
        final int messages;
        final long accepted;
        final long received;
        final long duplicates;
        final double seconds;
        final double idleLiveMib;
        final double peakLiveMib;
        final double peakAfterAnyMib;
        final double peakUsedMib;
        final double liveAfterMib;
        final int pauses;
        final int samples;
        final double peakRssMib;
        final String errors;

        Result(Configuration configuration, int messages, long accepted, long received, long duplicates, double seconds, double idleLiveMib,
               List<GcLog.Pause> during, double liveAfterMib, double peakRssMib, String errors) {
            this.configuration = configuration;
            this.messages = messages;
            this.accepted = accepted;
            this.received = received;
            this.duplicates = duplicates;
            this.seconds = seconds;
            this.idleLiveMib = idleLiveMib;
            this.peakLiveMib = during.stream().filter(GcLog.Pause::forcedFull).mapToDouble(p -> p.afterMib).max().orElse(Double.NaN);
            this.peakAfterAnyMib = during.stream().mapToDouble(p -> p.afterMib).max().orElse(Double.NaN);
            this.peakUsedMib = during.stream().mapToDouble(p -> p.beforeMib).max().orElse(Double.NaN);
            this.liveAfterMib = liveAfterMib;
            this.pauses = during.size();
            this.samples = (int) during.stream().filter(GcLog.Pause::forcedFull).count();
            this.peakRssMib = peakRssMib;
            this.errors = errors;
        }

        boolean counts() {
            return accepted == messages && received == messages && duplicates == 0;
        }

        /** The heap the pass needed over an idle James: peak live heap less idle live heap. */
        double neededMib() {
            return Math.max(peakLiveMib, liveAfterMib) - idleLiveMib;
        }
    }

    static List<Result> run(BenchmarkOptions options, Path runDir, JamesProcess.Launch launch, List<Configuration> configurations)
        throws Exception {
        List<Result> results = new ArrayList<>();
        try (SmtpSink sink = SmtpSink.start()) {
            for (Configuration configuration : configurations) {
                Path workdir = Files.createDirectories(runDir.resolve(configuration.name));
                log("starting James '" + configuration.name + "' (-Xmx" + options.heap + ", memory queue)");
                try (JamesProcess james = JamesProcess.start(configuration.name,
                    options.root.resolve("benchmarks").resolve("conf").resolve(configuration.folder), workdir,
                    Collections.singletonMap(JamesProcess.SHIPPED_SINK_PORT, sink.port()), launch, configuration.queue)) {
                    results.add(pass(options, james, configuration, sink, JamesProcess.gcLog(workdir)));
                }
                Result last = results.get(results.size() - 1);
                log(String.format(java.util.Locale.ROOT, "%s: %d of %d at the sink in %.0f s; live heap idle %.0f MiB, peak %.0f MiB"
                        + " (%d forced samples), after %.0f MiB; peak after any GC %.0f MiB, peak used %.0f MiB%s",
                    configuration.name, last.received, last.messages, last.seconds, last.idleLiveMib, last.peakLiveMib, last.samples,
                    last.liveAfterMib, last.peakAfterAnyMib, last.peakUsedMib, last.errors.isEmpty() ? "" : "; " + last.errors));
            }
        }
        return results;
    }

    private static Result pass(BenchmarkOptions options, JamesProcess james, Configuration configuration, SmtpSink sink, Path gcLog)
        throws Exception {
        String phase = "large-" + configuration.name;
        double idle = forcedGc(james, gcLog);
        long mark = GcLog.mark(gcLog);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(SAMPLE_SECONDS));
                    if (running.get()) {
                        gcRun(james);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    log("jcmd GC.run: " + e.getMessage());
                }
            }
        }, "heap-sampler");
        long start = System.nanoTime();
        sampler.start();
        LoadGenerator.Result sent;
        try {
            sent = new LoadGenerator(james.smtpPort(), options.concurrency, options.size, Collections.singletonList(LoadGenerator.RECIPIENT),
                InboundMode.NEW_PER_MESSAGE, READ_TIMEOUT_MILLIS).send(phase, options.messages);
            // Until the sink holds every accepted message, or 3 minutes without one more arriving.
            long received = -1;
            long progress = System.nanoTime();
            while (sink.phase(phase).distinct() < sent.accepted && james.isAlive()
                && System.nanoTime() - progress < TimeUnit.MINUTES.toNanos(3)) {
                if (sink.phase(phase).distinct() != received) {
                    received = sink.phase(phase).distinct();
                    progress = System.nanoTime();
                }
                Thread.sleep(50);
            }
        } finally {
            running.set(false);
            sampler.interrupt();
            sampler.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<GcLog.Pause> during = GcLog.pausesSince(gcLog, mark);
        double after = james.isAlive() ? forcedGc(james, gcLog) : Double.NaN;
        SmtpSink.PhaseCount count = sink.phase(phase);
        return new Result(configuration, options.messages, sent.accepted, count.distinct(), count.duplicates(), seconds, idle, during, after,
            james.peakRssMib().orElse(Double.NaN), String.join("; ", sent.errors) + (james.isAlive() ? "" : " James's JVM died: see " + james.log()));
    }

    /** Forces a full collection and returns the live heap after it, MiB. */
    private static double forcedGc(JamesProcess james, Path gcLog) throws IOException, InterruptedException {
        long mark = GcLog.mark(gcLog);
        gcRun(james);
        for (int i = 0; i < 100; i++) {
            List<GcLog.Pause> pauses = GcLog.pausesSince(gcLog, mark);
            for (GcLog.Pause pause : pauses) {
                if (pause.forcedFull()) {
                    return pause.afterMib;
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("no forced full GC in " + gcLog + " after jcmd " + james.pid() + " GC.run");
    }

    private static void gcRun(JamesProcess james) throws IOException, InterruptedException {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(james.pid()), "GC.run").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + james.pid() + " GC.run failed: " + output.trim());
        }
    }

    private static void log(String message) {
        System.err.println("[bench " + RelayBenchmark.now().substring(11) + "] " + message);
    }
}
