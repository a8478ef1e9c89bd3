package org.relaypack.matchers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relaypack.routing.ExampleUsers.ALICE;
import static org.relaypack.routing.ExampleUsers.BOB;
import static org.relaypack.routing.ExampleUsers.CAROL;
import static org.relaypack.routing.ExampleUsers.DOMAIN;
import static org.relaypack.routing.ExampleUsers.MALLORY;
import static org.relaypack.routing.ExampleUsers.OUTSIDER;

import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.relaypack.routing.ExampleUsers;
import org.relaypack.routing.KnownHops;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.routing.SwitchableRouteSource;

class RoutingMatchersTest {
    SwitchableRouteSource routes;
    RouteDirectory directory;

    @BeforeEach
    void setUp() {
        routes = ExampleUsers.routes();
        directory = RouteDirectory.of(List.of(DOMAIN), List.of(), List.of(routes),
            KnownHops.of(List.of("server1", "server2", "server3")), new RecordingMetricFactory());
    }

    static FakeMail mailTo(MailAddress... recipients) throws MessagingException {
        return FakeMail.builder().name("mail1").recipients(recipients).build();
    }

    @Nested
    class HasMailboxRouteTest {
        HasMailboxRoute testee;

        @BeforeEach
        void setUp() throws MessagingException {
            testee = new HasMailboxRoute(directory);
            testee.init(FakeMatcherConfig.builder().matcherName("HasMailboxRoute").build());
        }

        @Test
        void matchShouldReturnTheRoutedRecipientsOnly() throws MessagingException {
            assertThat(testee.match(mailTo(ALICE, MALLORY, CAROL, OUTSIDER))).containsExactly(ALICE, CAROL);
        }

        @Test
        void matchShouldReturnEmptyNotNullWhenNoRecipientIsRouted() throws MessagingException {
            assertThat(testee.match(mailTo(MALLORY, OUTSIDER))).isNotNull().isEmpty();
        }

        @Test
        void matchShouldThrowOnDirectoryFailureSoThatTheMailIsKept() {
            routes.down(true);

            assertThatThrownBy(() -> testee.match(mailTo(ALICE)))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("alice@example.com")
                .hasMessageContaining("mail1")
                .hasMessageContaining("LDAP: connect error");
        }

        @Test
        void initShouldRejectACondition() {
            HasMailboxRoute matcher = new HasMailboxRoute(directory);

            assertThatThrownBy(() -> matcher.init(FakeMatcherConfig.builder().matcherName("HasMailboxRoute").condition("server1").build()))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("server1");
        }
    }

    @Nested
    class RoutedToTest {
        RoutedTo routedTo(String hop) throws MessagingException {
            RoutedTo matcher = new RoutedTo(directory);
            matcher.init(FakeMatcherConfig.builder().matcherName("RoutedTo").condition(hop).build());
            return matcher;
        }

        @Test
        void matchShouldReturnTheRecipientsOfThatHopOnly() throws MessagingException {
            FakeMail mail = mailTo(ALICE, CAROL, BOB, MALLORY, OUTSIDER);

            assertThat(routedTo("server1").match(mail)).containsExactly(ALICE, BOB);
            assertThat(routedTo("server2").match(mail)).containsExactly(CAROL);
        }

        @Test
        void matchShouldReturnEmptyNotNullForAHopWithoutRecipients() throws MessagingException {
            assertThat(routedTo("server3").match(mailTo(ALICE, CAROL))).isNotNull().isEmpty();
        }

        @Test
        void matchShouldThrowOnDirectoryFailureSoThatTheMailIsKept() throws MessagingException {
            RoutedTo testee = routedTo("server1");
            routes.down(true);

            assertThatThrownBy(() -> testee.match(mailTo(ALICE)))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("LDAP: connect error");
        }

        @Test
        void initShouldRequireACondition() {
            assertThatThrownBy(() -> routedTo(""))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("RoutedTo=server1");
        }

        @Test
        void initShouldRejectAConditionNamingAnUndefinedNextHop() {
            assertThatThrownBy(() -> routedTo("server9"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContainingAll("RoutedTo", "next hop 'server9'", "<nexthops>", "server1, server2, server3");
        }

        @Test
        void initShouldRejectAConditionThatIsNoHopName() {
            assertThatThrownBy(() -> routedTo("server1, server2"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("'server1, server2'");
        }
    }
}
