package org.relaypack.benchmarks.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmarks/run.sh --quick} and {@code --quick --durable} end to end: every configuration the pack supports starts, takes
 * the load with a new inbound connection per message and with inbound connections reused, and the
 * sink counts exactly N for each relaying pass and nothing for the null baseline;
 * in the fan-out case each of the 10 mailbox servers gets each message once, with its 10 recipients;
 * the durable row runs James on ActiveMQ with and without the pack, and Postfix where it is installed
 * (and the benchmark runs as root): the report says why when it is skipped.
 * Counts only, never speeds. Needs the packaged runner and pack jars, and 1 to 2 minutes on 2 cores
 * (7 when other builds load them): so it runs in {@code mvn verify} only with {@code -Dbenchmarks.smoke=true}.
 */
@EnabledIfSystemProperty(named = "benchmarks.smoke", matches = "true")
class RelayBenchmarkSmokeTest {
    @TempDir
    Path results;

    @Test
    void quickModeShouldRunEveryConfigurationAndCountExactlyNAtTheSink() throws Exception {
        Path root = Paths.get(System.getProperty("relaypack.root", "..")).toAbsolutePath().normalize();
        BenchmarkOptions options = BenchmarkOptions.parse(new String[] {"--quick", "--results", results.toString()}, root);

        Report report = new RelayBenchmark(options).run();

        assertThat(report.configurations()).contains("null", "remote-delivery");
        List<Measurement> measurements = report.measurements();
        // Per configuration: a warm-up pass in each inbound mode, then one round in each inbound mode.
        assertThat(measurements).hasSize(report.configurations().size() * 4);
        for (String configuration : report.configurations()) {
            assertThat(measurements).filteredOn(m -> m.configuration.equals(configuration))
                .extracting(m -> m.phase, m -> m.inbound)
                .containsExactlyInAnyOrder(
                    tuple("warmup-" + configuration, InboundMode.NEW_PER_MESSAGE),
                    tuple("warmup-" + configuration + "-reused", InboundMode.REUSED),
                    tuple("r1-" + configuration, InboundMode.NEW_PER_MESSAGE),
                    tuple("r1-" + configuration + "-reused", InboundMode.REUSED));
        }
        for (Measurement measurement : measurements) {
            assertThat(measurement.accepted).as(measurement.phase).isEqualTo(measurement.messages);
            assertThat(measurement.failed).as(measurement.phase).isZero();
            assertThat(measurement.duplicates).as(measurement.phase).isZero();
            assertThat(measurement.received).as(measurement.phase)
                .isEqualTo(measurement.deliversToSink() ? measurement.messages : 0);
        }
        assertThat(report.fanOut()).as("fan-out case (the pack has the MailboxRouter)").hasValueSatisfying(fanOut -> {
            assertThat(fanOut.failed).isZero();
            assertThat(fanOut.perSink).as("messages each of the 10 servers got").containsOnly((long) fanOut.messages).hasSize(FanOut.SERVERS);
            assertThat(fanOut.transactions).isEqualTo((long) fanOut.messages * FanOut.SERVERS);
            assertThat(fanOut.recipients).isEqualTo((long) fanOut.messages * FanOut.RECIPIENTS);
            assertThat(fanOut.duplicates).isZero();
        });
        assertThat(report.allCountsExact()).isTrue();
        List<Path> written;
        try (Stream<Path> files = Files.list(results)) {
            written = files.collect(Collectors.toList());
        }
        assertThat(written).singleElement().satisfies(file -> {
            assertThat(file.getFileName().toString()).endsWith("-quick.md");
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .contains("(a) James, transport ends in Null", "(b) James, stock RemoteDelivery", "no duplicates",
                    "## Warm, a new inbound connection per message", "## Warm, inbound connections reused (smtp-source -d style)");
        });
    }

    @Test
    void durableQuickModeShouldRunJamesOnActiveMqAndPostfixAndCountExactlyNAtTheSink() throws Exception {
        Path root = Paths.get(System.getProperty("relaypack.root", "..")).toAbsolutePath().normalize();
        BenchmarkOptions options = BenchmarkOptions.parse(new String[] {"--quick", "--durable", "--results", results.toString()}, root);
        java.util.Optional<String> postfixMissing = PostfixProcess.unavailable();

        Report report = new RelayBenchmark(options).run();

        assertThat(report.configurations()).contains("remote-delivery-activemq", "smarthost-activemq").doesNotContain("null", "remote-delivery");
        if (postfixMissing.isPresent()) {
            System.out.println("RelayBenchmarkSmokeTest: the Postfix row is skipped: " + postfixMissing.get());
            assertThat(report.configurations()).doesNotContain("postfix");
        } else {
            assertThat(report.configurations()).contains("postfix");
        }
        List<Measurement> measurements = report.measurements();
        assertThat(measurements).hasSize(report.configurations().size() * 4);
        for (Measurement measurement : measurements) {
            assertThat(measurement.accepted).as(measurement.phase).isEqualTo(measurement.messages);
            assertThat(measurement.failed).as(measurement.phase).isZero();
            assertThat(measurement.duplicates).as(measurement.phase).isZero();
            assertThat(measurement.received).as(measurement.phase).isEqualTo(measurement.messages);
        }
        assertThat(report.fanOut()).isEmpty();
        assertThat(report.allCountsExact()).isTrue();
        List<Path> written;
        try (Stream<Path> files = Files.list(results)) {
            written = files.collect(Collectors.toList());
        }
        assertThat(written).singleElement().satisfies(file -> {
            assertThat(file.getFileName().toString()).endsWith("-quick-durable.md");
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(text).contains("(d) James on ActiveMQ, stock RemoteDelivery", "(e) James on ActiveMQ, relaypack SmarthostDelivery",
                "- (e)/(d):", "no duplicates");
            if (postfixMissing.isPresent()) {
                assertThat(text).contains("(f) Postfix, relayhost = sink, queue on disk skipped: " + postfixMissing.get());
            } else {
                assertThat(text).contains("| (f) Postfix, relayhost = sink, queue on disk |", "- (e)/(f):");
            }
        });
    }
}
