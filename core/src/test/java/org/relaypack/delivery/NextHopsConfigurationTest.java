package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.config.Secrets;
import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.tls.CertificateMatch;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;

import com.google.common.collect.ImmutableList;

class NextHopsConfigurationTest {
    private static final Map<String, String> ENVIRONMENT = Map.of("RELAY_PASSWORD", "from-env", "EMPTY_VARIABLE", "");

    @TempDir
    Path jamesHome;
    private JamesHome home;

    @BeforeEach
    void setUp() throws Exception {
        home = JamesHome.in(jamesHome)
            .conf("upstream.secret", "from-file\n")
            .conf("empty.secret", "\n")
            .trustStore("upstream-ca.p12");
        Files.write(home.conf("corrupt.p12"), new byte[] {1, 2, 3});
        KeyStore empty = KeyStore.getInstance("PKCS12");
        empty.load(null, null);
        try (OutputStream out = Files.newOutputStream(home.conf("empty.p12"))) {
            empty.store(out, "changeit".toCharArray());
        }
    }

    private NextHopsConfiguration parse(String nexthops) throws ConfigurationException {
        return home.nexthops(nexthops, ENVIRONMENT::get);
    }

    private NextHop hop(String nexthops, String name) throws ConfigurationException {
        return parse(nexthops).hop(name).orElseThrow();
    }

