package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.routing.ExampleUsers.ALICE;
import static org.relaypack.routing.ExampleUsers.BOB;
import static org.relaypack.routing.ExampleUsers.CAROL;
import static org.relaypack.routing.ExampleUsers.CAROL_MAILBOX;
import static org.relaypack.routing.ExampleUsers.DOMAIN;
import static org.relaypack.routing.ExampleUsers.MALLORY;
import static org.relaypack.routing.ExampleUsers.OUTSIDER;
import static org.relaypack.testing.Addresses.address;

import java.util.List;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

class RoutingPlanTest {
    static final MailAddress CAROL_ALIAS = address("c.smith@example.com");

    static RouteDirectory directory(SwitchableRouteSource source) {
        return RouteDirectory.of(List.of(DOMAIN), List.of(), List.of(source), new RecordingMetricFactory());
    }

    /** ExampleUsers' routes, and carol's alias to her mailbox too. */
    static SwitchableRouteSource routes() {
        return ExampleUsers.routes().route(CAROL_ALIAS, Route.to("server2", CAROL_MAILBOX));
    }

    @Test
    void planShouldGroupRecipientsByHopWithRewritesAppliedAndEachAddressOnce() {
        RoutingPlan testee = RoutingPlan.of(directory(routes()), List.of(ALICE, CAROL, MALLORY, BOB, CAROL_ALIAS, OUTSIDER));

        assertThat(testee.recipientsByHop()).isEqualTo(ImmutableMap.of(
            "server1", ImmutableSet.of(ALICE, BOB),
            "server2", ImmutableSet.of(CAROL_MAILBOX)));
        assertThat(testee.unrouted()).containsExactly(MALLORY, OUTSIDER);
        assertThat(testee.hasFailures()).isFalse();
    }

    @Test
    void planShouldTellEachHopWhichOriginalRecipientsWereRewrittenAndToWhat() {
        RoutingPlan testee = RoutingPlan.of(directory(routes()), List.of(ALICE, CAROL, CAROL_ALIAS));

        assertThat(testee.rewrites("server1")).isEmpty();
        assertThat(testee.rewrites("server2")).containsExactly(Map.entry(CAROL, CAROL_MAILBOX), Map.entry(CAROL_ALIAS, CAROL_MAILBOX));
        assertThat(testee.rewrites("server9")).isEmpty();
    }

    @Test
    void aDirectoryFailureShouldBeReportedPerRecipient() {
        SwitchableRouteSource routes = routes();
        routes.failFor(BOB);

        RoutingPlan testee = RoutingPlan.of(directory(routes), List.of(ALICE, BOB));

        assertThat(testee.hasFailures()).isTrue();
        assertThat(testee.failures()).isEqualTo(ImmutableMap.of(BOB, SwitchableRouteSource.FAILURE));
    }
}
