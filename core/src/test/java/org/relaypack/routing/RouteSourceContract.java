package org.relaypack.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.util.Optional;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

/**
 * What every route source promises, whatever its backend. An implementation's test class adds the
 * routes the "given" methods describe, in its own backend, and returns the source from
 * {@link #testee()} (called after the givens).
 */
public interface RouteSourceContract {
    Domain DOMAIN = Domain.of("example.com");
    Domain OTHER_DOMAIN = Domain.of("other.org");
    MailAddress ALICE = address("alice@example.com");
    MailAddress BOB = address("bob@example.com");
    MailAddress CAROL = address("carol@example.com");
    MailAddress DAVE_OTHER = address("dave@other.org");
    MailAddress ALICE_MAILBOX = address("alice.smith@mbox1.example.com");

    void givenRoute(MailAddress recipient, String hop) throws Exception;

    void givenRewrittenRoute(MailAddress recipient, String hop, MailAddress rewritten) throws Exception;

    void givenDomainRoute(Domain domain, String hop) throws Exception;

    RouteSource testee() throws Exception;

    default Optional<String> hopOf(MailAddress recipient) throws Exception {
        RouteLookup lookup = testee().lookup(recipient);
        assertThat(lookup.isTemporaryFailure()).as("lookup of %s failed: %s", recipient, lookup).isFalse();
        return lookup.route().map(Route::hop);
    }

    @Test
    default void lookupShouldFindTheRouteOfAnAddress() throws Exception {
        givenRoute(ALICE, "server1");

        assertThat(hopOf(ALICE)).contains("server1");
    }

    @Test
    default void lookupShouldAnswerNoRouteForAnUnknownAddress() throws Exception {
        givenRoute(ALICE, "server1");

        assertThat(testee().lookup(BOB)).isEqualTo(RouteLookup.noRoute());
    }

    @Test
    default void lookupShouldAnswerNoRouteWhenTheSourceIsEmpty() throws Exception {
        assertThat(testee().lookup(ALICE)).isEqualTo(RouteLookup.noRoute());
    }

    @Test
    default void lookupShouldKeepUsersOfOneDomainApart() throws Exception {
        givenRoute(ALICE, "server1");
        givenRoute(BOB, "server2");

        assertThat(hopOf(ALICE)).contains("server1");
        assertThat(hopOf(BOB)).contains("server2");
    }

    @Test
    default void lookupShouldUseTheDomainRouteForAnAddressWithoutItsOwn() throws Exception {
        givenDomainRoute(DOMAIN, "server3");

        assertThat(hopOf(CAROL)).contains("server3");
    }

    @Test
    default void lookupShouldPreferTheAddressRouteToTheDomainRoute() throws Exception {
        givenDomainRoute(DOMAIN, "server3");
        givenRoute(ALICE, "server1");

        assertThat(hopOf(ALICE)).contains("server1");
        assertThat(hopOf(CAROL)).contains("server3");
    }

    @Test
    default void lookupShouldNotApplyADomainRouteToAnotherDomain() throws Exception {
        givenDomainRoute(DOMAIN, "server3");

        assertThat(testee().lookup(DAVE_OTHER)).isEqualTo(RouteLookup.noRoute());
    }

    @Test
    default void lookupShouldNotMatchAnotherAddressSharingAPrefix() throws Exception {
        givenRoute(ALICE, "server1");

        assertThat(testee().lookup(address("ali@example.com"))).isEqualTo(RouteLookup.noRoute());
        assertThat(testee().lookup(address("alice2@example.com"))).isEqualTo(RouteLookup.noRoute());
    }

    @Test
    default void lookupShouldIgnoreTheCaseOfTheDomain() throws Exception {
        givenRoute(ALICE, "server1");

        assertThat(hopOf(address("alice@EXAMPLE.com"))).contains("server1");
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
