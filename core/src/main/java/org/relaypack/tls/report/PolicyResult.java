package org.relaypack.tls.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableMap;

/** One entry of a report's {@code policies}: the policy, its successful sessions and its failed ones by failure. */
public final class PolicyResult {
    public static PolicyResult of(TlsReportPolicy policy, long successes, Map<TlsFailure, Long> failures) {
        return new PolicyResult(policy, successes, ImmutableMap.copyOf(failures));
    }

    private final TlsReportPolicy policy;
    private final long successes;
    private final ImmutableMap<TlsFailure, Long> failures;

    private PolicyResult(TlsReportPolicy policy, long successes, ImmutableMap<TlsFailure, Long> failures) {
        this.policy = Objects.requireNonNull(policy);
        this.successes = successes;
        this.failures = failures;
    }

    /** Both counts added, for the same policy (a day counted before and after a restart). */
    public PolicyResult plus(PolicyResult other) {
        Map<TlsFailure, Long> sum = new LinkedHashMap<>(failures);
        other.failures.forEach((failure, count) -> sum.merge(failure, count, Long::sum));
        return of(policy, successes + other.successes, sum);
    }

    public TlsReportPolicy policy() {
        return policy;
    }

    /** {@code total-successful-session-count}. */
    public long successes() {
        return successes;
    }

    /** {@code total-failure-session-count}. */
    public long failureCount() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    /** {@code failure-details}: each failure and its {@code failed-session-count}. */
    public ImmutableMap<TlsFailure, Long> failures() {
        return failures;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof PolicyResult) {
            PolicyResult that = (PolicyResult) o;
            return policy.equals(that.policy) && successes == that.successes && failures.equals(that.failures);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(policy, successes, failures);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("policy", policy).add("successes", successes).add("failures", failures).toString();
    }
}
