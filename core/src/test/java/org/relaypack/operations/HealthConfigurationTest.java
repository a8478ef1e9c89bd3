package org.relaypack.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.delivery.TestConfigurations.relaypackXml;

import java.time.Duration;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HealthConfigurationTest {
    @Test
    void withoutTheElementDegradedAfterShouldBeTenMinutes() throws Exception {
        assertThat(HealthConfiguration.from(relaypackXml("<nexthops/>")).degradedAfter()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void degradedAfterShouldBeRead() throws Exception {
        assertThat(HealthConfiguration.from(relaypackXml("<health degradedAfter=\"90s\"/>")))
            .isEqualTo(HealthConfiguration.degradedAfter(Duration.ofSeconds(90)));
    }

    @Nested
    class ConfigurationErrors {
        @Test
        void aDurationWithoutUnitShouldBeRefused() {
            assertThatThrownBy(() -> HealthConfiguration.from(relaypackXml("<health degradedAfter=\"10\"/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<health>: degradedAfter '10' is not a duration with a unit such as 30s, 5m, 1h, 2d");
        }

        @Test
        void zeroShouldBeRefused() {
            assertThatThrownBy(() -> HealthConfiguration.from(relaypackXml("<health degradedAfter=\"0s\"/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<health>: degradedAfter '0s' must be more than zero");
        }

        @Test
        void anUnknownAttributeShouldBeRefused() {
            assertThatThrownBy(() -> HealthConfiguration.from(relaypackXml("<health degradedAfer=\"5m\"/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<health>: unknown attribute degradedAfer='5m' (allowed: degradedAfter)");
        }

        @Test
        void twoElementsShouldBeRefused() {
            assertThatThrownBy(() -> HealthConfiguration.from(relaypackXml("<health/><health/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("<health> is given 2 times");
        }
    }
}
