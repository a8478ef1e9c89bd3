package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.mtasts.MtaStsSettings;

/** {@code <tls mode="mta-sts">} in relaypack.xml. */
class MtaStsConfigurationTest {
    private JamesHome home;

    @BeforeEach
    void setUp(@TempDir Path jamesHome) throws Exception {
        home = JamesHome.in(jamesHome).trustStore("private-ca.p12");
    }

    private NextHop hop(String tls) throws ConfigurationException {
        return home.internetHop("mx", tls);
    }

    @Test
    void theModeAloneShouldTakeTheDefaults() throws Exception {
        NextHop testee = hop("<tls mode=\"mta-sts\"/>");

        assertThat(testee.tls().mode()).isEqualTo(TlsMode.MTA_STS);
        assertThat(testee.tls().verify()).isFalse();
        assertThat(testee.mtaSts()).contains(MtaStsSettings.defaults());
    }

    @Test
    void portTimeoutAndTrustStoreShouldBeRead() throws Exception {
        NextHop testee = hop("<tls mode=\"mta-sts\" policyPort=\"8443\" policyTimeout=\"10s\">"
            + "<truststore path=\"file://conf/private-ca.p12\" password=\"changeit\"/></tls>");

        MtaStsSettings settings = testee.mtaSts().orElseThrow();
        assertThat(settings.policyPort()).isEqualTo(8443);
        assertThat(settings.policyTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.trustStore()).isEqualTo(testee.tls().trustStore());
        assertThat(settings.trustStore()).isPresent();
    }

    @Test
    void otherModesShouldHaveNoMtaStsSettings() throws Exception {
        assertThat(hop("<tls mode=\"opportunistic\"/>").mtaSts()).isEqualTo(Optional.empty());
    }

    @Nested
    class Errors {
        @Test
        void aHopWithHostsShouldBeRefused() {
            assertThatThrownBy(() -> home.nexthops("<nexthops><nexthop name=\"upstream\">"
                    + "<host>[relay.example]:587</host><tls mode=\"mta-sts\"/></nexthop></nexthops>", Map.<String, String>of()::get))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "<tls mode=\"mta-sts\"> is only for type=\"mx\"");
        }

        @Test
        void aTimeoutAboveAMinuteShouldBeRefused() {
            assertThatThrownBy(() -> hop("<tls mode=\"mta-sts\" policyTimeout=\"2m\"/>"))
                .hasMessageContainingAll("policyTimeout", "2m", "at most 1m");
        }

        @Test
        void aPortOutOfRangeShouldBeRefused() {
            assertThatThrownBy(() -> hop("<tls mode=\"mta-sts\" policyPort=\"0\"/>"))
                .hasMessageContainingAll("policyPort", "'0'", "out of range 1-65535");
        }

        @Test
        void verifyShouldBeRefused() {
            assertThatThrownBy(() -> hop("<tls mode=\"mta-sts\" verify=\"true\"/>"))
                .hasMessageContainingAll("verify", "is not taken with mode mta-sts");
        }

        @Test
        void minProtocolShouldBeRefused() {
            assertThatThrownBy(() -> hop("<tls mode=\"mta-sts\" minProtocol=\"TLSv1.3\"/>"))
                .hasMessageContainingAll("minProtocol", "is not taken with mode mta-sts");
        }

        @Test
        void policyPortOnAnotherModeShouldBeRefused() {
            assertThatThrownBy(() -> hop("<tls mode=\"opportunistic\" policyPort=\"443\"/>"))
                .hasMessageContainingAll("policyPort", "is only for modes mta-sts and dane-or-mta-sts (mode is opportunistic)");
        }

        @Test
        void aTrustStoreThatDoesNotLoadShouldStopTheStart() {
            assertThatThrownBy(() -> hop("<tls mode=\"mta-sts\"><truststore path=\"file://conf/private-ca.p12\" password=\"wrong\"/></tls>"))
                .hasMessageContainingAll("truststore", "file://conf/private-ca.p12", "cannot be loaded");
        }
    }
}
