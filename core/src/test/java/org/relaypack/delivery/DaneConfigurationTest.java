package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relaypack.testing.WildcardText;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.dane.DaneSettings;

/** {@code <tls mode="dane"><dane .../></tls>} in relaypack.xml (docs/dane.md). */
class DaneConfigurationTest {
    /** The root zone's KSK-2017 as a DS record, as /usr/share/dns/root.ds and unbound's root.key write it. */
    private static final String ROOT_KEY = "; root trust anchor\n"
        + ".\t172800\tIN\tDS\t20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
    private static final String PREFIX = "relaypack.xml/<nexthops>/<nexthop name=\"internet\">/<tls>";

    private JamesHome home;

    @BeforeEach
    void setUp(@TempDir Path jamesHome) throws Exception {
        home = JamesHome.in(jamesHome)
            .conf("dane-root.key", ROOT_KEY)
            .conf("garbage.key", ". IN DS this is not a DS record\n")
            .conf("no-anchor.key", "example. 3600 IN A 192.0.2.1\n");
    }

    private NextHop hop(String tls) throws ConfigurationException {
        return hop("mx", tls);
    }

    private NextHop hop(String type, String tls) throws ConfigurationException {
        String hosts = type.equals("hosts") ? "<host>[relay.example]:25</host>" : "";
        return home.internetHop(type, hosts + tls);
    }

    @Test
    void fullExampleShouldParse() throws Exception {
        NextHop testee = hop("<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\" resolver=\"127.0.0.1:5353\" "
            + "fallback=\"starttls-required\"/></tls>");

        assertThat(testee.tls().mode()).isEqualTo(TlsMode.DANE);
        DaneSettings dane = testee.dane().orElseThrow();
        assertThat(dane.trustAnchors().records()).singleElement().satisfies(record -> assertThat(record).contains("DS").contains("20326 8 2"));
        assertThat(dane.resolver()).contains(new InetSocketAddress("127.0.0.1", 5353));
        assertThat(dane.fallback()).isEqualTo(TlsMode.STARTTLS_REQUIRED);
    }

    @Test
    void defaultsShouldBeTheSystemResolverOnPort53AndOpportunisticFallback() throws Exception {
        DaneSettings dane = hop("<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>").dane().orElseThrow();

        assertThat(dane.resolver()).isEmpty();
        assertThat(dane.fallback()).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(dane.fallbackPolicy().mode()).isEqualTo(TlsMode.OPPORTUNISTIC);
    }

    @Test
    void aResolverWithoutPortShouldUsePort53AndAnIpv6OneItsBrackets() throws Exception {
        assertThat(hop("<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\" resolver=\"192.0.2.53\"/></tls>").dane().get().resolver())
            .contains(new InetSocketAddress("192.0.2.53", 53));
        assertThat(hop("<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\" resolver=\"[::1]:5353\"/></tls>").dane().get().resolver())
            .contains(new InetSocketAddress("::1", 5353));
    }

    @Test
    void otherModesShouldHaveNoDaneSettings() throws Exception {
        assertThat(hop("<tls mode=\"opportunistic\"/>").dane()).isEmpty();
    }

    /**
     * Each wrong {@code <tls>} stops the start with a ConfigurationException whose whole message reads as
     * given, {@code **} standing for any text.
     */
    @ParameterizedTest(name = "{1}")
    @MethodSource("configurationErrors")
    void aWrongDaneConfigurationShouldStopStartupNamingWhatIsWrong(String type, String tls, String message) {
        assertThatThrownBy(() -> hop(type, tls))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageMatching(WildcardText.regex(message));
    }

