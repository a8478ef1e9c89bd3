package org.relaypack.operations;

import javax.inject.Inject;
import javax.inject.Provider;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.apache.james.core.healthcheck.ResultStatus;
import org.reactivestreams.Publisher;

import com.google.common.collect.ImmutableList;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The next hops as one James health check, for {@code GET /healthcheck}: list it in
 * {@code conf/healthcheck.properties} {@code additional.healthchecks=org.relaypack.operations.NextHopsHealthCheck}.
 * James 3.8.1 builds one instance per listed class, so the hops are one check here, degraded when
 * any hop is, its cause naming each degraded hop; {@code GET /relaypack/healthcheck} has one check
 * per hop. See docs/where-is-my-mail.md.
 *
 * James builds its health checks early in its start: the checks and the delivery engine behind them
 * are looked up at the first check, so that a James failing its start for another reason has
 * started no engine (no consumer thread left behind).
 */
public class NextHopsHealthCheck implements HealthCheck {
    public static final ComponentName COMPONENT = new ComponentName("relaypack next hops");

    private final Provider<NextHopChecks> checks;

    @Inject
    public NextHopsHealthCheck(Provider<NextHopChecks> checks) {
        this.checks = checks;
    }

    @Override
    public ComponentName componentName() {
        return COMPONENT;
    }

    @Override
    public Publisher<Result> check() {
        // Reading the health browses the hop queues: not on a reactor event loop.
        return Mono.fromCallable(() -> combine(checks.get().checkAll()))
            .onErrorResume(e -> Mono.just(Result.unhealthy(COMPONENT, String.valueOf(e.getMessage()), e)))
            .subscribeOn(Schedulers.boundedElastic());
    }

    static Result combine(ImmutableList<Result> results) {
        ImmutableList<Result> degraded = results.stream()
            .filter(result -> result.getStatus() != ResultStatus.HEALTHY)
            .collect(ImmutableList.toImmutableList());
        if (degraded.isEmpty()) {
            return Result.healthy(COMPONENT);
        }
        return Result.degraded(COMPONENT, degraded.stream()
            .map(result -> result.getCause().orElse(result.getComponentName().getName()))
            .collect(java.util.stream.Collectors.joining(" | ")));
    }
}
