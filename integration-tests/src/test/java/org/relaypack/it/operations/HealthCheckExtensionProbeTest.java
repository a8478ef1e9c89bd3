package org.relaypack.it.operations;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;

/**
 * Settles on James 3.8.1 how an extension can put a check in {@code GET /healthcheck}
 * (docs/where-is-my-mail.md): not through a Guice multibinder in an extension module (the child
 * injector would bind James's {@code Set<HealthCheck>} a second time: James does not start), but
 * through healthcheck.properties {@code additional.healthchecks} (WhereIsMyMailStoryTest).
 */
class HealthCheckExtensionProbeTest {
    @Test
    void anExtensionModuleAddingToTheHealthCheckMultibinderShouldStopJamesAtStartup() {
        assertThatThrownBy(() -> RelayJames.sample("demo").overlay("healthcheck-multibinder-probe").start().close())
            .hasMessageContaining("[Guice/BindingAlreadySet]: Set<HealthCheck> was bound multiple times.")
            .hasMessageContaining("HealthCheckMultibinderProbe.configure");
    }
}
