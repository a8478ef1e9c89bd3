package org.relaypack.tls.report;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedSet;

/**
 * The counts of the days not yet reported, in memory: per UTC day (by the clock) and policy, the
 * successful sessions and the failed ones by failure. Thread-safe; the delivery threads count while
 * the day-close takes a finished day away.
 */
final class DailyCounts implements TlsReportSink {
    private static final class Key {
        private final LocalDate day;
        private final TlsReportPolicy policy;

        private Key(LocalDate day, TlsReportPolicy policy) {
            this.day = day;
            this.policy = policy;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && day.equals(((Key) o).day) && policy.equals(((Key) o).policy);
        }

        @Override
        public int hashCode() {
            return Objects.hash(day, policy);
        }
    }

    private static final class Counter {
        private final LongAdder successes = new LongAdder();
        private final Map<TlsFailure, LongAdder> failures = new ConcurrentHashMap<>();

        private PolicyResult result(TlsReportPolicy policy) {
            Map<TlsFailure, Long> counted = new LinkedHashMap<>();
            failures.forEach((failure, count) -> counted.put(failure, count.sum()));
            return PolicyResult.of(policy, successes.sum(), counted);
        }
    }

    private final Clock clock;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

    DailyCounts(Clock clock) {
        this.clock = clock;
    }

    /** The UTC day of the clock. */
    LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    @Override
    public void success(TlsReportPolicy policy) {
        counter(policy).successes.increment();
    }

    @Override
    public void failure(TlsReportPolicy policy, TlsFailure failure) {
        counter(policy).failures.computeIfAbsent(failure, any -> new LongAdder()).increment();
    }

    private Counter counter(TlsReportPolicy policy) {
        return counters.computeIfAbsent(new Key(today(), policy), any -> new Counter());
    }

    /** Counts of an earlier run (a partial file read back): added to the day's. */
    void add(LocalDate day, PolicyResult result) {
        Counter counter = counters.computeIfAbsent(new Key(day, result.policy()), any -> new Counter());
        counter.successes.add(result.successes());
        result.failures().forEach((failure, count) -> counter.failures.computeIfAbsent(failure, any -> new LongAdder()).add(count));
    }

    /** The days that have counts, in order. */
    ImmutableSortedSet<LocalDate> days() {
        return counters.keySet().stream().map(key -> key.day).collect(ImmutableSortedSet.toImmutableSortedSet(LocalDate::compareTo));
    }

    /** The day's counts, per Policy Domain; left in place. */
    Map<String, List<PolicyResult>> of(LocalDate day) {
        Map<String, List<PolicyResult>> byDomain = new LinkedHashMap<>();
        counters.forEach((key, counter) -> {
            if (key.day.equals(day)) {
                byDomain.computeIfAbsent(key.policy.domain(), any -> new ArrayList<>()).add(counter.result(key.policy));
            }
        });
        return byDomain;
    }

    /** The day's counts, per Policy Domain, taken away. */
    Map<String, List<PolicyResult>> take(LocalDate day) {
        Map<String, List<PolicyResult>> byDomain = of(day);
        Iterator<Key> keys = counters.keySet().iterator();
        while (keys.hasNext()) {
            if (keys.next().day.equals(day)) {
                keys.remove();
            }
        }
        return byDomain;
    }

    /** Every count of the day as it stands, for tests. */
    ImmutableList<PolicyResult> results(LocalDate day) {
        return of(day).values().stream().flatMap(List::stream).collect(ImmutableList.toImmutableList());
    }
}
