package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.routing.ExampleUsers.ALICE;
import static org.relaypack.routing.ExampleUsers.BOB;
import static org.relaypack.testing.Addresses.address;

import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.google.common.base.Splitter;
import com.google.common.base.Strings;

/**
 * What every route source promises, whatever its backend. An implementation's test class adds the
 * routes the "given" methods describe, in its own backend, and returns the source from
 * {@link #testee()} (called after the givens).
 */
public interface RouteSourceContract {
    MailAddress ALICE_MAILBOX = address("alice.smith@mbox1.example.com");

    void givenRoute(MailAddress recipient, String hop) throws Exception;

    void givenRewrittenRoute(MailAddress recipient, String hop, MailAddress rewritten) throws Exception;

    void givenDomainRoute(Domain domain, String hop) throws Exception;

    RouteSource testee() throws Exception;

    /**
     * Address routes and domain routes: the routes given (an address or @domain, = its hop, space separated),
     * the address looked up, and the hop it is routed to (none: no route).
     */
    @ParameterizedTest(name = "given [{0}], {1} should be routed to [{2}]")
    @CsvSource(delimiter = '|', value = {
        "alice@example.com=server1                             | alice@example.com  | server1",
        "alice@example.com=server1                             | bob@example.com    |",
        "                                                      | alice@example.com  |",
        "alice@example.com=server1 bob@example.com=server2     | alice@example.com  | server1",
        "alice@example.com=server1 bob@example.com=server2     | bob@example.com    | server2",
        "@example.com=server3                                  | carol@example.com  | server3",
        "@example.com=server3 alice@example.com=server1        | alice@example.com  | server1",
        "@example.com=server3 alice@example.com=server1        | carol@example.com  | server3",
        "@example.com=server3                                  | dave@other.org     |",
        "alice@example.com=server1                             | ali@example.com    |",
        "alice@example.com=server1                             | alice2@example.com |",
        "alice@example.com=server1                             | alice@EXAMPLE.com  | server1",
    })
    default void lookupShouldAnswerTheAddressRouteElseTheDomainRoute(String routes, String recipient, String hop) throws Exception {
        for (String route : Splitter.on(' ').omitEmptyStrings().split(Strings.nullToEmpty(routes))) {
            given(route);
        }

        RouteLookup lookup = testee().lookup(address(recipient));

        if (hop == null) {
            assertThat(lookup).isEqualTo(RouteLookup.noRoute());
        } else {
            assertThat(lookup.isTemporaryFailure()).as("lookup of %s failed: %s", recipient, lookup).isFalse();
            assertThat(lookup.route().map(Route::hop)).contains(hop);
        }
    }

    /** ADDRESS=HOP or @DOMAIN=HOP. */
    private void given(String route) throws Exception {
        String key = route.substring(0, route.indexOf('='));
        String hop = route.substring(route.indexOf('=') + 1);
        if (key.startsWith("@")) {
            givenDomainRoute(Domain.of(key.substring(1)), hop);
        } else {
            givenRoute(address(key), hop);
        }
    }

    @Test
    default void lookupShouldReturnTheRewrittenRecipient() throws Exception {
        givenRewrittenRoute(ALICE, "server1", ALICE_MAILBOX);

        RouteLookup lookup = testee().lookup(ALICE);

        assertThat(lookup.route()).contains(Route.to("server1", ALICE_MAILBOX));
        assertThat(lookup.route().get().recipientFor(ALICE)).isEqualTo(ALICE_MAILBOX);
    }

    @Test
    default void rewritingOneRecipientShouldNotRewriteAnother() throws Exception {
        givenRewrittenRoute(ALICE, "server1", ALICE_MAILBOX);
        givenRoute(BOB, "server1");

        RouteLookup lookup = testee().lookup(BOB);

        assertThat(lookup.route().map(route -> route.recipientFor(BOB))).isNotEqualTo(Optional.of(ALICE_MAILBOX));
        assertThat(lookup.route().map(Route::hop)).contains("server1");
    }
}
