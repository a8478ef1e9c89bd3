package org.relaypack.benchmarks.relay;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The outcome of a run, as the Markdown table printed and written under benchmarks/results/. */
final class Report {
    private final BenchmarkOptions options;
    private final List<String> configurations;
    private final List<Measurement> cold;
    private final List<Measurement> warm;
    private final Map<String, Double> peakRss;
    private final List<String> notes;
    private final String started;
    private final String machine;

    Report(BenchmarkOptions options, List<String> configurations, List<Measurement> cold, List<Measurement> warm,
           Map<String, Double> peakRss, List<String> notes, String started, String machine) {
        this.options = options;
        this.configurations = configurations;
        this.cold = cold;
        this.warm = warm;
        this.peakRss = peakRss;
        this.notes = notes;
        this.started = started;
        this.machine = machine;
    }

    List<String> configurations() {
        return configurations;
    }

    List<Measurement> measurements() {
        return java.util.stream.Stream.concat(cold.stream(), warm.stream()).collect(Collectors.toList());
    }

    boolean allCountsExact() {
        return measurements().stream().allMatch(Measurement::counts);
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# relaypack relay benchmark, ").append(options.mode()).append(" mode, ").append(started).append("\n\n")
            .append(String.format(Locale.ROOT, "Load: %,d messages of %,d bytes per pass, %d concurrent sessions, a new inbound connection "
                + "per message (Java load generator, smtp-source style). Warm-up: %,d messages per configuration (the \"cold\" pass), "
                + "then %d round(s) of every configuration, alternating; warm figures are medians of the rounds. "
                + "James 3.8.1 memory server in its own JVM (-Xms%s -Xmx%s), logging at WARN, pack loaded from extensions-jars.%n%n",
                options.messages, options.size, options.concurrency, options.warmup, options.rounds, options.heap, options.heap))
            .append("Machine: ").append(machine).append(".\n")
            .append("The machine is shared with other agents running builds: absolute rates drift between runs; quote the ratios.\n\n");
        out.append("## Warm (median of ").append(options.rounds).append(" rounds)\n\n");
        table(out, warm, true);
        ratios(out, warm);
        if (!cold.isEmpty()) {
            out.append("\n## Cold (the warm-up pass, ").append(String.format(Locale.ROOT, "%,d", options.warmup)).append(" messages)\n\n");
            table(out, cold, false);
        }
        out.append("\n## Every pass\n\n")
            .append("| pass | intake msg/s | end to end msg/s | CPU s / 1,000 | sink connections | load avg | counts |\n")
            .append("|---|---:|---:|---:|---:|---:|---|\n");
        for (Measurement m : measurements()) {
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %d | %.1f | %s |%n", m.phase, m.intakeRate(),
                m.endToEndRate(), m.cpuPerThousand(), m.sinkConnections, m.loadAverage, m.countsText()));
        }
        out.append("\nFan-out (one message to 100 recipients across 10 mailbox servers): not measured yet, the mailbox router is not in main.\n");
        for (String note : notes) {
            out.append("\n").append(note).append('\n');
        }
        out.append(allCountsExact() ? "\nCounts: every pass exact (James accepted N; the sink received exactly N, no duplicates; none from the null baseline).\n"
            : "\nCounts: SOME PASSES ARE WRONG (see above): this run does not count.\n");
        return out.toString();
    }

    private void table(StringBuilder out, List<Measurement> measurements, boolean withRss) {
        out.append("| configuration | intake msg/s | end to end msg/s | James CPU s / 1,000 msgs | ")
            .append(withRss ? "James peak RSS MiB | " : "")
            .append("sink connections / 1,000 msgs | received |\n")
            .append(withRss ? "|---|---:|---:|---:|---:|---:|---|\n" : "|---|---:|---:|---:|---:|---|\n");
        for (String configuration : configurations) {
            List<Measurement> of = of(measurements, configuration);
            if (of.isEmpty()) {
                continue;
            }
            boolean relays = of.get(0).deliversToSink();
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.2f | ", RelayBenchmark.LABELS.get(configuration),
                RelayBenchmark.median(of, Measurement::intakeRate),
                relays ? String.format(Locale.ROOT, "%.0f", RelayBenchmark.median(of, Measurement::endToEndRate))
                    : String.format(Locale.ROOT, "%.0f (spool drained)", RelayBenchmark.median(of, Measurement::endToEndRate)),
                RelayBenchmark.median(of, Measurement::cpuPerThousand)));
            if (withRss) {
                out.append(String.format(Locale.ROOT, "%.0f | ", peakRss.getOrDefault(configuration, Double.NaN)));
            }
            out.append(relays ? String.format(Locale.ROOT, "%.0f", RelayBenchmark.median(of, Measurement::connectionsPerThousand)) : "-")
                .append(" | ")
                .append(of.stream().allMatch(Measurement::counts) ? (relays ? "exactly N, no duplicates" : "N accepted, none at the sink") : "WRONG")
                .append(" |\n");
        }
    }

    private void ratios(StringBuilder out, List<Measurement> measurements) {
        List<Measurement> a = of(measurements, "null");
        List<Measurement> b = of(measurements, "remote-delivery");
        List<Measurement> c = of(measurements, "smarthost");
        List<Measurement> c0 = of(measurements, BenchmarkOptions.SMARTHOST_BASELINE);
        out.append('\n');
        if (!c.isEmpty() && !c0.isEmpty()) {
            out.append(ratio("(c)/(c0)", c, c0, "the pack against its baseline"));
        }
        if (!c0.isEmpty() && !a.isEmpty()) {
            out.append(ratio("(c0)/(a)", c0, a, "the baseline pack"));
        }
        if (!c.isEmpty() && !b.isEmpty()) {
            out.append(ratio("(c)/(b)", c, b, "aim: end to end at least 2x"));
        }
        if (!c.isEmpty() && !a.isEmpty()) {
            out.append(ratio("(c)/(a)", c, a, "aim: CPU per message at most 1.10x"));
        }
        if (!b.isEmpty() && !a.isEmpty()) {
            out.append(ratio("(b)/(a)", b, a, "for reference"));
        }
    }

    private static String ratio(String name, List<Measurement> x, List<Measurement> y, String aim) {
        StringBuilder perRound = new StringBuilder();
        for (int round = 0; round < Math.min(x.size(), y.size()); round++) {
            perRound.append(round == 0 ? "" : "; ").append(String.format(Locale.ROOT, "%.2fx / %.2fx",
                x.get(round).endToEndRate() / y.get(round).endToEndRate(), x.get(round).cpuPerThousand() / y.get(round).cpuPerThousand()));
        }
        return String.format(Locale.ROOT, "- %s: end-to-end rate %.2fx, CPU per message %.2fx (%s); round by round (rate / CPU): %s%n", name,
            RelayBenchmark.median(x, Measurement::endToEndRate) / RelayBenchmark.median(y, Measurement::endToEndRate),
            RelayBenchmark.median(x, Measurement::cpuPerThousand) / RelayBenchmark.median(y, Measurement::cpuPerThousand), aim, perRound);
    }

    private static List<Measurement> of(List<Measurement> measurements, String configuration) {
        return measurements.stream().filter(m -> m.configuration.equals(configuration)).collect(Collectors.toList());
    }
}
