package org.relaypack.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpTestClient;

/**
 * RoutingRcptHook in a real James 3.8.1 (conf-samples/inbound-relay) with a later RCPT hook, James's
 * own MaxRcptHandler: the routed recipients it knows are left to that hook (it refuses the third),
 * unknown ones are refused by the routing hook, and relaying elsewhere is still denied.
 */
class InboundRelayRcptHooksTest {
    private static final String ROUTING_HOOK = "<handler class=\"org.relaypack.smtphooks.RoutingRcptHook\"/>";
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        james = RelayJames.sample("inbound-relay")
            .substitute(ROUTING_HOOK, ROUTING_HOOK
                + "<handler class=\"org.apache.james.smtpserver.fastfail.MaxRcptHandler\"><maxRcpt>2</maxRcpt></handler>")
            .start();
    }

    @AfterAll
    static void stop() {
        james.close();
    }

    private static SmtpTestClient fromTheInternet() throws Exception {
        SmtpTestClient client = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), james.port(25));
        client.greeting();
        client.ehlo("mta.sender.example.org");
        assertThat(client.command("MAIL FROM:<sender@sender.example.org>").code()).isEqualTo(250);
        return client;
    }

    @Test
    void aRcptHookAfterTheRoutingHookShouldRunForRoutedRecipients() throws Exception {
        try (SmtpTestClient client = fromTheInternet()) {
            assertThat(client.command("RCPT TO:<alice@example.com>").code()).isEqualTo(250);
            assertThat(client.command("RCPT TO:<carol@example.com>").code()).isEqualTo(250);

            assertThat(client.command("RCPT TO:<bob@example.com>").text()).startsWith("452");
        }
    }

    @Test
    void unknownRecipientsAndOtherDomainsShouldStillBeRefused() throws Exception {
        try (SmtpTestClient client = fromTheInternet()) {
            assertThat(client.command("RCPT TO:<mallory@example.com>").text()).startsWith("550 5.1.1");
            assertThat(client.command("RCPT TO:<victim@elsewhere.example.net>").text()).startsWith("550 5.7.1");
        }
    }
}
