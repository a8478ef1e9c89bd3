package org.relaypack.tls.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.delivery.TestConfigurations.relaypackXml;

import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TlsReportingConfigurationTest {
    @Test
    void withoutTheElementReportingShouldBeOff() throws Exception {
        assertThat(TlsReportingConfiguration.from(relaypackXml("<nexthops/>")).enabled()).isFalse();
    }

    @Test
    void enabledFalseShouldTurnItOff() throws Exception {
        assertThat(TlsReportingConfiguration.from(relaypackXml("<tls-reporting enabled=\"false\"/>")))
            .isEqualTo(TlsReportingConfiguration.DISABLED);
    }

    @Test
    void theElementShouldBeReadWithItsDefaults() throws Exception {
        assertThat(TlsReportingConfiguration.from(relaypackXml(
            "<tls-reporting organization=\"Example Org\" contact=\"postmaster@relay.example.org\"/>")))
            .isEqualTo(new TlsReportingConfiguration(true, "Example Org", "postmaster@relay.example.org", Optional.empty(), Optional.empty(),
                "file://var/relaypack/tls-reports", true));
    }

    @Test
    void everyAttributeShouldBeRead() throws Exception {
        assertThat(TlsReportingConfiguration.from(relaypackXml("<tls-reporting enabled=\"true\" organization=\"Example Org\" "
            + "contact=\"tlsrpt@relay.example.org\" submitter=\"relay.example.org\" sendingIp=\"192.0.2.25\" directory=\"/var/tlsrpt\" "
            + "send=\"false\"/>")))
            .isEqualTo(new TlsReportingConfiguration(true, "Example Org", "tlsrpt@relay.example.org", Optional.of("relay.example.org"),
                Optional.of("192.0.2.25"), "/var/tlsrpt", false));
    }

    @Nested
    class ConfigurationErrors {
        private void refused(String element, String message) {
            assertThatThrownBy(() -> TlsReportingConfiguration.from(relaypackXml(element)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(message);
        }

        @Test
        void aMissingContactShouldBeRefused() {
            refused("<tls-reporting organization=\"Org\"/>", "relaypack.xml/<tls-reporting>: attribute contact is required");
        }

        @Test
        void aContactThatIsNoAddressShouldBeRefused() {
            assertThatThrownBy(() -> TlsReportingConfiguration.from(relaypackXml("<tls-reporting organization=\"Org\" contact=\"postmaster\"/>")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("relaypack.xml/<tls-reporting>: contact 'postmaster' is not an email address");
        }

        @Test
        void aBadBooleanShouldBeRefused() {
            refused("<tls-reporting organization=\"Org\" contact=\"a@b.example\" send=\"yes\"/>",
                "relaypack.xml/<tls-reporting>: send 'yes' must be true or false");
        }

        @Test
        void aSendingIpThatIsNoAddressShouldBeRefused() {
            refused("<tls-reporting organization=\"Org\" contact=\"a@b.example\" sendingIp=\"relay.example\"/>",
                "relaypack.xml/<tls-reporting>: sendingIp 'relay.example' is not an IP address");
        }

        @Test
        void anUnknownAttributeShouldBeRefused() {
            refused("<tls-reporting organisation=\"Org\"/>", "relaypack.xml/<tls-reporting>: unknown attribute organisation='Org' "
                + "(allowed: enabled, organization, contact, submitter, sendingIp, directory, send)");
        }
    }
}
