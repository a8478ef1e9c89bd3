package org.relaypack.it.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.ConcurrentListAppender;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.routing.LdapRouteSource;
import org.relaypack.testing.SmtpTestClient;
import org.relaypack.testing.TestResources;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The inbound-relay conf-sample with its {@code <file>} source replaced by an {@code <ldap>} source
 * (inetLocalMailRecipient entries in an UnboundID in-memory directory), on a real James 3.8.1.
 */
class InboundRelayLdapStoryTest {
    private static final Duration DELIVERY = Duration.ofSeconds(30);
    private static final String FILE_SOURCE = "            <file path=\"file://conf/routes.txt\" reloadInterval=\"1s\"/>\n";
    private static final String BASE_DN = "dc=example,dc=com";

    @RegisterExtension
    static final TestResources resources = TestResources.perClass();
    private static InMemoryDirectoryServer ldap;
    private static InboundRelay relay;

    @BeforeAll
    static void start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE_DN);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("default", InetAddress.getLoopbackAddress(),
            RelayJames.freePort(), null));
        config.setSchema(null);
        ldap = new InMemoryDirectoryServer(config);
        ldap.add("dn: " + BASE_DN, "objectClass: domain", "dc: example");
        ldap.add("dn: ou=people," + BASE_DN, "objectClass: organizationalUnit", "ou: people");
        ldap.add("dn: cn=relay," + BASE_DN, "objectClass: person", "cn: relay", "sn: relay", "userPassword: relay-secret");
        person("alice", "mailHost: server1");
        person("bob", "mailHost: server1");
        person("carol", "mailHost: server2");
        person("kim", "mailHost: server9");
        ldap.startListening();
        resources.add(() -> ldap.shutDown(true));

        relay = resources.add(InboundRelay.start(sample -> sample
            .substitute(FILE_SOURCE, "            <ldap url=\"ldap://127.0.0.1:" + ldap.getListenPort() + "\"\n"
                + "                  baseDN=\"ou=people," + BASE_DN + "\" bindDN=\"cn=relay," + BASE_DN + "\"\n"
                + "                  bindPassword=\"relay-secret\" connectTimeout=\"2s\" responseTimeout=\"2s\"/>\n")));
        assertThat(Files.readString(relay.james().confDir().resolve("relaypack.xml"))).contains("<ldap url=").doesNotContain("<file ");
    }

    private static void person(String uid, String... attributes) throws Exception {
        String[] lines = new String[4 + attributes.length];
        lines[0] = "dn: uid=" + uid + ",ou=people," + BASE_DN;
        lines[1] = "objectClass: inetLocalMailRecipient";
        lines[2] = "uid: " + uid;
        lines[3] = "mail: " + uid + "@example.com";
        System.arraycopy(attributes, 0, lines, 4, attributes.length);
        ldap.add(lines);
    }

    @BeforeEach
    void purge() throws Exception {
        relay.clear();
        if (ldap.getListenPort() <= 0) {
            ldap.startListening();
        }
    }

    @Test
    void mailHostShouldSplitTheMessageBetweenTheMailboxServers() throws Exception {
        try (SmtpTestClient client = relay.fromTheInternet()) {
            assertThat(client.send("sender@sender.example.org", ImmutableList.of("alice@example.com", "carol@example.com"),
                "Subject: ldap\r\n\r\nHello\r\n").code()).isEqualTo(250);
        }

        await().atMost(DELIVERY).until(() -> relay.server1().transactions().size() == 1 && relay.server2().transactions().size() == 1);
        assertThat(relay.server1().transactions().get(0).recipients()).containsExactly("alice@example.com");
        assertThat(relay.server2().transactions().get(0).recipients()).containsExactly("carol@example.com");
    }

    @Test
    void aUserWithoutEntryShouldBeRefusedAtRcpt() throws Exception {
        try (SmtpTestClient client = relay.fromTheInternet()) {
            client.command("MAIL FROM:<sender@sender.example.org>");

            assertThat(client.command("RCPT TO:<mallory@example.com>").text())
                .isEqualTo("550 5.1.1 <mallory@example.com>: Recipient address rejected: User unknown");
        }
    }

    @Test
    void anEntryNamingAnUndefinedNextHopShouldGive451AndAnErrorNamingTheEntryAndTheHop() throws Exception {
        ListAppender<ILoggingEvent> log = new ConcurrentListAppender();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger(LdapRouteSource.class);
        logger.addAppender(log);
        try (SmtpTestClient client = relay.fromTheInternet()) {
            client.command("MAIL FROM:<sender@sender.example.org>");

            assertThat(client.command("RCPT TO:<kim@example.com>").text())
                .isEqualTo("451 4.3.0 <kim@example.com>: Temporary failure of the routing directory, try again later");
            assertThat(client.command("RCPT TO:<alice@example.com>").code()).isEqualTo(250);
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
            .anySatisfy(line -> assertThat(line).contains("uid=kim,ou=people," + BASE_DN, "next hop 'server9'", "<nexthops>"));
    }

    @Test
    void ldapDownShouldGive451ForAnUncachedUserWhileACachedRouteStillAnswers() throws Exception {
        try (SmtpTestClient client = relay.fromTheInternet()) {
            client.command("MAIL FROM:<sender@sender.example.org>");
            assertThat(client.command("RCPT TO:<alice@example.com>").code()).isEqualTo(250);
        }

        ldap.shutDown(true);

        try (SmtpTestClient client = relay.fromTheInternet()) {
            client.command("MAIL FROM:<sender@sender.example.org>");
            assertThat(client.command("RCPT TO:<bob@example.com>").text())
                .isEqualTo("451 4.3.0 <bob@example.com>: Temporary failure of the routing directory, try again later");
            assertThat(client.command("RCPT TO:<alice@example.com>").code()).isEqualTo(250);
        }

        ldap.startListening();

        try (SmtpTestClient client = relay.fromTheInternet()) {
            client.command("MAIL FROM:<sender@sender.example.org>");
            assertThat(client.command("RCPT TO:<bob@example.com>").code()).isEqualTo(250);
        }
    }
}
