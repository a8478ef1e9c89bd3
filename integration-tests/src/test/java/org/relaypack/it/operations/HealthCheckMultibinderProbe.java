package org.relaypack.it.operations;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;

import reactor.core.publisher.Mono;

/** An extension module (guice.extension.module) that adds a check to James's Set&lt;HealthCheck&gt; multibinder. */
public class HealthCheckMultibinderProbe extends AbstractModule {
    static final ComponentName PROBE = new ComponentName("multibinder probe");

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().toInstance(new HealthCheck() {
            @Override
            public ComponentName componentName() {
                return PROBE;
            }

            @Override
            public Publisher<Result> check() {
                return Mono.just(Result.degraded(PROBE, "added by an extension module"));
            }
        });
    }
}
