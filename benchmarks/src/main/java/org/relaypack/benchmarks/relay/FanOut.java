package org.relaypack.benchmarks.relay;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fan-out case: one message to 100 recipients of fanout.example, whom the relaypack
 * MailboxRouter routes to 10 mailbox servers (10 sinks, 10 recipients each, see
 * {@code benchmarks/conf/fanout/routes.txt}). Messages are sent one at a time; each is timed from
 * the first connection until all 10 sinks hold it. Each sink must get each message exactly once,
 * in one transaction of 10 recipients.
 */
final class FanOut {
    static final String CONFIGURATION = "fanout";
    static final int SERVERS = 10;
    static final int RECIPIENTS = 100;

    private FanOut() {
    }

    static Result run(Path confSource, Path workdir, JamesProcess.Launch launch, int warmup, int messages, int size) throws Exception {
        List<SmtpSink> sinks = new ArrayList<>();
        try {
            Map<Integer, Integer> ports = new LinkedHashMap<>();
            for (int server = 1; server <= SERVERS; server++) {
                SmtpSink sink = SmtpSink.start();
                sinks.add(sink);
                ports.put(JamesProcess.SHIPPED_SINK_PORT + server - 1, sink.port());
            }
            List<String> recipients = new ArrayList<>();
            for (int n = 0; n < RECIPIENTS; n++) {
                recipients.add(String.format(Locale.ROOT, "user%02d@fanout.example", n));
            }
            try (JamesProcess james = JamesProcess.start(CONFIGURATION, confSource, workdir, ports, launch)) {
                LoadGenerator load = new LoadGenerator(james.smtpPort(), 1, size, recipients, InboundMode.NEW_PER_MESSAGE);
                sendOneByOne(load, sinks, "fanout-warmup", warmup, new ArrayList<>());
                long transactionsBefore = transactions(sinks);
                long recipientsBefore = sinks.stream().mapToLong(SmtpSink::recipients).sum();
                double cpuBefore = james.cpuSeconds();
                List<Double> millis = new ArrayList<>();
                long failed = sendOneByOne(load, sinks, "fanout", messages, millis);
                double cpu = james.cpuSeconds() - cpuBefore;
                List<Long> perSink = new ArrayList<>();
                long duplicates = 0;
                for (SmtpSink sink : sinks) {
                    perSink.add(sink.phase("fanout").distinct());
                    duplicates += sink.phase("fanout").duplicates();
                }
                return new Result(messages, failed, millis, transactions(sinks) - transactionsBefore,
                    sinks.stream().mapToLong(SmtpSink::recipients).sum() - recipientsBefore, perSink, duplicates, cpu);
            }
        } finally {
            for (SmtpSink sink : sinks) {
                sink.close();
            }
        }
    }

    private static long sendOneByOne(LoadGenerator load, List<SmtpSink> sinks, String phase, int messages, List<Double> millis) throws Exception {
        long failed = 0;
        for (int i = 0; i < messages; i++) {
            long start = System.nanoTime();
            // One message per call: its sequence number in the phase is the call's index.
            LoadGenerator.Result result = load.sendSequence(phase, i);
            if (result.failed > 0) {
                failed++;
                continue;
            }
            long deadline = start + 60_000_000_000L;
            while (!allHold(sinks, phase, i + 1) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            millis.add((System.nanoTime() - start) / 1e6);
        }
        return failed;
    }

    private static boolean allHold(List<SmtpSink> sinks, String phase, long count) {
        return sinks.stream().allMatch(sink -> sink.phase(phase).distinct() >= count);
    }

    private static long transactions(List<SmtpSink> sinks) {
        return sinks.stream().mapToLong(SmtpSink::transactions).sum();
    }

    /** The fan-out figures and counts. */
    static final class Result {
        final int messages;
        final long failed;
        final List<Double> millis;
        final long transactions;
        final long recipients;
        final List<Long> perSink;
        final long duplicates;
        final double cpuSeconds;

        Result(int messages, long failed, List<Double> millis, long transactions, long recipients, List<Long> perSink, long duplicates, double cpuSeconds) {
            this.messages = messages;
            this.failed = failed;
            this.millis = millis;
            this.transactions = transactions;
            this.recipients = recipients;
            this.perSink = perSink;
            this.duplicates = duplicates;
            this.cpuSeconds = cpuSeconds;
        }

        boolean counts() {
            return failed == 0 && duplicates == 0 && transactions == (long) messages * SERVERS
                && recipients == (long) messages * RECIPIENTS && perSink.stream().allMatch(count -> count == messages);
        }

        double medianMillis() {
            List<Double> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            int middle = sorted.size() / 2;
            return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        }

        double maxMillis() {
            return millis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        String markdown() {
            return String.format(Locale.ROOT, "| one message to %d recipients on %d mailbox servers (relaypack MailboxRouter) | %d | %.0f ms | %.0f ms | %.1f | %d (%.1f per message) | %s |%n",
                RECIPIENTS, SERVERS, messages, medianMillis(), maxMillis(), cpuSeconds * 1000.0 / messages, transactions,
                transactions / (double) messages, counts() ? "each server got each message once, " + (recipients / Math.max(1, messages)) + " recipients per message"
                    : "WRONG: per server " + perSink + ", " + duplicates + " duplicates, " + failed + " not accepted, " + recipients + " recipients");
        }
    }
}
