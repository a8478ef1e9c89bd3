package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.delivery.TestConfigurations.relaypackXml;

import java.time.Duration;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableList;

class LedgerConfigurationTest {
    @Test
    void withoutTheElementTheDefaultsShouldApply() throws Exception {
        assertThat(LedgerConfiguration.from(relaypackXml("<nexthops/>"))).isEqualTo(LedgerConfiguration.DEFAULT);
        assertThat(LedgerConfiguration.DEFAULT)
            .isEqualTo(LedgerConfiguration.of(Duration.ofHours(1), 1_000_000, false));
    }

    @Test
    void everyAttributeShouldBeRead() throws Exception {
        assertThat(LedgerConfiguration.from(relaypackXml("<deliveredLedger margin=\"30m\" maxEntries=\"50000\" fsync=\"true\"/>")))
            .isEqualTo(LedgerConfiguration.of(Duration.ofMinutes(30), 50_000, true));
    }

    @Test
    void theRetentionShouldBeTheLongestRetryDelayOfTheHopsPlusTheMargin() {
        NextHop quick = NextHop.builder("quick").host(HostSpec.literal("a.example", 25)).build()
            .withScheduling(HopScheduling.of(RetryPolicy.of(ImmutableList.of(Duration.ofSeconds(2), Duration.ofSeconds(15)), 200), 4,
                Optional.empty(), HopScheduling.FirstAttempt.QUEUE));
        NextHop shipped = NextHop.builder("shipped").host(HostSpec.literal("b.example", 25)).build();

        assertThat(LedgerConfiguration.DEFAULT.retention(NextHopsConfiguration.of(quick))).isEqualTo(Duration.ofSeconds(15).plusHours(1));
        assertThat(LedgerConfiguration.DEFAULT.retention(NextHopsConfiguration.of(quick, shipped))).isEqualTo(Duration.ofHours(5));
    }

    @Nested
    class ConfigurationErrors {
        @Test
        void tooFewEntriesShouldBeRefused() {
            assertThatThrownBy(() -> LedgerConfiguration.from(relaypackXml("<deliveredLedger maxEntries=\"10\"/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<deliveredLedger>: maxEntries '10' out of range 1000-100000000");
        }

        @Test
        void aBooleanOtherThanTrueOrFalseShouldBeRefused() {
            assertThatThrownBy(() -> LedgerConfiguration.from(relaypackXml("<deliveredLedger fsync=\"yes\"/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<deliveredLedger>: fsync 'yes' must be true or false");
        }

        @Test
        void anUnknownAttributeShouldBeRefused() {
            assertThatThrownBy(() -> LedgerConfiguration.from(relaypackXml("<deliveredLedger retention=\"5h\"/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("relaypack.xml/<deliveredLedger>: unknown attribute retention='5h' (allowed: margin, maxEntries, fsync)");
        }
    }
}
