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
    private final java.util.Optional<FanOut.Result> fanOut;
    private final List<String> notes;
    private final String started;
    private final String machine;

    Report(BenchmarkOptions options, List<String> configurations, List<Measurement> cold, List<Measurement> warm,
           Map<String, Double> peakRss, java.util.Optional<FanOut.Result> fanOut, List<String> notes, String started, String machine) {
        this.options = options;
        this.configurations = configurations;
        this.cold = cold;
        this.warm = warm;
        this.peakRss = peakRss;
        this.fanOut = fanOut;
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

    java.util.Optional<FanOut.Result> fanOut() {
        return fanOut;
    }

    boolean allCountsExact() {
        return measurements().stream().allMatch(Measurement::counts) && fanOut.map(FanOut.Result::counts).orElse(true);
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# relaypack relay benchmark, ").append(options.mode()).append(" mode, ").append(started).append("\n\n")
            .append(String.format(Locale.ROOT, "Load: %,d messages of %,d bytes per pass, %d concurrent sessions, one command at a time "
                + "(Java load generator, smtp-source style), inbound: %s. Warm-up: %,d messages per configuration%s (the \"cold\" pass), then %d round(s) of every configuration%s, alternating; warm figures are medians "
                + "of the rounds. %s%n%n",
                options.messages, options.size, options.concurrency,
                options.inbound.stream().map(InboundMode::description).collect(Collectors.joining("; ")), options.warmup,
                options.inbound.size() > 1 ? " in each inbound mode" : ", " + options.inbound.get(0).description(), options.rounds,
                options.inbound.size() > 1 ? " in each inbound mode" : "", relays()))
            .append("Machine: ").append(machine).append(".\n")
            .append("The machine is shared with other agents running builds: absolute rates drift between runs; quote the ratios.\n\n");
        for (InboundMode inbound : options.inbound) {
            List<Measurement> ofMode = warm.stream().filter(m -> m.inbound == inbound).collect(Collectors.toList());
            out.append("## Warm, ").append(inbound.description()).append(" (median of ").append(options.rounds).append(" rounds)\n\n");
            table(out, ofMode, true);
            ratios(out, ofMode);
            out.append('\n');
        }
        for (InboundMode inbound : options.inbound) {
            List<Measurement> ofMode = cold.stream().filter(m -> m.inbound == inbound).collect(Collectors.toList());
            if (!ofMode.isEmpty()) {
                out.append("## Cold (the warm-up pass, ").append(String.format(Locale.ROOT, "%,d", options.warmup))
                    .append(" messages, ").append(inbound.description()).append(")\n\n");
                table(out, ofMode, false);
                out.append('\n');
            }
        }
        out.append("## Every pass\n\n")
            .append("| pass | inbound | intake msg/s | end to end msg/s | CPU s / 1,000 | sink connections | load avg | counts |\n")
            .append("|---|---|---:|---:|---:|---:|---:|---|\n");
        for (Measurement m : measurements()) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.2f | %d | %.1f | %s |%n", m.phase, m.inbound.option(), m.intakeRate(),
                m.endToEndRate(), m.cpuPerThousand(), m.sinkConnections, m.loadAverage, m.countsText()));
        }
        if (fanOut.isPresent()) {
            out.append("\n## Fan-out (messages sent one at a time, after as many warm-up ones; time from the first connection until all servers hold it)\n\n")
                .append("| case | messages | median time to deliver | max | James CPU ms per message | transactions at the servers | counts |\n")
                .append("|---|---:|---:|---:|---:|---:|---|\n")
                .append(fanOut.get().markdown());
        }
        for (String note : notes) {
            out.append("\n").append(note).append('\n');
        }
        out.append(allCountsExact() ? "\nCounts: every pass exact (James accepted N; the sink received exactly N, no duplicates; none from the null baseline"
            + (fanOut.isPresent() ? "; fan-out: each server got each message once" : "") + ").\n"
            : "\nCounts: SOME PASSES ARE WRONG (see above): this run does not count.\n");
        return out.toString();
    }

    private void table(StringBuilder out, List<Measurement> measurements, boolean withRss) {
        out.append("| configuration | intake msg/s | end to end msg/s | ")
            .append(configurations.contains("postfix") ? "CPU s / 1,000 msgs (James JVM; Postfix: all its processes) | " : "James CPU s / 1,000 msgs | ")
            .append(withRss ? "James peak RSS MiB | " : "")
            .append("sink connections / 1,000 msgs | received |\n")
            .append(withRss ? "|---|---:|---:|---:|---:|---:|---|\n" : "|---|---:|---:|---:|---:|---|\n");
        for (String configuration : configurations) {
            List<Measurement> of = of(measurements, configuration);
            if (of.isEmpty()) {
                continue;
            }
            boolean relays = of.get(0).deliversToSink();
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.2f | ", Configuration.named(configuration).label,
                RelayBenchmark.median(of, Measurement::intakeRate),
                relays ? String.format(Locale.ROOT, "%.0f", RelayBenchmark.median(of, Measurement::endToEndRate))
                    : String.format(Locale.ROOT, "%.0f (spool drained)", RelayBenchmark.median(of, Measurement::endToEndRate)),
                RelayBenchmark.median(of, Measurement::cpuPerThousand)));
            if (withRss) {
                double rss = peakRss.getOrDefault(configuration, Double.NaN);
                out.append(Double.isNaN(rss) ? "- | " : String.format(Locale.ROOT, "%.0f | ", rss));
            }
            out.append(relays ? String.format(Locale.ROOT, "%.0f", RelayBenchmark.median(of, Measurement::connectionsPerThousand)) : "-")
                .append(" | ")
                .append(of.stream().allMatch(Measurement::counts) ? (relays ? "exactly N, no duplicates" : "N accepted, none at the sink") : "WRONG")
                .append(" |\n");
        }
    }

    private void ratios(StringBuilder out, List<Measurement> measurements) {
        out.append('\n');
        ratio(out, measurements, "(c)/(b)", "smarthost", "remote-delivery", "aim: end to end at least 2x");
        ratio(out, measurements, "(c)/(a)", "smarthost", "null", "aim: CPU per message at most 1.10x");
        ratio(out, measurements, "(b)/(a)", "remote-delivery", "null", "for reference");
        ratio(out, measurements, "(e)/(d)", "smarthost-activemq", "remote-delivery-activemq", "both on ActiveMQ");
        ratio(out, measurements, "(e)/(f)", "smarthost-activemq", "postfix", "aim: end to end at least 2x Postfix, CPU per message at most 0.5x");
        ratio(out, measurements, "(d)/(f)", "remote-delivery-activemq", "postfix", "for reference");
    }

    private static void ratio(StringBuilder out, List<Measurement> measurements, String name, String x, String y, String aim) {
        List<Measurement> ofX = of(measurements, x);
        List<Measurement> ofY = of(measurements, y);
        if (!ofX.isEmpty() && !ofY.isEmpty()) {
            out.append(ratio(name, ofX, ofY, aim));
        }
    }

    /** Which relays ran, on which queue, with which heap. */
    private String relays() {
        boolean memory = configurations.stream().anyMatch(c -> Configuration.named(c).queue.equals("memory"));
        boolean activemq = configurations.stream().anyMatch(c -> Configuration.named(c).queue.equals("activemq"));
        String james = memory && activemq ? "James 3.8.1 memory server on James's memory queue ((a)-(c)) or its embedded ActiveMQ, KahaDB on disk ((d), (e))"
            : activemq ? "James 3.8.1 memory server with its mail queues on James's embedded ActiveMQ (KahaDB on disk; the runner's --queue activemq)"
            : "James 3.8.1 memory server on James's memory queue";
        return james + ", each in its own JVM (-Xms" + options.heap + " -Xmx" + options.heap
            + "), logging at WARN, pack loaded from extensions-jars."
            + (configurations.contains("postfix") ? " Postfix: an instance of its own (`postfix -c DIR start`), its queue on disk, "
                + "relayhost = the sink, Postfix's defaults otherwise; its CPU is that of all its processes (the master's process tree)." : "");
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
