package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.routing.ExampleUsers.ALICE;
import static org.relaypack.routing.ExampleUsers.BOB;
import static org.relaypack.routing.ExampleUsers.OUTSIDER;
import static org.relaypack.testing.Addresses.address;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.rrt.api.RecipientRewriteTableConfiguration;
import org.apache.james.rrt.memory.MemoryRecipientRewriteTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relaypack.delivery.HostSpec;
import org.relaypack.delivery.JamesHome;
import org.relaypack.delivery.NextHop;
import org.relaypack.testing.WildcardText;
import org.relaypack.testing.XmlConfigurations;

class RouteDirectoryTest {
    static RouteSource fixed(String name, RouteLookup lookup) {
        return SwitchableRouteSource.named(name).otherwise(lookup);
    }

    @TempDir
    Path home;
    JamesHome jamesHome;
    RecordingMetricFactory metricFactory;
    MemoryRecipientRewriteTable rrt;
    RouteDirectory testee;

    @BeforeEach
    void setUp() throws Exception {
        jamesHome = JamesHome.in(home);
        metricFactory = new RecordingMetricFactory();
        rrt = new MemoryRecipientRewriteTable();
        rrt.setConfiguration(RecipientRewriteTableConfiguration.DEFAULT_ENABLED);
    }

    @AfterEach
    void tearDown() {
        if (testee != null) {
            testee.close();
        }
    }

    RouteDirectory fromXml(String routing) throws Exception {
        return fromXml(routing, KnownHops.any());
    }

    RouteDirectory fromXml(String routing, KnownHops knownHops) throws Exception {
        testee = new RouteDirectory(RoutingConfiguration.from(XmlConfigurations.parse("<relaypack>" + routing + "</relaypack>")),
            knownHops, jamesHome.fileSystem(), rrt, metricFactory);
        return testee;
    }

    void routesFile(String... lines) throws Exception {
        Files.write(jamesHome.conf("routes.txt"), List.of(lines));
    }

    static String routing(String sources) {
        return "<routing domains=\"example.com\" localNames=\"mx1.example.com\">"
            + "<sources>" + sources + "</sources></routing>";
    }

    static final String FILE_SOURCE = "<file path=\"file://conf/routes.txt\" reloadInterval=\"0s\"/>";

    @Nested
    class UnknownHops {
        final KnownHops known = KnownHops.of(List.of("server1", "server2"));

        @Test
        void aRoutesFileLineNamingAnUnknownHopShouldFailStartupNamingFileLineRouteAndHop() throws Exception {
            routesFile("alice@example.com server1", "bob@example.com server9");

            assertThatThrownBy(() -> fromXml(routing(FILE_SOURCE), known))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("routes.txt:2", "bob@example.com server9", "next hop 'server9'", "<nexthops>", "server1, server2");
        }

        @Test
        void anRrtRouteNamingAnUnknownHopShouldFailStartup() {
            assertThatThrownBy(() -> fromXml(routing("<rrt><domain name=\"example.com\" hop=\"server9\"/></rrt>"), known))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("<rrt>", "example.com", "next hop 'server9'", "not defined");
        }

        @Test
        void aPlacementHopThatIsUnknownShouldFailStartup() {
            assertThatThrownBy(() -> fromXml(routing("<placement><hop>server1</hop><hop>server7</hop></placement>"), known))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContainingAll("<placement>", "next hop 'server7'", "not defined");
        }

        @Test
        void aRouteToAnUnknownHopFromAnySourceShouldBeATemporaryFailure() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of(),
                List.of(fixed("ldap", RouteLookup.found(Route.to("server9")))), known, metricFactory);