    static Stream<Arguments> configurationErrors() {
        String dane = "/<dane>: ";
        return Stream.of(
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/missing.key\"/></tls>",
                PREFIX + dane + "trustAnchors 'file://conf/missing.key' is not a readable file**"),
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/garbage.key\"/></tls>",
                PREFIX + dane + "trustAnchors 'file://conf/garbage.key' (**is not a zone file of DS or DNSKEY records**"),
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/no-anchor.key\"/></tls>",
                "**trustAnchors 'file://conf/no-anchor.key'**holds no DS or DNSKEY record"),
            Arguments.of("mx", "<tls mode=\"dane\"/>",
                PREFIX + ": mode dane needs <dane trustAnchors=\"...\"/>: the DNSSEC trust anchors to validate from"),
            Arguments.of("hosts", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>",
                PREFIX + ": mode dane is only for type=\"mx\" next hops**"),
            Arguments.of("mx", "<tls mode=\"opportunistic\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>",
                PREFIX + dane + "is only for <tls mode=\"dane\"> and <tls mode=\"dane-or-mta-sts\">"),
            Arguments.of("mx", "<tls mode=\"dane\" verify=\"true\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>",
                PREFIX + ": verify 'true' does not go with mode dane**"),
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\" resolver=\"dns.example\"/></tls>",
                PREFIX + dane + "resolver 'dns.example' is not an IP address**"),
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\" resolver=\"127.0.0.1:0\"/></tls>",
                PREFIX + dane + "resolver '127.0.0.1:0' has no port 1-65535 after the address"),
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\" fallback=\"none\"/></tls>",
                PREFIX + dane + "fallback 'none' is not one of opportunistic, starttls-required"),
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchor=\"file://conf/dane-root.key\"/></tls>",
                PREFIX + dane + "unknown attribute trustAnchor='file://conf/dane-root.key'**"),
            Arguments.of("mx", "<tls mode=\"dane\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls><auth username=\"u\" password=\"p\"/>",
                "**<auth> needs**"));
    }

    /** {@code <tls mode="dane-or-mta-sts">}: the {@code <dane>} element and the MTA-STS attributes together. */
    @Nested
    class DaneOrMtaSts {
        @BeforeEach
        void trustStore() throws Exception {
            home.trustStore("private-ca.p12");
        }

        @Test
        void bothSettingsAndTheTrustStoreShouldBeRead() throws Exception {
            NextHop testee = hop("<tls mode=\"dane-or-mta-sts\" policyPort=\"8443\">"
                + "<dane trustAnchors=\"file://conf/dane-root.key\" fallback=\"starttls-required\"/>"
                + "<truststore path=\"file://conf/private-ca.p12\" password=\"changeit\"/></tls>");

            assertThat(testee.tls().mode()).isEqualTo(TlsMode.DANE_OR_MTA_STS);
            assertThat(testee.tls().verify()).isFalse();
            assertThat(testee.dane().orElseThrow().fallback()).isEqualTo(TlsMode.STARTTLS_REQUIRED);
            assertThat(testee.mtaSts().orElseThrow().policyPort()).isEqualTo(8443);
            assertThat(testee.mtaSts().orElseThrow().trustStore()).isPresent().isEqualTo(testee.tls().trustStore());
        }

        @Test
        void withoutDaneElementItShouldStopStartup() {
            assertThatThrownBy(() -> hop("<tls mode=\"dane-or-mta-sts\"/>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(PREFIX + ": mode dane-or-mta-sts needs <dane trustAnchors=\"...\"/>: the DNSSEC trust anchors to validate from");
        }

        @Test
        void onAHopWithHostsItShouldStopStartup() {
            assertThatThrownBy(() -> hop("hosts", "<tls mode=\"dane-or-mta-sts\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(PREFIX + ": mode dane-or-mta-sts is only for type=\"mx\" next hops");
        }

        @Test
        void verifyShouldStopStartup() {
            assertThatThrownBy(() -> hop("<tls mode=\"dane-or-mta-sts\" verify=\"true\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(PREFIX + ": verify 'true' is not taken with mode dane-or-mta-sts");
        }

        @Test
        void policyTimeoutAboveAMinuteShouldStopStartup() {
            assertThatThrownBy(() -> hop("<tls mode=\"dane-or-mta-sts\" policyTimeout=\"2m\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("policyTimeout", "2m", "at most 1m");
        }

        @Test
        void authShouldStopStartup() {
            assertThatThrownBy(() -> hop("<tls mode=\"dane-or-mta-sts\"><dane trustAnchors=\"file://conf/dane-root.key\"/></tls>"
                + "<auth username=\"u\" password=\"p\"/>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("<auth> needs");
        }
    }
}
