package org.relaypack.it.routing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;

/**
 * What stops a copy of conf-samples/inbound-relay at startup, with a message saying what to fix:
 * the routing hook without its core package, a route to an undefined next hop. Needs
 * {@code -Djames.exit.on.startup.error=false} (set for the integration tests in their pom).
 */
class InboundRelayStartupCheckTest {
    @Test
    void theRoutingHookWithoutItsCorePackageShouldStopJames() {
        assertThatThrownBy(() -> RelayJames.sample("inbound-relay")
                .substitute("<handlerchain coreHandlersPackage=\"org.relaypack.smtphooks.RoutingCoreCmdHandlerLoader\">", "<handlerchain>")
                .start().close())
            .hasStackTraceContaining("needs coreHandlersPackage=\"org.relaypack.smtphooks.RoutingCoreCmdHandlerLoader\"")
            .hasStackTraceContaining("AuthRequiredToRelayRcptHook would refuse relaying to the routed domains");
    }

    @Test
    void aRoutesFileLineNamingAnUndefinedNextHopShouldStopJames() {
        assertThatThrownBy(() -> RelayJames.sample("inbound-relay")
                .substitute("carol@example.com   server2", "carol@example.com   server9")
                .start().close())
            .hasStackTraceContaining("routes.txt:")
            .hasStackTraceContaining("route 'carol@example.com   server9'")
            .hasStackTraceContaining("next hop 'server9' is not defined in relaypack.xml <nexthops> (defined: server1, server2)");
    }
}
