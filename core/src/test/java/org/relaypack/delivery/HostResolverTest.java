package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.relaypack.testing.DnsJavaShapedDns;

import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;

/** DNS answers as James's dnsjava-based DNSService gives them, and what each one means for delivery (Postfix's semantics). */
class HostResolverTest {
    private static final int PORT = 2525;
    private static final InetAddress LOOPBACK = InetAddresses.forString("127.0.0.1");
    private static final InetAddress OTHER_LOOPBACK = InetAddresses.forString("127.0.0.11");
    private static final InetAddress REMOTE_1 = InetAddresses.forString("192.0.2.1");
    private static final InetAddress REMOTE_2 = InetAddresses.forString("192.0.2.2");
    private static final InetAddress REMOTE_3 = InetAddresses.forString("192.0.2.3");
    /** This machine's address in these tests. */
    private static final InetAddress MINE = InetAddresses.forString("198.51.100.7");
    private static final LoopDetection STRICT = LoopDetection.of(ImmutableSet.of(), false, () -> ImmutableSet.of(LOOPBACK, MINE));
    private static final LoopDetection LOOPBACK_ALLOWED = LoopDetection.of(ImmutableSet.of(), true, () -> ImmutableSet.of(LOOPBACK, MINE));

    private DnsJavaShapedDns dns;
    private HostResolver testee;

    @BeforeEach
    void setUp() {
        dns = new DnsJavaShapedDns();
        testee = new HostResolver(dns);
    }

