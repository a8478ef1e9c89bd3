package org.relaypack.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.Result;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.HopHealth;

import com.google.common.collect.ImmutableList;

/**
 * The health check of each next hop: healthy until the hop has been failing for longer than
 * {@code <health degradedAfter>}, then degraded, with the last error and the queue in the cause.
 * Never unhealthy: a next hop that is down delays mail, James itself still works.
 */
public class NextHopChecks {
    public static final String COMPONENT_PREFIX = "relaypack next hop ";

    public static ComponentName componentName(String hop) {
        return new ComponentName(COMPONENT_PREFIX + hop);
    }

    private final DeliveryEngine engine;
    private final HealthConfiguration configuration;
    private final Clock clock;

    @Inject
    public NextHopChecks(DeliveryEngine engine, HealthConfiguration configuration) {
        this(engine, configuration, Clock.systemUTC());
    }

    NextHopChecks(DeliveryEngine engine, HealthConfiguration configuration, Clock clock) {
        this.engine = engine;
        this.configuration = configuration;
        this.clock = clock;
    }

    /** One result per configured next hop, in configuration order. */
    public ImmutableList<Result> checkAll() {
        Instant now = clock.instant();
        return engine.health().values().stream()
            .map(health -> check(health, now))
            .collect(ImmutableList.toImmutableList());
    }

    /** The result of one next hop; empty for a name that is not a next hop. */
    public Optional<Result> check(String hop) {
        return engine.health(hop).map(health -> check(health, clock.instant()));
    }

    Result check(HopHealth health, Instant now) {
        ComponentName name = componentName(health.hop());
        Optional<Duration> failingFor = health.failingFor(now);
        if (failingFor.isEmpty() || failingFor.get().compareTo(configuration.degradedAfter()) <= 0) {
            return Result.healthy(name);
        }
        return Result.degraded(name, String.format("next hop %s failing for %s (%d attempts in a row, longer than degradedAfter %s); "
                + "last error at %s: %s; %s mail(s) queued, next retry %s",
            health.hop(), Durations.format(Durations.roundedUp(failingFor.get())), health.consecutiveFailures(), Durations.format(configuration.degradedAfter()),
            health.lastErrorAt().map(Instant::toString).orElse("?"),
            health.lastError().map(reply -> reply.asString()).orElse("?"),
            health.queueSize().map(String::valueOf).orElse("?"),
            health.nextRetry().map(Instant::toString).orElse("not known")));
    }
}