    @Test
    void fullExampleShouldParseIntoTheNextHops() throws Exception {
        NextHopsConfiguration testee = parse(
            "<nexthops>"
                + "  <retry delays=\"1m, 5m, 1h\" maxAttempts=\"6\"/>"
                + "  <nexthop name=\"upstream\" fallback=\"upstream-465\" concurrency=\"8\">"
                + "    <host>[smtp1.provider.example]:587</host>"
                + "    <host>smtp2.provider.example</host>"
                + "    <tls mode=\"starttls-required\" verify=\"true\" minProtocol=\"TLSv1.3\">"
                + "      <truststore path=\"file://conf/upstream-ca.p12\" type=\"PKCS12\" password=\"changeit\"/>"
                + "    </tls>"
                + "    <auth username=\"relay-user\" passwordFile=\"file://conf/upstream.secret\"/>"
                + "    <timeouts connect=\"10s\" read=\"2m\"/>"
                + "    <pool maxConnections=\"2\" idleTimeout=\"1m\" maxMessagesPerConnection=\"50\"/>"
                + "    <heloName>relay.example.com</heloName>"
                + "  </nexthop>"
                + "  <nexthop name=\"upstream-465\">"
                + "    <host>[smtp3.provider.example]:465</host>"
                + "    <tls mode=\"implicit\"/>"
                + "    <auth username=\"relay-user\" passwordEnv=\"RELAY_PASSWORD\"/>"
                + "    <retry maxAttempts=\"2\"/>"
                + "  </nexthop>"
                + "  <nexthop name=\"internet\" type=\"mx\"/>"
                + "  <nexthop name=\"internet-2525\" type=\"mx\" port=\"2525\"/>"
                + "</nexthops>");

        NextHop upstream = testee.hop("upstream").orElseThrow();
        assertThat(upstream.kind()).isEqualTo(NextHop.Kind.HOSTS);
        assertThat(upstream.hosts()).containsExactly(
            HostSpec.literal("smtp1.provider.example", 587), HostSpec.parse("smtp2.provider.example"));
        assertThat(upstream.tls()).isEqualTo(new TlsPolicy(TlsMode.STARTTLS_REQUIRED, true,
            Optional.of(new TlsPolicy.TrustStore(jamesHome.resolve("conf/upstream-ca.p12").toString(), "PKCS12", Optional.of("changeit"))),
            TlsProtocolVersion.TLS_V1_3));
        assertThat(upstream.credentials().orElseThrow().username()).isEqualTo("relay-user");
        assertThat(upstream.credentials().orElseThrow().password()).isEqualTo("from-file");
        assertThat(upstream.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(upstream.deadlines()).isEqualTo(SessionDeadlines.builder()
            .connect(Duration.ofSeconds(10)).replies(Duration.ofMinutes(2)).build());
        assertThat(upstream.pool().maxConnections()).isEqualTo(2);
        assertThat(upstream.pool().idleTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(upstream.pool().maxMessagesPerConnection()).isEqualTo(50);
        assertThat(upstream.heloName()).contains("relay.example.com");
        assertThat(upstream.scheduling().concurrency()).isEqualTo(8);
        assertThat(upstream.scheduling().fallback()).contains("upstream-465");
        assertThat(upstream.scheduling().retry()).isEqualTo(RetryPolicy.of(
            ImmutableList.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1)), 6));

        NextHop fallback = testee.hop("upstream-465").orElseThrow();
        assertThat(fallback.tls()).isEqualTo(TlsPolicy.of(TlsMode.IMPLICIT));
        assertThat(fallback.credentials().orElseThrow().password()).isEqualTo("from-env");
        assertThat(fallback.scheduling().retry()).isEqualTo(RetryPolicy.of(
            ImmutableList.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1)), 2));

        assertThat(testee.hop("internet").orElseThrow().kind()).isEqualTo(NextHop.Kind.RECIPIENT_MX);
        assertThat(testee.hop("internet").orElseThrow().mxPort()).isEmpty();
        assertThat(testee.hop("internet-2525").orElseThrow().mxPort()).contains(2525);
        assertThat(testee.hops().keySet()).containsExactly("upstream", "upstream-465", "internet", "internet-2525");
    }

    @Test
    void defaultsShouldApplyWhenOnlyAHostIsGiven() throws Exception {
        NextHop testee = parse("<nexthops><nexthop name=\"lan\"><host>[10.0.0.1]</host></nexthop></nexthops>")
            .hop("lan").orElseThrow();

        assertThat(testee).isEqualTo(NextHop.builder("lan").host(HostSpec.literal("10.0.0.1", 25)).build());
        assertThat(testee.tls()).isEqualTo(TlsPolicy.of(TlsMode.OPPORTUNISTIC));
        assertThat(testee.scheduling().retry()).isEqualTo(RetryPolicy.defaults());
        assertThat(testee.scheduling().concurrency()).isEqualTo(HopScheduling.DEFAULT_CONCURRENCY);
        assertThat(testee.scheduling().fallback()).isEmpty();
        assertThat(testee.scheduling().firstAttempt()).isEqualTo(HopScheduling.FirstAttempt.INLINE);
    }

    @Test
    void firstAttemptShouldDefaultToTheQueueForMxHopsAndBeSettable() throws Exception {
        NextHopsConfiguration testee = parse("<nexthops>"
            + "<nexthop name=\"internet\" type=\"mx\"/>"
            + "<nexthop name=\"internet-now\" type=\"mx\" firstAttempt=\"inline\"/>"
            + "<nexthop name=\"lan\" firstAttempt=\"queue\"><host>[10.0.0.1]</host></nexthop>"
            + "</nexthops>");

        assertThat(testee.hop("internet").orElseThrow().scheduling().firstAttempt()).isEqualTo(HopScheduling.FirstAttempt.QUEUE);
        assertThat(testee.hop("internet-now").orElseThrow().scheduling().firstAttempt()).isEqualTo(HopScheduling.FirstAttempt.INLINE);
        assertThat(testee.hop("lan").orElseThrow().scheduling().firstAttempt()).isEqualTo(HopScheduling.FirstAttempt.QUEUE);
    }

    @Test
    void missingSectionShouldMeanNoHops() throws Exception {
        assertThat(parse("").hops()).isEmpty();
    }

    @Test
    void verifyShouldDefaultToOffForOpportunisticTls() throws Exception {
        assertThat(hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host><tls mode=\"opportunistic\"/></nexthop></nexthops>", "a")
            .tls().verify()).isFalse();
    }

    @Test
    void verifyCanBeTurnedOffExplicitly() throws Exception {
        assertThat(hop("<nexthops><nexthop name=\"a\"><host>[h]:465</host><tls mode=\"implicit\" verify=\"false\"/></nexthop></nexthops>", "a")
            .tls().verify()).isFalse();
    }

    @Nested
    class Passwords {
        private String hopWithAuth(String passwordAttributes) {
            return "<nexthops><nexthop name=\"upstream\"><host>[h]:587</host><tls mode=\"starttls-required\"/>"
                + "<auth username=\"u\" " + passwordAttributes + "/></nexthop></nexthops>";
        }

        @Test
        void passwordShouldBeReadFromAJamesFileUrlWithoutTheTrailingNewline() throws Exception {
            Credentials credentials = hop(hopWithAuth("passwordFile=\"file://conf/upstream.secret\""), "upstream").credentials().orElseThrow();

            assertThat(credentials.password()).isEqualTo("from-file");
            assertThat(credentials.passwordSource()).isEqualTo("file:file://conf/upstream.secret");
        }

        @Test
        void passwordShouldBeReadFromAnAbsolutePath() throws Exception {
            String path = jamesHome.resolve("conf/upstream.secret").toString();

            assertThat(hop(hopWithAuth("passwordFile=\"" + path + "\""), "upstream").credentials().orElseThrow().password())
                .isEqualTo("from-file");
        }

        @Test
        void passwordShouldBeReadFromTheEnvironment() throws Exception {
            Credentials credentials = hop(hopWithAuth("passwordEnv=\"RELAY_PASSWORD\""), "upstream").credentials().orElseThrow();

            assertThat(credentials.password()).isEqualTo("from-env");
            assertThat(credentials.passwordSource()).isEqualTo("env:RELAY_PASSWORD");
        }

        @Test
        void passwordShouldBeReadInline() throws Exception {
            Credentials credentials = hop(hopWithAuth("password=\"in-the-xml\""), "upstream").credentials().orElseThrow();

            assertThat(credentials.password()).isEqualTo("in-the-xml");
            assertThat(credentials.toString()).doesNotContain("in-the-xml");
        }

        @Test
        void aPasswordFileThatOthersCanReadShouldGetAStartupWarningNamingTheFileAndTheFix() throws Exception {
            Path secret = jamesHome.resolve("conf/upstream.secret");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));

            List<String> logged = LogCapture.infoOf(Secrets.class, () -> {
                try {
                    parse(hopWithAuth("passwordFile=\"file://conf/upstream.secret\""));
                } catch (ConfigurationException e) {
                    throw new IllegalStateException(e);
                }
            });

            assertThat(logged).singleElement().satisfies(line -> assertThat(line)
                .contains("<auth>", "passwordFile 'file://conf/upstream.secret'", "rw-r--r--", "chmod 600 " + secret.toAbsolutePath())
                .doesNotContain("from-file"));
        }

        @Test
        void aPasswordFileOnlyItsOwnerCanReadShouldGetNoWarning() throws Exception {
            Files.setPosixFilePermissions(jamesHome.resolve("conf/upstream.secret"), PosixFilePermissions.fromString("rw-------"));

            List<String> logged = LogCapture.infoOf(Secrets.class, () -> {
                try {
                    parse(hopWithAuth("passwordFile=\"file://conf/upstream.secret\""));
                } catch (ConfigurationException e) {
                    throw new IllegalStateException(e);
                }
            });

            assertThat(logged).isEmpty();
        }

        @Test
        void aMisspeltPasswordAttributeShouldBeNamedWithoutItsValue() {
            assertThatThrownBy(() -> parse(hopWithAuth("pasword=\"s3cr3t-value\"")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("<auth>", "unknown attribute pasword", "(value not shown)")
                .hasMessageNotContaining("s3cr3t-value");
        }

        @Test
        void otherPasswordLikeUnknownAttributesShouldBeNamedWithoutTheirValue() {
            for (String attribute : List.of("secret", "passphrase", "credentials", "bindPassword", "PASSWD")) {
                assertThatThrownBy(() -> parse(hopWithAuth("passwordEnv=\"RELAY_PASSWORD\" " + attribute + "=\"s3cr3t-value\"")))
                    .as(attribute)
                    .hasMessageContainingAll("unknown attribute " + attribute, "(value not shown)")
                    .hasMessageNotContaining("s3cr3t-value");
            }
        }

        @Test
        void anUnknownAttributeThatHoldsNoSecretShouldStillShowItsValue() {
            assertThatThrownBy(() -> parse(hopWithAuth("passwordEnv=\"RELAY_PASSWORD\" mechanism=\"PLAIN\"")))
                .hasMessageContaining("unknown attribute mechanism='PLAIN'");
        }

        @Test
        void unreadablePasswordFileShouldFailNamingHopParameterAndValue() {
            assertThatThrownBy(() -> parse(hopWithAuth("passwordFile=\"file://conf/missing.secret\"")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "passwordFile", "file://conf/missing.secret", "not a readable file");
        }

        @Test
        void emptyPasswordFileShouldFail() {
            assertThatThrownBy(() -> parse(hopWithAuth("passwordFile=\"file://conf/empty.secret\"")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "passwordFile", "file://conf/empty.secret", "is empty");
        }

        @Test
        void unsetVariableShouldFailNamingHopParameterAndValue() {
            assertThatThrownBy(() -> parse(hopWithAuth("passwordEnv=\"NOT_SET\"")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "passwordEnv", "NOT_SET", "not set");
        }

        @Test
        void emptyVariableShouldFail() {
            assertThatThrownBy(() -> parse(hopWithAuth("passwordEnv=\"EMPTY_VARIABLE\"")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "passwordEnv", "EMPTY_VARIABLE", "empty");
        }

        @Test
        void twoPasswordSourcesShouldFail() {
            assertThatThrownBy(() -> parse(hopWithAuth("password=\"a\" passwordEnv=\"RELAY_PASSWORD\"")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "only one of");
        }

        @Test
        void noPasswordSourceShouldFail() {
            assertThatThrownBy(() -> parse(hopWithAuth("")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "<auth>", "passwordFile");
        }

        @Test
        void authWithoutRequiredTlsShouldFail() {
            assertThatThrownBy(() -> parse("<nexthops><nexthop name=\"upstream\"><host>[h]:25</host>"
                + "<auth username=\"u\" password=\"p\"/></nexthop></nexthops>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("upstream", "<auth>", "never sent without TLS", "opportunistic");
        }
    }

    @Test
    void eachStepOfASessionShouldHaveItsOwnDeadline() throws Exception {
        NextHop testee = hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host>"
            + "<timeouts connect=\"5s\" helo=\"30s\" mail=\"40s\" rcpt=\"50s\" dataInit=\"1m\" dataTransfer=\"2m\" dataDone=\"3m\" rset=\"10s\"/>"
            + "</nexthop></nexthops>", "a");

        assertThat(testee.deadlines()).isEqualTo(SessionDeadlines.builder()
            .connect(Duration.ofSeconds(5)).helo(Duration.ofSeconds(30)).mail(Duration.ofSeconds(40)).rcpt(Duration.ofSeconds(50))
            .dataInit(Duration.ofMinutes(1)).dataTransfer(Duration.ofMinutes(2)).dataDone(Duration.ofMinutes(3)).rset(Duration.ofSeconds(10))
            .build());
    }

    @Test
    void deadlinesShouldDefaultToPostfixs() throws Exception {
        SessionDeadlines testee = hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host></nexthop></nexthops>", "a").deadlines();

        assertThat(testee.connect()).isEqualTo(Duration.ofSeconds(30));
        assertThat(testee.helo()).isEqualTo(Duration.ofMinutes(5));
        assertThat(testee.mail()).isEqualTo(Duration.ofMinutes(5));
        assertThat(testee.rcpt()).isEqualTo(Duration.ofMinutes(5));
        assertThat(testee.dataInit()).isEqualTo(Duration.ofMinutes(2));
        assertThat(testee.dataTransfer()).isEqualTo(Duration.ofMinutes(3));
        assertThat(testee.dataDone()).isEqualTo(Duration.ofMinutes(10));
        assertThat(testee.rset()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void readShouldSetEveryReplyDeadlineUnlessAStepNamesItsOwn() throws Exception {
        SessionDeadlines testee = hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host>"
            + "<timeouts read=\"10s\" dataDone=\"10m\"/></nexthop></nexthops>", "a").deadlines();

        assertThat(testee.helo()).isEqualTo(Duration.ofSeconds(10));
        assertThat(testee.rcpt()).isEqualTo(Duration.ofSeconds(10));
        assertThat(testee.dataInit()).isEqualTo(Duration.ofSeconds(10));
        assertThat(testee.rset()).isEqualTo(Duration.ofSeconds(10));
        assertThat(testee.dataDone()).isEqualTo(Duration.ofMinutes(10));
        assertThat(testee.dataTransfer()).as("a write deadline, not a reply's").isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void opportunisticTlsShouldAcceptTlsV1AndNewerByDefault() throws Exception {
        assertThat(hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host></nexthop></nexthops>", "a").tls().minProtocol())
            .isEqualTo(TlsProtocolVersion.TLS_V1);
        assertThat(hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host><tls mode=\"starttls-required\"/></nexthop></nexthops>", "a")
            .tls().minProtocol()).isEqualTo(TlsProtocolVersion.TLS_V1_2);
    }

    @Test
    void opportunisticTlsShouldTakeAConfiguredFloor() throws Exception {
        assertThat(hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host><tls mode=\"opportunistic\" minProtocol=\"TLSv1.2\"/></nexthop></nexthops>", "a")
            .tls().minProtocol()).isEqualTo(TlsProtocolVersion.TLS_V1_2);
    }

    @Test
    void matchShouldDefaultToTheHostNameAndTakeTheNextHop() throws Exception {
        assertThat(hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host><tls mode=\"starttls-required\"/></nexthop></nexthops>", "a")
            .tls().certificateMatch()).isEqualTo(CertificateMatch.HOSTNAME);
        assertThat(hop("<nexthops><nexthop name=\"a\" type=\"mx\"><tls mode=\"starttls-required\" match=\"nexthop\"/></nexthop></nexthops>", "a")
            .tls().certificateMatch()).isEqualTo(CertificateMatch.NEXTHOP);
    }

    @Test
    void matchWithoutVerificationShouldStopStartup() {
        assertThatThrownBy(() -> parse("<nexthops><nexthop name=\"a\"><host>h</host><tls mode=\"opportunistic\" match=\"nexthop\"/></nexthop></nexthops>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContainingAll("match", "nexthop", "needs verify=\"true\"");
    }

    @Test
    void anUnknownMatchShouldStopStartup() {
        assertThatThrownBy(() -> parse("<nexthops><nexthop name=\"a\"><host>h</host><tls mode=\"starttls-required\" match=\"dot-nexthop\"/></nexthop></nexthops>"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContainingAll("match", "dot-nexthop", "is not one of hostname, nexthop");
    }

    @Nested
    class LoopDetectionSection {
        @Test
        void everyHopShouldTakeTheLoopDetectionOfTheSection() throws Exception {
            NextHopsConfiguration testee = parse("<nexthops>"
                + "<loopDetection localAddresses=\"203.0.113.25, 2001:db8::25\" allowLoopbackMx=\"true\"/>"
                + "<nexthop name=\"internet\" type=\"mx\"/>"
                + "<nexthop name=\"relay\"><host>relay.example</host></nexthop>"
                + "</nexthops>");

            LoopDetection expected = LoopDetection.of(com.google.common.collect.ImmutableSet.of(
                com.google.common.net.InetAddresses.forString("203.0.113.25"), com.google.common.net.InetAddresses.forString("2001:db8::25")), true);
            assertThat(testee.hop("internet").orElseThrow().loopDetection()).isEqualTo(expected);
            assertThat(testee.hop("relay").orElseThrow().loopDetection()).isEqualTo(expected);
        }

        @Test
        void loopbackShouldBeThisRelayByDefault() throws Exception {
            assertThat(hop("<nexthops><nexthop name=\"internet\" type=\"mx\"/></nexthops>", "internet").loopDetection())
                .isEqualTo(LoopDetection.defaults());
            assertThat(LoopDetection.defaults().isSelf(java.net.InetAddress.getByName("127.0.0.11"))).isTrue();
        }

        @Test
        void aLocalAddressThatIsNoAddressShouldFail() {
            assertThatThrownBy(() -> parse("<nexthops><loopDetection localAddresses=\"relay.example\"/></nexthops>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("<loopDetection>", "localAddresses", "'relay.example'", "not an IP address");
        }

        @Test
        void aBadBooleanShouldFail() {
            assertThatThrownBy(() -> parse("<nexthops><loopDetection allowLoopbackMx=\"yes\"/></nexthops>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("<loopDetection>", "allowLoopbackMx", "'yes'");
        }
    }

    @Nested
    class Lanes {
        @Test
        void mxHopShouldTakeItsLaneLimits() throws Exception {
            NextHop hop = parse("<nexthops><nexthop name=\"internet\" type=\"mx\">"
                + "<lanes destinationConcurrency=\"5\" deadFor=\"2m\"/></nexthop></nexthops>").hop("internet").orElseThrow();

            assertThat(hop.scheduling().lanes()).isEqualTo(LaneLimits.of(5, Duration.ofMinutes(2)));
            assertThat(hop.hasLanes()).isTrue();
        }

        @Test
        void lanesShouldDefaultToPostfixValues() throws Exception {
            NextHop hop = parse("<nexthops><nexthop name=\"internet\" type=\"mx\"/></nexthops>").hop("internet").orElseThrow();

            assertThat(hop.scheduling().lanes().destinationConcurrency()).isEqualTo(20);
            assertThat(hop.scheduling().lanes().deadFor()).isEqualTo(Duration.ofMinutes(5));
        }

        @Test
        void hopWithHostsShouldHaveNoLanes() throws Exception {
            assertThat(parse("<nexthops><nexthop name=\"a\"><host>[h]:25</host></nexthop></nexthops>").hop("a").orElseThrow().hasLanes())
                .isFalse();
        }
    }

    @Nested
    class Errors {
        private void assertFails(String nexthops, String... messageParts) {
            assertThatThrownBy(() -> parse("<nexthops>" + nexthops + "</nexthops>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll(messageParts);
        }

        @Test
        void lanesOnAHopWithHostsShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><lanes destinationConcurrency=\"5\"/></nexthop>",
                "<nexthop name=\"a\">", "<lanes>", "only for type=\"mx\"");
        }

        @Test
        void deadForOutOfBoundsShouldFail() {
            assertFails("<nexthop name=\"a\" type=\"mx\"><lanes deadFor=\"2h\"/></nexthop>", "<lanes>", "deadFor", "'2h'", "between 1s and 1h");
            assertFails("<nexthop name=\"a\" type=\"mx\"><lanes deadFor=\"5\"/></nexthop>", "<lanes>", "deadFor", "'5'");
        }

        @Test
        void destinationConcurrencyOutOfRangeShouldFail() {
            assertFails("<nexthop name=\"a\" type=\"mx\"><lanes destinationConcurrency=\"0\"/></nexthop>",
                "<lanes>", "destinationConcurrency", "'0'", "out of range 1-1000");
        }

        @Test
        void unknownLanesAttributeShouldFail() {
            assertFails("<nexthop name=\"a\" type=\"mx\"><lanes destinationConcurency=\"5\"/></nexthop>", "<lanes>", "destinationConcurency");
        }

        @Test
        void unknownTlsModeShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"startls\"/></nexthop>",
                "relaypack.xml", "<nexthop name=\"a\">", "<tls>", "mode", "'startls'");
        }

        @Test
        void portOutOfRangeShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:70000</host></nexthop>", "<nexthop name=\"a\">", "host", "[h]:70000", "out of range");
        }

        @Test
        void portNotANumberShouldFail() {
            assertFails("<nexthop name=\"a\"><host>h:smtp</host></nexthop>", "<nexthop name=\"a\">", "host", "h:smtp");
        }

        @Test
        void unknownElementShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><hosts>x</hosts></nexthop>", "<nexthop name=\"a\">", "unknown element <hosts>");
        }

        @Test
        void unknownElementInSectionShouldFail() {
            assertFails("<relay name=\"a\"/>", "<nexthops>", "unknown element <relay>");
        }

        @Test
        void unknownAttributeShouldFail() {
            assertFails("<nexthop name=\"a\" priority=\"25\"><host>[h]:25</host></nexthop>", "<nexthop name=\"a\">", "unknown attribute priority='25'");
        }

        @Test
        void unknownTlsAttributeShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\" verifyHostname=\"true\"/></nexthop>",
                "<tls>", "unknown attribute verifyHostname='true'");
        }

        @Test
        void badDurationShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><timeouts connect=\"ten seconds\"/></nexthop>",
                "<timeouts>", "connect", "'ten seconds'", "duration");
        }

        @Test
        void durationWithoutUnitShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><timeouts read=\"300\"/></nexthop>", "<timeouts>", "read", "'300'");
        }

        @Test
        void zeroTimeoutShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><timeouts read=\"0s\"/></nexthop>", "<timeouts>", "read", "'0s'", "more than zero");
        }

        @Test
        void zeroStepDeadlineShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><timeouts dataDone=\"0s\"/></nexthop>",
                "<timeouts>", "dataDone", "'0s'", "more than zero");
        }

        @Test
        void deadlineOverAnHourShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><timeouts helo=\"2h\"/></nexthop>", "<timeouts>", "helo", "'2h'", "at most 1h");
        }

        @Test
        void unknownTimeoutShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><timeouts greeting=\"1m\"/></nexthop>", "<timeouts>", "greeting");
        }

        @Test
        void requiredModeShouldRefuseAFloorBelowTlsV12() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"starttls-required\" minProtocol=\"TLSv1\"/></nexthop>",
                "<tls>", "minProtocol", "'TLSv1'", "TLSv1.2, TLSv1.3", "starttls-required");
        }

        @Test
        void badRetryDelayShouldFail() {
            assertFails("<retry delays=\"5m, soon\"/>", "<retry>", "delays", "'soon'");
        }

        @Test
        void emptyRetryDelayShouldFail() {
            assertFails("<retry delays=\"5m,,10m\"/>", "<retry>", "delays", "'5m,,10m'", "empty entry");
        }

        @Test
        void maxAttemptsOutOfRangeShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><retry maxAttempts=\"0\"/></nexthop>", "<retry>", "maxAttempts", "'0'", "out of range");
        }

        @Test
        void badBooleanShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\" verify=\"yes\"/></nexthop>",
                "<tls>", "verify", "'yes'", "true or false");
        }

        @Test
        void unsupportedMinProtocolShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\" minProtocol=\"TLSv1.1\"/></nexthop>",
                "<tls>", "minProtocol", "'TLSv1.1'");
        }

        @Test
        void missingTruststoreShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\"><truststore path=\"file://conf/nope.p12\"/></tls></nexthop>",
                "<truststore>", "path", "'file://conf/nope.p12'", "not a readable file");
        }

        @Test
        void truststoreShouldBeLoadedAtStartup() throws Exception {
            TlsPolicy tls = hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\">"
                + "<truststore path=\"file://conf/upstream-ca.p12\" password=\"changeit\"/></tls></nexthop></nexthops>", "a").tls();

            assertThat(tls.trustStore().orElseThrow().load().size()).isGreaterThan(0);
        }

        @Test
        void truststoreWithAWrongPasswordShouldFailWithoutShowingThePassword() {
            assertThatThrownBy(() -> parse("<nexthops><nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\">"
                + "<truststore path=\"file://conf/upstream-ca.p12\" password=\"not-the-password\"/></tls></nexthop></nexthops>"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("<nexthop name=\"a\">", "<truststore>", "path 'file://conf/upstream-ca.p12'",
                    "cannot be loaded as a PKCS12 trust store with the password given")
                .hasMessageNotContaining("not-the-password");
        }

        @Test
        void truststoreThatIsNoKeyStoreShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\">"
                    + "<truststore path=\"file://conf/corrupt.p12\" password=\"changeit\"/></tls></nexthop>",
                "<truststore>", "path 'file://conf/corrupt.p12'", "cannot be loaded as a PKCS12 trust store");
        }

        @Test
        void truststoreWithoutCertificatesShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\">"
                    + "<truststore path=\"file://conf/empty.p12\" password=\"changeit\"/></tls></nexthop>",
                "<truststore>", "path 'file://conf/empty.p12'", "holds no certificate to trust");
        }

        @Test
        void verifyWithModeNoneShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"none\" verify=\"true\"/></nexthop>",
                "<nexthop name=\"a\">", "<tls>", "verify 'true'", "mode none");
        }

        @Test
        void verifyFalseWithModeNoneShouldBeAccepted() throws Exception {
            assertThat(hop("<nexthops><nexthop name=\"a\"><host>[h]:25</host><tls mode=\"none\" verify=\"false\"/></nexthop></nexthops>", "a")
                .tls().verify()).isFalse();
        }

        @Test
        void retryDelayLongerThanADayShouldFail() {
            assertFails("<retry delays=\"5m, 2d\"/><nexthop name=\"a\"><host>[h]:25</host></nexthop>",
                "<retry>", "delays '5m, 2d'", "longer than 1d (2d)");
        }

        @Test
        void poolIdleTimeoutShouldBeMoreThanZeroAndAtMostAnHour() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><pool idleTimeout=\"0s\"/></nexthop>",
                "<pool>", "idleTimeout '0s'", "more than zero");
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><pool idleTimeout=\"2h\"/></nexthop>",
                "<pool>", "idleTimeout '2h'", "at most 1h");
        }

        @Test
        void unknownTruststoreTypeShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"implicit\">"
                + "<truststore path=\"file://conf/upstream-ca.p12\" type=\"PEM\"/></tls></nexthop>", "<truststore>", "type", "'PEM'");
        }

        @Test
        void unknownTypeShouldFail() {
            assertFails("<nexthop name=\"a\" type=\"lmtp\"><host>[h]:25</host></nexthop>", "<nexthop name=\"a\">", "type", "'lmtp'");
        }

        @Test
        void hopWithoutHostShouldFail() {
            assertFails("<nexthop name=\"a\"/>", "<nexthop name=\"a\">", "at least one <host>");
        }

        @Test
        void mxHopWithHostShouldFail() {
            assertFails("<nexthop name=\"a\" type=\"mx\"><host>[h]:25</host></nexthop>", "<nexthop name=\"a\">", "takes no <host>");
        }

        @Test
        void mxPortOutOfRangeShouldFail() {
            assertFails("<nexthop name=\"a\" type=\"mx\" port=\"70000\"/>", "<nexthop name=\"a\">", "port", "'70000'", "out of range");
        }

        @Test
        void portOnAHostsHopShouldFail() {
            assertFails("<nexthop name=\"a\" port=\"2525\"><host>[h]:25</host></nexthop>", "<nexthop name=\"a\">", "port", "'2525'", "only for type=\"mx\"");
        }

        @Test
        void hopWithoutNameShouldFail() {
            assertFails("<nexthop><host>[h]:25</host></nexthop>", "<nexthop>", "name is required");
        }

        @Test
        void badHopNameShouldFail() {
            assertFails("<nexthop name=\"up stream\"><host>[h]:25</host></nexthop>", "name", "'up stream'");
        }

        @Test
        void duplicateHopNameShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host></nexthop><nexthop name=\"a\"><host>[i]:25</host></nexthop>",
                "name", "'a'", "defined twice");
        }

        @Test
        void duplicateTlsElementShouldFail() {
            assertFails("<nexthop name=\"a\"><host>[h]:25</host><tls mode=\"none\"/><tls mode=\"implicit\"/></nexthop>",
                "<nexthop name=\"a\">", "<tls> is given 2 times");
        }

        @Test
        void fallbackToUndefinedHopShouldFail() {
            assertFails("<nexthop name=\"a\" fallback=\"b\"><host>[h]:25</host></nexthop>", "<nexthop name=\"a\">", "fallback", "'b'", "names no <nexthop>");
        }

        @Test
        void fallbackLoopShouldFail() {
            assertFails("<nexthop name=\"a\" fallback=\"b\"><host>[h]:25</host></nexthop>"
                + "<nexthop name=\"b\" fallback=\"a\"><host>[i]:25</host></nexthop>", "fallback", "loop");
        }

        @Test
        void unknownFirstAttemptShouldFail() {
            assertFails("<nexthop name=\"a\" firstAttempt=\"Inline\"><host>[h]:25</host></nexthop>",
                "<nexthop name=\"a\">", "firstAttempt", "'Inline'", "not one of inline, queue");
        }

        @Test
        void concurrencyOutOfRangeShouldFail() {
            assertFails("<nexthop name=\"a\" concurrency=\"0\"><host>[h]:25</host></nexthop>", "concurrency", "'0'", "out of range");
        }
    }
}
