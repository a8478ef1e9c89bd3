package org.relaypack.benchmarks.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code benchmarks/run.sh --quick} end to end: every configuration the pack supports starts, takes
 * the load, and the sink counts exactly N for each relaying pass and nothing for the null baseline.
 * Counts only, never speeds. Needs the packaged runner and pack jars (runs in {@code mvn verify}).
 */
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
        assertThat(measurements).hasSize(report.configurations().size() * 2);
        for (Measurement measurement : measurements) {
            assertThat(measurement.accepted).as(measurement.phase).isEqualTo(measurement.messages);
            assertThat(measurement.failed).as(measurement.phase).isZero();
            assertThat(measurement.duplicates).as(measurement.phase).isZero();
            assertThat(measurement.received).as(measurement.phase)
                .isEqualTo(measurement.deliversToSink() ? measurement.messages : 0);
        }
        assertThat(report.allCountsExact()).isTrue();
        List<Path> written;
        try (Stream<Path> files = Files.list(results)) {
            written = files.collect(Collectors.toList());
        }
        assertThat(written).singleElement().satisfies(file -> {
            assertThat(file.getFileName().toString()).endsWith("-quick.md");
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                .contains("(a) James, transport ends in Null", "(b) James, stock RemoteDelivery", "no duplicates");
        });
    }
}
