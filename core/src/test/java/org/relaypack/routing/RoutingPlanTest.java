package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.util.List;
import java.util.Map;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

class RoutingPlanTest {

    static final MailAddress ALICE = address("alice@example.com");
    static final MailAddress BOB = address("bob@example.com");
    static final MailAddress CAROL = address("carol@example.com");
    static final MailAddress CAROL_ALIAS = address("c.smith@example.com");
    static final MailAddress CAROL_MAILBOX = address("carol@mbox2.example.com");
    static final MailAddress MALLORY = address("mallory@example.com");
    static final MailAddress OUTSIDER = address("dave@other.org");

    static RouteDirectory directory(Map<MailAddress, RouteLookup> answers) {
        RouteSource source = new RouteSource() {
            @Override
            public RouteLookup lookup(MailAddress recipient) {
                return answers.getOrDefault(recipient, RouteLookup.noRoute());
            }

            @Override
            public String name() {
                return "test";
            }
        };
        return RouteDirectory.of(List.of(Domain.of("example.com")), List.of(), List.of(source), new RecordingMetricFactory());
    }

    @Test
    void planShouldGroupRecipientsByHopWithRewritesAppliedAndEachAddressOnce() {
        RouteDirectory directory = directory(ImmutableMap.of(
            ALICE, RouteLookup.found(Route.to("server1")),
            BOB, RouteLookup.found(Route.to("server1")),
            CAROL, RouteLookup.found(Route.to("server2", CAROL_MAILBOX)),
            CAROL_ALIAS, RouteLookup.found(Route.to("server2", CAROL_MAILBOX))));

        RoutingPlan testee = RoutingPlan.of(directory, List.of(ALICE, CAROL, MALLORY, BOB, CAROL_ALIAS, OUTSIDER));

        assertThat(testee.recipientsByHop()).isEqualTo(ImmutableMap.of(
            "server1", ImmutableSet.of(ALICE, BOB),
            "server2", ImmutableSet.of(CAROL_MAILBOX)));
        assertThat(testee.unrouted()).containsExactly(MALLORY, OUTSIDER);
        assertThat(testee.hasFailures()).isFalse();
    }

    @Test
    void planShouldTellEachHopWhichOriginalRecipientsWereRewrittenAndToWhat() {
        RouteDirectory directory = directory(ImmutableMap.of(
            ALICE, RouteLookup.found(Route.to("server1")),
            CAROL, RouteLookup.found(Route.to("server2", CAROL_MAILBOX)),
            CAROL_ALIAS, RouteLookup.found(Route.to("server2", CAROL_MAILBOX))));

        RoutingPlan testee = RoutingPlan.of(directory, List.of(ALICE, CAROL, CAROL_ALIAS));

        assertThat(testee.rewrites("server1")).isEmpty();
        assertThat(testee.rewrites("server2")).containsExactly(Map.entry(CAROL, CAROL_MAILBOX), Map.entry(CAROL_ALIAS, CAROL_MAILBOX));
        assertThat(testee.rewrites("server9")).isEmpty();
    }

    @Test
    void aDirectoryFailureShouldBeReportedPerRecipient() {
        RouteDirectory directory = directory(ImmutableMap.of(
            ALICE, RouteLookup.found(Route.to("server1")),
            BOB, RouteLookup.temporaryFailure("LDAP: timeout")));

        RoutingPlan testee = RoutingPlan.of(directory, List.of(ALICE, BOB));

        assertThat(testee.hasFailures()).isTrue();
        assertThat(testee.failures()).isEqualTo(ImmutableMap.of(BOB, "LDAP: timeout"));
    }
}
