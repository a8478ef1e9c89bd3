package org.relaypack.benchmarks.relay;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The Markdown report of {@code benchmarks/run.sh --large}: the heap James needs, with and without the pack. */
final class LargeReport {
    private final BenchmarkOptions options;
    private final List<LargeMessages.Result> results;
    private final String started;
    private final String machine;

    LargeReport(BenchmarkOptions options, List<LargeMessages.Result> results, String started, String machine) {
        this.options = options;
        this.results = results;
        this.started = started;
        this.machine = machine;
    }

    boolean allCountsExact() {
        return !results.isEmpty() && results.stream().allMatch(LargeMessages.Result::counts);
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# relaypack memory story (issue 11), large mode, ").append(started).append("\n\n")
            .append(String.format(Locale.ROOT, "Load: %d messages of %,d bytes sent in parallel (%d concurrent sessions, a connection per message), "
                    + "to one James at a time: James 3.8.1 memory server on **James's memory queue**, its own JVM (-Xms%s -Xmx%s, G1, -Xlog:gc), "
                    + "logging at WARN, the same sink.%n%n", options.messages, options.size, Math.min(options.concurrency, options.messages),
                options.heap, options.heap))
            .append("Heap figures from James's own GC log: the benchmark forces a full collection (`jcmd PID GC.run`) before the pass ")
            .append("and ").append(LargeMessages.SAMPLE_SECONDS).append(" s after the previous one ended during it; the heap after a forced full collection is the ")
            .append("live heap at that moment. **Heap needed** = the peak live heap during the pass (or after it, if higher) less the idle ")
            .append("live heap before it. The peak after any collection (young ones included, which keep old garbage) and the peak used ")
            .append("before a collection are upper bounds.\n\n")
            .append("Machine: ").append(machine).append(".\n\n")
            .append("| configuration | delivered | pass s | idle live heap MiB | peak live heap MiB (forced samples) | **heap needed MiB** "
                + "| live heap after the pass MiB | peak after any GC MiB | peak used MiB | GCs in the pass | peak RSS MiB |\n")
            .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LargeMessages.Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f (%d) | **%.0f** | %.0f | %.0f | %.0f | %d | %.0f |%n",
                r.configuration.label, r.counts() ? "exactly " + r.messages + ", no duplicates"
                    : "accepted " + r.accepted + ", received " + r.received + " of " + r.messages + ", " + r.duplicates + " duplicates",
                r.seconds, r.idleLiveMib, r.peakLiveMib, r.samples, r.neededMib(), r.liveAfterMib, r.peakAfterAnyMib, r.peakUsedMib,
                r.pauses, r.peakRssMib));
        }
        Optional<LargeMessages.Result> stock = of(Configuration.REMOTE_DELIVERY);
        Optional<LargeMessages.Result> pack = of(Configuration.SMARTHOST);
        if (stock.isPresent() && pack.isPresent()) {
            out.append(String.format(Locale.ROOT, "%n- (c)/(b) heap needed: %.2fx (%.0f MiB with relaypack, %.0f MiB with stock RemoteDelivery); "
                    + "peak live heap %.2fx; peak used %.2fx.%n", pack.get().neededMib() / stock.get().neededMib(), pack.get().neededMib(),
                stock.get().neededMib(), pack.get().peakLiveMib / stock.get().peakLiveMib, pack.get().peakUsedMib / stock.get().peakUsedMib));
        }
        for (LargeMessages.Result r : results) {
            if (!r.errors.trim().isEmpty()) {
                out.append("\n").append(r.configuration.label).append(": ").append(r.errors.trim()).append('\n');
            }
        }
        out.append("\nJames's memory queue keeps its own copies of each mail on the heap (the spool; RemoteDelivery's outgoing queue; ")
            .append("the pack's hop queue for mail not delivered inline): that part of the figures is James's, not the pack's.\n")
            .append(allCountsExact() ? "\nCounts: every message reached the sink exactly once.\n"
                : "\nCounts: SOME MESSAGES WERE LOST OR DUPLICATED (see above): this run does not count.\n");
        return out.toString();
    }

    private Optional<LargeMessages.Result> of(Configuration configuration) {
        return results.stream().filter(r -> r.configuration == configuration).findFirst();
    }
}