            assertThat(testee.lookup(ALICE).isTemporaryFailure()).isTrue();
            assertThat(testee.lookup(ALICE).failureReason().orElseThrow()).contains("next hop 'server9'", "not defined");
        }
    }

    @Nested
    class Configuration {
        @Test
        void sourcesShouldBeAskedInTheConfiguredOrder() throws Exception {
            routesFile("alice@example.com server1");

            fromXml(routing(FILE_SOURCE
                + "<rrt><domain name=\"example.com\" hop=\"server2\"/></rrt>"
                + "<placement><hop>server3</hop></placement>"));

            assertThat(testee.explain(ALICE)).satisfies(answer -> {
                assertThat(answer.lookup().route()).contains(Route.to("server1"));
                assertThat(answer.source()).contains("file");
            });
            assertThat(testee.explain(BOB)).satisfies(answer -> {
                assertThat(answer.lookup().route()).contains(Route.to("server2"));
                assertThat(answer.source()).contains("rrt");
            });
            assertThat(testee.sources()).extracting(RouteSource::name).containsExactly("file", "rrt", "placement");
        }

        @Test
        void theRoutedDomainsShouldBeRead() throws Exception {
            routesFile();

            fromXml("<routing domains=\"example.com, Example.ORG\"><sources>" + FILE_SOURCE + "</sources></routing>");

            assertThat(testee.routedDomains()).containsExactlyInAnyOrder(Domain.of("example.com"), Domain.of("example.org"));
            assertThat(testee.fileSource()).isPresent();
        }

        /**
         * Each wrong &lt;routing&gt; (the routes file's lines given, or none: no file) stops the start with a
         * ConfigurationException whose whole message reads as given, ** standing for any text.
         */
        @ParameterizedTest(name = "relaypack.xml [{1}]")
        @MethodSource("org.relaypack.routing.RouteDirectoryTest#configurationErrors")
        void aWrongRoutingSectionShouldStopStartupNamingWhatIsWrong(List<String> routesFile, String routing, String message) throws Exception {
            if (routesFile != null) {
                routesFile(routesFile.toArray(String[]::new));
            }

            assertThatThrownBy(() -> fromXml(routing))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageMatching(WildcardText.regex(message));
        }
    }

    static Stream<Arguments> configurationErrors() {
        String sources = "relaypack.xml/<routing>/<sources>";
        List<String> empty = List.of();
        return Stream.of(
            Arguments.of(null, "", "**<routing>**"),
            Arguments.of(null, "<routing/>",
                "relaypack.xml/<routing>: attribute domains is required (the routed domains: domains=\"example.com, example.net\")"),
            Arguments.of(null, "<routing><sources>" + FILE_SOURCE + "</sources></routing>", "**attribute domains is required**"),
            Arguments.of(null, "<routing domains=\"exa mple.com\"><sources>" + FILE_SOURCE + "</sources></routing>",
                "relaypack.xml/<routing>: domains 'exa mple.com' is not a domain**"),
            Arguments.of(null, "<routing domains=\"example.com\" domain=\"x\"><sources>" + FILE_SOURCE + "</sources></routing>",
                "relaypack.xml/<routing>: unknown attribute domain='x' (allowed: domains, localNames)"),
            Arguments.of(null, routing(""), sources + ": needs at least one of <file>, <ldap>, <rrt>, <placement>"),
            Arguments.of(null, routing("<sql/>"), sources + ": unknown element <sql> (allowed: file, ldap, rrt, placement)"),
            Arguments.of(empty, routing(FILE_SOURCE + FILE_SOURCE), "**<file> given twice**"),
            Arguments.of(empty, routing("<placement><hop>server1</hop></placement>" + FILE_SOURCE), "**last source**"),
            Arguments.of(null, routing(FILE_SOURCE), "**" + sources + "/<file>: path 'file://conf/routes.txt'**file not found**"),
            Arguments.of(List.of("alice@example.com server1", "bob@example.com"), routing(FILE_SOURCE), "**routes.txt:2**"),
            Arguments.of(empty, routing("<file path=\"file://conf/routes.txt\" reloadInterval=\"often\"/>"),
                sources + "/<file>: reloadInterval 'often' is not a duration with a unit such as 30s, 5m, 1h, 2d"),
            Arguments.of(empty, routing("<file path=\"file://conf/routes.txt\" reloadInterval=\"2d\"/>"),
                sources + "/<file>: reloadInterval '2d' must be at most 1d"),
            Arguments.of(null, routing("<rrt><domain name=\"mbox1.example.com\"/></rrt>"),
                sources + "/<rrt>/<domain name=\"mbox1.example.com\">: attribute hop is required"),
            Arguments.of(null, routing("<placement><hop>server 1</hop></placement>"),
                sources + "/<placement>/<hop>: hop 'server 1' must be 1-64 lower-case**"),
            Arguments.of(null, routing("<ldap url=\"ldap://127.0.0.1:1\"/>"), sources + "/<ldap>: attribute baseDN is required"),
            Arguments.of(List.of("alice@example.com server1", "bob@example.com mx1.example.com"), routing(FILE_SOURCE),
                "**'mx1.example.com'**loop**"));
    }

    @Nested
    class Lookup {
        @Test
        void aRecipientOfAnotherDomainShouldHaveNoRouteEvenWithADefaultRoute() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of(),
                List.of(fixed("everything", RouteLookup.found(Route.to("server1")))), metricFactory);

            assertThat(testee.lookup(OUTSIDER)).isEqualTo(RouteLookup.noRoute());
            assertThat(testee.lookup(ALICE).route()).contains(Route.to("server1"));
        }

        @Test
        void theFirstSourceWithARouteShouldWin() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of(),
                List.of(fixed("empty", RouteLookup.noRoute()),
                    fixed("first", RouteLookup.found(Route.to("server1"))),
                    fixed("second", RouteLookup.found(Route.to("server2")))), metricFactory);

            assertThat(testee.explain(ALICE).source()).contains("first");
            assertThat(testee.lookup(ALICE).route()).contains(Route.to("server1"));
        }

        @Test
        void aFailingSourceShouldStopTheLookupRatherThanLetALaterSourceGuess() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of(),
                List.of(fixed("ldap", RouteLookup.temporaryFailure("LDAP: connect error")),
                    fixed("placement", RouteLookup.found(Route.to("server2")))), metricFactory);

            assertThat(testee.explain(ALICE)).satisfies(answer -> {
                assertThat(answer.lookup()).isEqualTo(RouteLookup.temporaryFailure("LDAP: connect error"));
                assertThat(answer.source()).contains("ldap");
            });
        }

        @Test
        void noSourceWithARouteShouldGiveNoRoute() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of(),
                List.of(fixed("empty", RouteLookup.noRoute())), metricFactory);

            assertThat(testee.explain(ALICE)).satisfies(answer -> {
                assertThat(answer.lookup()).isEqualTo(RouteLookup.noRoute());
                assertThat(answer.source()).isEmpty();
            });
        }

        @Test
        void aRouteBackToThisRelayShouldBeRefused() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of("MX1.example.com"),
                List.of(fixed("ldap", RouteLookup.found(Route.to("mx1.example.com")))), metricFactory);

            RouteLookup lookup = testee.lookup(ALICE);

            assertThat(lookup.isTemporaryFailure()).isTrue();
            assertThat(lookup.failureReason().get()).contains("points back at this relay");
        }

        @Test
        void checkNotThisRelayShouldRefuseAHopWhoseHostIsThisRelay() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of("mx1.example.com"), List.of(), metricFactory);

            assertThatThrownBy(() -> testee.checkNotThisRelay(NextHop.builder("server1")
                    .host(HostSpec.parse("[mbox1.example.com]:25"))
                    .host(HostSpec.parse("[MX1.example.com]:2525"))
                    .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'server1'")
                .hasMessageContaining("[mx1.example.com]:2525")
                .hasMessageContaining("loop");
            assertThatThrownBy(() -> testee.checkNotThisRelay(NextHop.builder("mx1.example.com").host(HostSpec.parse("[10.0.0.1]")).build()))
                .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void checkNotThisRelayShouldAcceptAnotherServer() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of("mx1.example.com"), List.of(), metricFactory);

            testee.checkNotThisRelay(NextHop.builder("server1").host(HostSpec.parse("[mbox1.example.com]:25")).build());
        }

        @Test
        void lookupsShouldBeCountedByOutcome() {
            testee = RouteDirectory.of(List.of(Domain.of("example.com")), List.of(),
                List.of(new RendezvousPlacement(List.of("server1"))), metricFactory);

            testee.lookup(ALICE);
            testee.lookup(BOB);
            testee.lookup(OUTSIDER);

            assertThat(metricFactory.countFor("relaypack_routing_found")).isEqualTo(2);
            assertThat(metricFactory.countFor("relaypack_routing_no_route")).isEqualTo(1);
            assertThat(metricFactory.countFor("relaypack_routing_temporary_failure")).isEqualTo(0);
            assertThat(Optional.of(metricFactory.executionTimesFor("relaypack_routing_lookup").size())).contains(3);
        }
    }
}
