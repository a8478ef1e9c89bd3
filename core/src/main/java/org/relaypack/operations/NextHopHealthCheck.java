package org.relaypack.operations;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * One next hop's health check ({@code relaypack next hop <hop>}), for a custom James assembly that
 * binds a check per hop into James's {@code Set<HealthCheck>} (docs/where-is-my-mail.md).
 */
public class NextHopHealthCheck implements HealthCheck {
    private final NextHopChecks checks;
    private final String hop;

    public NextHopHealthCheck(NextHopChecks checks, String hop) {
        this.checks = checks;
        this.hop = hop;
    }

    @Override
    public ComponentName componentName() {
        return NextHopChecks.componentName(hop);
    }

    @Override
    public Publisher<Result> check() {
        return Mono.fromCallable(() -> checks.check(hop)
                .orElseGet(() -> Result.unhealthy(componentName(), "'" + hop + "' is not a next hop of relaypack.xml <nexthops>")))
            .subscribeOn(Schedulers.boundedElastic());
    }
}
