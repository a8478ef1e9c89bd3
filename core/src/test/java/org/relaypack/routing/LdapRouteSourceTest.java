package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relaypack.config.ConfigElement;
import org.relaypack.testing.WildcardText;
import org.relaypack.testing.XmlConfigurations;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPURL;

class LdapRouteSourceTest {
    static final String BASE_DN = "dc=example,dc=com";
    static final String BIND_DN = "cn=relay,dc=example,dc=com";
    static final String BIND_PASSWORD = "secret";
    static final Duration POSITIVE_TTL = Duration.ofMinutes(5);
    static final Duration NEGATIVE_TTL = Duration.ofMinutes(1);

    static InMemoryDirectoryServer ldap;
    static int port;

    ManualTicker ticker;
    LdapRouteSource testee;
    final AtomicInteger entries = new AtomicInteger();

    @BeforeAll
    static void startLdap() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE_DN);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("default", InetAddress.getLoopbackAddress(), port, null));
        config.setSchema(null);
        ldap = new InMemoryDirectoryServer(config);
        ldap.startListening();
    }

    @AfterAll
    static void stopLdap() {
        ldap.shutDown(true);
    }

    @BeforeEach
    void setUp() throws Exception {
        ldap.clear();
        ldap.add("dn: " + BASE_DN, "objectClass: top", "objectClass: domain", "dc: example");
        ldap.add("dn: ou=people," + BASE_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
        ldap.add("dn: " + BIND_DN, "objectClass: top", "objectClass: person", "cn: relay", "sn: relay", "userPassword: " + BIND_PASSWORD);
        ticker = new ManualTicker();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (testee != null) {
            testee.close();
            testee = null;
        }
        if (!isListening()) {
            ldap.startListening();
        }
    }

    private static boolean isListening() {
        return ldap.getListenPort() > 0;
    }

    static LdapRouteSourceConfiguration.Builder configuration() throws Exception {
        return LdapRouteSourceConfiguration.builder()
            .url(new LDAPURL("ldap://127.0.0.1:" + port))
            .baseDN(BASE_DN)
            .bind(BIND_DN, BIND_PASSWORD)
            .connectTimeout(Duration.ofSeconds(2))
            .responseTimeout(Duration.ofSeconds(2))
            .positiveCacheTtl(POSITIVE_TTL)
            .negativeCacheTtl(NEGATIVE_TTL);
    }

    LdapRouteSource source(LdapRouteSourceConfiguration configuration) throws Exception {
        testee = new LdapRouteSource(configuration, ticker);
        return testee;
    }

    LdapRouteSource source() throws Exception {
        return source(configuration().build());
    }

    void addEntry(String mail, String... attributes) throws Exception {
        String[] lines = new String[5 + attributes.length];
        lines[0] = "dn: uid=u" + entries.incrementAndGet() + ",ou=people," + BASE_DN;
        lines[1] = "objectClass: top";
        lines[2] = "objectClass: inetLocalMailRecipient";
        lines[3] = "uid: u" + entries.get();
        lines[4] = "mail: " + mail;
        System.arraycopy(attributes, 0, lines, 5, attributes.length);
        ldap.add(lines);
    }

    /** The lookup failed temporarily; its reason, to assert on. */
    static AbstractStringAssert<?> assertTemporaryFailure(RouteLookup lookup) {
        assertThat(lookup.isTemporaryFailure()).as(lookup.toString()).isTrue();
        return assertThat(lookup.failureReason().orElseThrow());
    }

    @Nested
    class Contract implements RouteSourceContract {
        @Override
        public void givenRoute(MailAddress recipient, String hop) throws Exception {
            addEntry(recipient.asString(), "mailHost: " + hop);
        }

        @Override
        public void givenRewrittenRoute(MailAddress recipient, String hop, MailAddress rewritten) throws Exception {
            addEntry(recipient.asString(), "mailHost: " + hop, "mailRoutingAddress: " + rewritten.asString());
        }

        @Override
        public void givenDomainRoute(Domain domain, String hop) throws Exception {
            addEntry("@" + domain.asString(), "mailHost: " + hop);
        }

        @Override
        public RouteSource testee() throws Exception {
            return testee == null ? source() : testee;
        }
    }

    @Nested
    class InetLocalMailRecipient {
        @Test
        void mailRoutingAddressWithoutMailHostShouldRouteTheRewrittenAddress() throws Exception {
            addEntry("alice@example.com", "mailRoutingAddress: alice@mbox2.example.net");
            addEntry("@mbox2.example.net", "mailHost: server2");

            assertThat(source().lookup(address("alice@example.com")).route())
                .contains(Route.to("server2", address("alice@mbox2.example.net")));
        }

        @Test
        void mailRoutingAddressWithoutAnyRouteForItShouldGiveNoRoute() throws Exception {
            addEntry("alice@example.com", "mailRoutingAddress: alice@nowhere.example.net");

            assertThat(source().lookup(address("alice@example.com"))).isEqualTo(RouteLookup.noRoute());
        }

        @Test
        void aRewriteLoopShouldBeATemporaryFailure() throws Exception {
            addEntry("alice@example.com", "mailRoutingAddress: bob@example.com");
            addEntry("bob@example.com", "mailRoutingAddress: alice@example.com");

            assertTemporaryFailure(source().lookup(address("alice@example.com"))).contains("rewrites");
        }

        @Test
        void mailHostShouldBeMappedThroughTheHostMap() throws Exception {
            addEntry("alice@example.com", "mailHost: MBOX1.internal.example.com");
            addEntry("bob@example.com", "mailHost: server2");

            LdapRouteSource source = source(configuration().mapHost("mbox1.internal.example.com", "server1").build());

            assertThat(source.lookup(address("alice@example.com")).route()).contains(Route.to("server1"));
            assertThat(source.lookup(address("bob@example.com")).route()).contains(Route.to("server2"));
        }

        @Test
        void anEntryWithoutRoutingAttributesShouldFallBackToTheDomainEntry() throws Exception {
            addEntry("alice@example.com");
            addEntry("@example.com", "mailHost: server3");

            assertThat(source().lookup(address("alice@example.com")).route()).contains(Route.to("server3"));
        }

        @Test
        void domainLookupOffShouldIgnoreTheDomainEntry() throws Exception {
            addEntry("@example.com", "mailHost: server3");

            assertThat(source(configuration().domainLookup(false).build()).lookup(address("alice@example.com")))
                .isEqualTo(RouteLookup.noRoute());
        }

        @Test
        void twoEntriesForOneAddressShouldBeATemporaryFailureNotAGuess() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");
            addEntry("alice@example.com", "mailHost: server2");

            assertThat(source().lookup(address("alice@example.com")).isTemporaryFailure()).isTrue();
        }

        @Test
        void twoMailHostValuesShouldBeATemporaryFailure() throws Exception {
            addEntry("alice@example.com", "mailHost: server1", "mailHost: server2");

            assertThat(source().lookup(address("alice@example.com")).isTemporaryFailure()).isTrue();
        }

        @Test
        void aMailHostThatIsNoHopNameShouldBeATemporaryFailure() throws Exception {
            addEntry("alice@example.com", "mailHost: [10.0.0.1]");

            assertThat(source().lookup(address("alice@example.com")).failureReason().get()).contains("[10.0.0.1]");
        }

        @Test
        void filterSpecialCharactersInTheAddressShouldBeEscaped() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");

            assertThat(source().lookup(address("\"*)(mail=*\"@example.com"))).isEqualTo(RouteLookup.noRoute());
        }

        @Test
        void aCustomFilterAndAttributesShouldBeUsed() throws Exception {
            addEntry("alice@example.com", "mailLocalAddress: a@example.com", "host: server4");

            LdapRouteSource source = source(configuration()
                .filter("(mailLocalAddress=%s)")
                .mailHostAttribute("host")
                .build());

            assertThat(source.lookup(address("a@example.com")).route()).contains(Route.to("server4"));
        }
    }

    @Nested
    class Cache {
        @Test
        void aCachedRouteShouldBeAnsweredWithoutAskingLdap() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");
            source().lookup(address("alice@example.com"));

            ldap.shutDown(true);

            assertThat(testee.lookup(address("alice@example.com")).route()).contains(Route.to("server1"));
        }

        @Test
        void anExpiredRouteShouldBeAskedAgain() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");
            source().lookup(address("alice@example.com"));

            ldap.shutDown(true);
            ticker.advance(POSITIVE_TTL.plusSeconds(1));

            assertThat(testee.lookup(address("alice@example.com")).isTemporaryFailure()).isTrue();
        }

        @Test
        void anUnknownRecipientShouldStayUnknownUntilTheNegativeTtlExpires() throws Exception {
            source().lookup(address("alice@example.com"));
            addEntry("alice@example.com", "mailHost: server1");

            assertThat(testee.lookup(address("alice@example.com"))).isEqualTo(RouteLookup.noRoute());

            ticker.advance(NEGATIVE_TTL.plusSeconds(1));

            assertThat(testee.lookup(address("alice@example.com")).route()).contains(Route.to("server1"));
        }

        @Test
        void aZeroTtlShouldDisableTheCache() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");
            source(configuration().positiveCacheTtl(Duration.ZERO).build()).lookup(address("alice@example.com"));

            ldap.shutDown(true);

            assertThat(testee.lookup(address("alice@example.com")).isTemporaryFailure()).isTrue();
        }

        @Test
        void aFailureShouldNotBeCached() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");
            ldap.shutDown(true);
            assertThat(source().lookup(address("alice@example.com")).isTemporaryFailure()).isTrue();

            ldap.startListening();

            assertThat(testee.lookup(address("alice@example.com")).route()).contains(Route.to("server1"));
        }
    }

    @Nested
    class Failures {
        @Test
        void lookupShouldFailTemporarilyWhenLdapIsDown() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");
            ldap.shutDown(true);

            assertTemporaryFailure(source().lookup(address("alice@example.com"))).startsWith("LDAP:");
        }

        @Test
        void lookupShouldFailTemporarilyWhenTheBindIsRefused() throws Exception {
            addEntry("alice@example.com", "mailHost: server1");

            LdapRouteSource source = source(configuration().bind(BIND_DN, "wrong").build());

            assertThat(source.lookup(address("alice@example.com")).isTemporaryFailure()).isTrue();
        }

        @Test
        void lookupShouldFailTemporarilyWhenTheBaseDnDoesNotExist() throws Exception {
            LdapRouteSource source = source(configuration().baseDN("ou=absent," + BASE_DN).build());

            assertThat(source.lookup(address("alice@example.com")).isTemporaryFailure()).isTrue();
        }
    }

    @Nested
    class Configuration {
        @Test
        void fromShouldReadEveryParameter() throws Exception {
            LdapRouteSourceConfiguration parsed = ldap("url=\"ldap://127.0.0.1:" + port + "\" baseDN=\"" + BASE_DN + "\""
                + " filter=\"(mailLocalAddress=%s)\" bindDN=\"" + BIND_DN + "\" bindPassword=\"" + BIND_PASSWORD + "\""
                + " poolSize=\"2\" connectTimeout=\"3s\" responseTimeout=\"4s\""
                + " positiveCacheTtl=\"10m\" negativeCacheTtl=\"0s\" cacheSize=\"10\""
                + " mailHostAttribute=\"host\" mailRoutingAddressAttribute=\"target\" domainLookup=\"false\"",
                "<hostMap><host name=\"mbox1.example.com\" hop=\"server1\"/></hostMap>");

            assertThat(parsed).isEqualTo(LdapRouteSourceConfiguration.builder()
                .url(new LDAPURL("ldap://127.0.0.1:" + port))
                .baseDN(BASE_DN)
                .filter("(mailLocalAddress=%s)")
                .bind(BIND_DN, BIND_PASSWORD)
                .poolSize(2)
                .connectTimeout(Duration.ofSeconds(3))
                .responseTimeout(Duration.ofSeconds(4))
                .positiveCacheTtl(Duration.ofMinutes(10))
                .negativeCacheTtl(Duration.ZERO)
                .cacheSize(10)
                .mailHostAttribute("host")
                .mailRoutingAddressAttribute("target")
                .domainLookup(false)
                .mapHost("mbox1.example.com", "server1")
                .build());
        }

        @Test
        void fromShouldApplyDefaults() throws Exception {
            LdapRouteSourceConfiguration parsed = ldap("url=\"ldap://ldap.example.com\" baseDN=\"" + BASE_DN + "\"", "");

            assertThat(parsed.filter()).isEqualTo("(mail=%s)");
            assertThat(parsed.bindDN()).isEmpty();
            assertThat(parsed.poolSize()).isEqualTo(4);
            assertThat(parsed.positiveCacheTtl()).isEqualTo(Duration.ofMinutes(5));
            assertThat(parsed.negativeCacheTtl()).isEqualTo(Duration.ofMinutes(1));
            assertThat(parsed.domainLookup()).isTrue();
        }

        private LdapRouteSourceConfiguration ldap(String attributes, String children) throws ConfigurationException {
            return LdapRouteSourceConfiguration.from(ConfigElement.ofNode(XmlConfigurations.parse("<ldap " + attributes + ">" + children + "</ldap>")
                .getNodeModel().getNodeHandler().getRootNode(), "routing/<ldap>"));
        }

        /** The whole message after "routing/<ldap>: " reads as given, ** standing for any text. */
        private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String attributes, String message) {
            return assertThatThrownBy(() -> ldap(attributes, ""))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageMatching(WildcardText.regex("routing/<ldap>: " + message));
        }

        /** The source's attributes, and its whole error message after "routing/<ldap>: " (** standing for any text). */
        @ParameterizedTest(name = "{0}")
        @MethodSource("org.relaypack.routing.LdapRouteSourceTest#configurationErrors")
        void fromShouldRejectAWrongParameterNamingIt(String attributes, String message) {
            assertRejected(attributes, message);
        }

        @Test
        void errorsShouldNeverShowTheBindPassword() {
            assertRejected("url=\"ldap://ldap.example.com\" baseDN=\"" + BASE_DN + "\" bindPasword=\"hunter2\"",
                "unknown attribute bindPasword=(value not shown)**")
                .hasMessageNotContaining("hunter2");
        }
    }

    static Stream<Arguments> configurationErrors() {
        String source = "url=\"ldap://ldap.example.com\" baseDN=\"" + BASE_DN + "\" ";
        return Stream.of(
            Arguments.of(source + "connectTimeout=\"0s\"", "connectTimeout '0s' must be more than zero"),
            Arguments.of(source + "responseTimeout=\"10m\"", "responseTimeout '10m' must be at most 5m"),
            Arguments.of(source + "positiveCacheTtl=\"2d\"", "positiveCacheTtl '2d' must be at most 1d"),
            Arguments.of(source + "negativeCacheTtl=\"-1s\"", "negativeCacheTtl '-1s' is not a duration with a unit such as 30s, 5m, 1h, 2d"),
            Arguments.of("baseDN=\"" + BASE_DN + "\"", "attribute url is required"),
            Arguments.of("url=\"http://ldap.example.com\" baseDN=\"" + BASE_DN + "\"",
                "url 'http://ldap.example.com' is not an LDAP URL**'ldap' and 'ldaps'**"),
            Arguments.of("url=\"ldap://ldap.example.com\"", "attribute baseDN is required"),
            Arguments.of(source + "filter=\"(mail=x)\"", "filter '(mail=x)' must contain %s exactly once (the address)"),
            Arguments.of(source + "bindDN=\"" + BIND_DN + "\"", "bindDN and bindPassword go together (both or neither)"),
            Arguments.of(source + "positiveCacheTtl=\"soon\"", "positiveCacheTtl 'soon' is not a duration with a unit such as 30s, 5m, 1h, 2d"),
            Arguments.of(source + "domainLookup=\"yes\"", "domainLookup 'yes' must be true or false"),
            Arguments.of(source + "poolsize=\"3\"", "unknown attribute poolsize='3' (allowed: url, baseDN, **"),
            Arguments.of(source + "poolSize=\"0\"", "poolSize '0' out of range 1-1000"));
    }
}