    private static NextHop mxHop(LoopDetection loopDetection) {
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).loopDetection(loopDetection).build();
    }

    private static NextHop hostsHop(String host) {
        return NextHop.builder("relay").host(HostSpec.parse(host)).loopDetection(STRICT).build();
    }

    /** Mail for the domain through an MX hop with this loop detection is refused at once as a loop (5.4.6). */
    private void assertLoops(LoopDetection loopDetection, String domain) {
        assertThat(testee.resolveMx(mxHop(loopDetection), domain, PORT).permanentFailure())
            .hasValueSatisfying(reply -> assertThat(reply.text()).startsWith("5.4.6 "));
    }

    /** Mail for the domain is deferred (no permanent failure), the problem's text starting as given. */
    private void assertDeferred(String domain, String problemStart) {
        HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), domain, PORT);

        assertThat(resolution.permanentFailure()).isEmpty();
        assertThat(resolution.problem().orElseThrow().text()).startsWith(problemStart);
    }

    @Nested
    class Names {
        @Test
        void mxTargetsShouldBeUsedWithoutTheTrailingDotAndInLowerCase() throws Exception {
            dns.mx("example.test", "MX1.Example.TEST").address("mx1.example.test", REMOTE_1);
            assertThat(dns.findMXRecords("example.test")).containsExactly("MX1.Example.TEST.");

            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "example.test", PORT);

            assertThat(resolution.hosts()).extracting(ResolvedHost::name).containsExactly("mx1.example.test");
            assertThat(resolution.hosts()).extracting(ResolvedHost::address).containsExactly(new InetSocketAddress(REMOTE_1, PORT));
        }

        @Test
        void mxHostsShouldKeepTheOrderDnsServiceGives() {
            dns.mx("example.test", "mx-b.example.test", "mx-a.example.test")
                .address("mx-a.example.test", REMOTE_1)
                .address("mx-b.example.test", REMOTE_2);

            assertThat(testee.resolveMx(mxHop(STRICT), "example.test", PORT).hosts())
                .extracting(ResolvedHost::name).containsExactly("mx-b.example.test", "mx-a.example.test");
        }

        @Test
        void aDomainWithoutMxShouldBeReachedAtItsOwnAddress() {
            dns.address("plain.test", REMOTE_1);

            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "Plain.Test", PORT);

            assertThat(resolution.hosts()).extracting(ResolvedHost::name).containsExactly("plain.test");
            assertThat(resolution.permanentFailure()).isEmpty();
        }

        @Test
        void configuredHostsShouldBeNormalisedWhereTheyAreRead() {
            assertThat(HostSpec.parse("[SMTP.Provider.Example.]:587").host()).isEqualTo("smtp.provider.example");
            assertThat(HostSpec.parse("Partner.Example.:25").host()).isEqualTo("partner.example");
            assertThat(HostSpec.parse("[2001:DB8:0::1]").host()).isEqualTo("2001:db8::1");
            assertThat(HostSpec.parse("[Relay.Example]")).isEqualTo(HostSpec.parse("[relay.example.]:25"));
        }

        @Test
        void anAddressLiteralShouldNotBeLookedUp() {
            HostResolver.Resolution resolution = testee.resolve(NextHop.builder("lan").host(HostSpec.parse("[127.0.0.1]:" + PORT))
                .loopDetection(STRICT).build());

            assertThat(resolution.hosts()).extracting(ResolvedHost::address).containsExactly(new InetSocketAddress(LOOPBACK, PORT));
        }
    }

    @Nested
    class RecipientDomain {
        @Test
        void nxdomainShouldBeAPermanentFailureWith544() {
            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "nowhere.test", PORT);

            assertThat(resolution.hosts()).isEmpty();
            assertThat(resolution.permanentFailure()).hasValueSatisfying(reply -> {
                assertThat(reply.code()).isEqualTo(550);
                assertThat(reply.text()).startsWith("5.4.4 ").contains("nowhere.test");
            });
        }

        @Test
        void aNullMxShouldBeAPermanentFailureWith5110() throws Exception {
            dns.nullMx("nomail.test").address("nomail.test", REMOTE_1);
            assertThat(dns.findMXRecords("nomail.test")).containsExactly(".");

            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "nomail.test", PORT);

            assertThat(resolution.hosts()).isEmpty();
            assertThat(resolution.permanentFailure()).hasValueSatisfying(reply ->
                assertThat(reply.text()).startsWith("5.1.10 ").contains("nomail.test does not accept mail"));
        }

        @Test
        void servfailShouldBeATemporaryFailure() {
            dns.servfail("broken.test");

            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "broken.test", PORT);

            assertThat(resolution.hosts()).isEmpty();
            assertThat(resolution.permanentFailure()).isEmpty();
            assertThat(resolution.problem()).hasValueSatisfying(reply -> {
                assertThat(reply.code()).isEqualTo(451);
                assertThat(reply.text()).startsWith("4.4.3 ");
            });
        }

        @Test
        void anMxNamingNoHostShouldBeATemporaryFailure() {
            dns.mx("example.test", "bad host.example.test");

            assertDeferred("example.test", "4.4.3 MX of example.test names no host");
        }

        @Test
        void anMxWithoutAddressShouldBeATemporaryFailure() {
            dns.mx("example.test", "lost.example.test");

            assertDeferred("example.test", "4.4.3 ");
        }

        @Test
        void aBestMxOnLoopbackShouldBeAPermanentLoopWith546() {
            dns.mx("example.test", "mx.example.test", "backup.example.test")
                .address("mx.example.test", OTHER_LOOPBACK)
                .address("backup.example.test", REMOTE_1);

            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "example.test", PORT);

            assertThat(resolution.hosts()).isEmpty();
            assertThat(resolution.permanentFailure()).hasValueSatisfying(reply ->
                assertThat(reply.text()).startsWith("5.4.6 mail for example.test loops back to myself"));
        }

        @Test
        void aBestMxOnThisMachinesAddressShouldLoopEvenWhenLoopbackIsAllowed() {
            dns.mx("example.test", "mx.example.test").address("mx.example.test", MINE);

            assertLoops(LOOPBACK_ALLOWED, "example.test");
        }

        @Test
        void aConfiguredLocalAddressShouldLoop() {
            InetAddress publicAddress = InetAddresses.forString("203.0.113.25");
            dns.mx("example.test", "mx.example.test").address("mx.example.test", publicAddress);
            LoopDetection behindNat = LoopDetection.of(ImmutableSet.of(publicAddress), false, ImmutableSet::of);

            assertLoops(behindNat, "example.test");
        }

        @Test
        void aListedLoopbackAddressShouldLoopEvenWhenLoopbackIsAllowed() {
            dns.mx("example.test", "mx.example.test").address("mx.example.test", OTHER_LOOPBACK);
            LoopDetection testPeersButThisOne = LoopDetection.of(ImmutableSet.of(OTHER_LOOPBACK), true, ImmutableSet::of);

            assertLoops(testPeersButThisOne, "example.test");
        }

        @Test
        void aDomainWithoutMxResolvingToThisRelayShouldLoop() {
            dns.address("plain.test", LOOPBACK);

            assertLoops(STRICT, "plain.test");
        }

        @Test
        void asBackupMxThisRelayShouldDeliverOnlyToTheMorePreferredMxHosts() {
            dns.mx("example.test", "mx1.example.test", "mx2.example.test", "mx3.example.test")
                .address("mx1.example.test", REMOTE_1)
                .address("mx2.example.test", MINE)
                .address("mx3.example.test", REMOTE_3);

            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "example.test", PORT);

            assertThat(resolution.hosts()).extracting(ResolvedHost::name).containsExactly("mx1.example.test");
        }

        @Test
        void asBackupMxWhosePrimaryHasNoAddressThisRelayShouldDefer() {
            dns.mx("example.test", "mx1.example.test", "mx2.example.test").address("mx2.example.test", MINE);

            HostResolver.Resolution resolution = testee.resolveMx(mxHop(STRICT), "example.test", PORT);

            assertThat(resolution.permanentFailure()).isEmpty();
            assertThat(resolution.problem().orElseThrow().text()).isEqualTo("4.4.4 unable to find primary relay for example.test");
        }

        @Test
        void aLoopbackMxShouldBeUsedWhenLoopbackIsAllowed() {
            dns.mx("example.test", "mx.example.test").address("mx.example.test", OTHER_LOOPBACK);

            assertThat(testee.resolveMx(mxHop(LOOPBACK_ALLOWED), "example.test", PORT).hosts())
                .extracting(ResolvedHost::address).containsExactly(new InetSocketAddress(OTHER_LOOPBACK, PORT));
        }
    }

    @Nested
    class ConfiguredHost {
        @Test
        void nxdomainOfAConfiguredHostShouldOnlyDeferAsAConfigurationProblem() {
            HostResolver.Resolution resolution = testee.resolve(hostsHop("smtp.typo.test"));

            assertThat(resolution.permanentFailure()).isEmpty();
            assertThat(resolution.problem()).hasValueSatisfying(reply -> {
                assertThat(reply.code()).isEqualTo(451);
                assertThat(reply.text()).startsWith("4.3.5 configuration problem of next hop relay: Host or domain name not found");
            });
        }

        @Test
        void aConfiguredHostWhoseMxIsThisRelayShouldOnlyDefer() {
            dns.mx("relay.test", "mx.relay.test").address("mx.relay.test", LOOPBACK);

            HostResolver.Resolution resolution = testee.resolve(hostsHop("relay.test"));

            assertThat(resolution.hosts()).isEmpty();
            assertThat(resolution.permanentFailure()).isEmpty();
            assertThat(resolution.problem().orElseThrow().text()).startsWith("4.3.5 ").contains("loops back to myself");
        }

        @Test
        void aConfiguredLiteralHostOnLoopbackShouldBeUsed() {
            dns.address("filter.test", LOOPBACK);

            assertThat(testee.resolve(hostsHop("[filter.test]:10025")).hosts())
                .extracting(ResolvedHost::address).containsExactly(new InetSocketAddress(LOOPBACK, 10025));
        }

        @Test
        void aFailingHostShouldNotHideTheNextOne() {
            dns.address("second.test", REMOTE_2);

            HostResolver.Resolution resolution = testee.resolve(NextHop.builder("relay")
                .host(HostSpec.parse("first.test")).host(HostSpec.parse("[second.test]")).loopDetection(STRICT).build());

            assertThat(resolution.hosts()).extracting(ResolvedHost::name).containsExactly("second.test");
        }
    }
}
