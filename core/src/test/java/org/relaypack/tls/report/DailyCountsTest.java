package org.relaypack.tls.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DailyCountsTest {
    private static final Instant NOON = Instant.parse("2026-11-30T12:00:00Z");
    private static final LocalDate DAY = LocalDate.of(2026, 11, 30);
    private static final TlsReportPolicy STS = TlsReportPolicy.sts("example.com", List.of("version: STSv1", "mode: enforce"),
        List.of("mx1.example.com"));
    private static final TlsReportPolicy NONE_NET = TlsReportPolicy.noPolicyFound("Example.NET.");
    private static final TlsFailure STRIPPED = TlsFailure.of(TlsResultType.STARTTLS_NOT_SUPPORTED, "mx1.example.com", "192.0.2.1");

    private final DailyCounts testee = new DailyCounts(Clock.fixed(NOON, ZoneOffset.UTC));

    @Test
    void sessionsShouldBeCountedPerPolicyAndFailuresPerFailure() {
        testee.success(STS);
        testee.success(STS);
        testee.failure(STS, STRIPPED);
        testee.failure(STS, STRIPPED);
        testee.failure(STS, TlsFailure.of(TlsResultType.CERTIFICATE_HOST_MISMATCH, "mx1.example.com", "192.0.2.1"));
        testee.success(NONE_NET);

        assertThat(testee.results(DAY)).containsExactlyInAnyOrder(
            PolicyResult.of(STS, 2, Map.of(STRIPPED, 2L,
                TlsFailure.of(TlsResultType.CERTIFICATE_HOST_MISMATCH, "mx1.example.com", "192.0.2.1"), 1L)),
            PolicyResult.of(TlsReportPolicy.noPolicyFound("example.net"), 1, Map.of()));
        assertThat(testee.results(DAY).stream().filter(result -> result.policy().equals(STS)).findFirst().orElseThrow().failureCount())
            .isEqualTo(3);
    }

    @Test
    void takeShouldGroupByPolicyDomainAndForgetTheDay() {
        testee.success(STS);
        testee.success(NONE_NET);

        Map<String, List<PolicyResult>> taken = testee.take(DAY);

        assertThat(taken).containsOnlyKeys("example.com", "example.net");
        assertThat(testee.days()).isEmpty();
        assertThat(testee.results(DAY)).isEmpty();
    }

    @Test
    void countsOfAnEarlierRunShouldAddUp() {
        testee.failure(STS, STRIPPED);

        testee.add(DAY, PolicyResult.of(STS, 5, Map.of(STRIPPED, 2L)));

        assertThat(testee.results(DAY)).containsExactly(PolicyResult.of(STS, 5, Map.of(STRIPPED, 3L)));
    }

    @Test
    void aSessionShouldCountOnTheUtcDayOfTheClock() {
        DailyCounts late = new DailyCounts(Clock.fixed(Instant.parse("2026-11-30T23:59:59Z"), ZoneOffset.UTC));
        DailyCounts early = new DailyCounts(Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC));

        late.success(STS);
        early.success(STS);

        assertThat(late.days()).containsExactly(DAY);
        assertThat(early.days()).containsExactly(DAY.plusDays(1));
    }
}
