package org.relaypack.it.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

/**
 * The pack's shared parts live exactly as long as James (docs/lifecycle.md): made once at startup by
 * the module conf/extensions.properties installs, closed when James stops, and without that line
 * James does not start.
 */
class LifecycleStoryTest {
    private static final String BASE_DN = "dc=example,dc=com";
    private static final String FILE_SOURCE = "            <file path=\"file://conf/routes.txt\" reloadInterval=\"1s\"/>\n";

    /** Counts the connections an in-memory LDAP server has open, from its access log. */
    static final class OpenConnections extends Handler {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger opened = new AtomicInteger();

        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (message.contains(" CONNECT conn=")) {
                open.incrementAndGet();
                opened.incrementAndGet();
            } else if (message.contains("DISCONNECT conn=")) {
                open.decrementAndGet();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    private InMemoryDirectoryServer ldap;
    private SmtpPeer server1;

    @AfterEach
    void tearDown() {
        if (ldap != null) {
            ldap.shutDown(true);
        }
        if (server1 != null) {
            server1.close();
        }
    }

    private static ImmutableList<String> relaypackThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> name.startsWith("relaypack-"))
            .collect(ImmutableList.toImmutableList());
    }

    @Test
    void afterJamesStopsNoRelaypackThreadAndNoLdapConnectionShouldBeLeft() throws Exception {
        OpenConnections connections = new OpenConnections();
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE_DN);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("default", InetAddress.getLoopbackAddress(),
            RelayJames.freePort(), null));
        config.setSchema(null);
        config.setAccessLogHandler(connections);
        ldap = new InMemoryDirectoryServer(config);
        ldap.add("dn: " + BASE_DN, "objectClass: domain", "dc: example");
        ldap.add("dn: ou=people," + BASE_DN, "objectClass: organizationalUnit", "ou: people");
        ldap.add("dn: cn=relay," + BASE_DN, "objectClass: person", "cn: relay", "sn: relay", "userPassword: relay-secret");
        ldap.add("dn: uid=alice,ou=people," + BASE_DN, "objectClass: inetLocalMailRecipient", "uid: alice",
            "mail: alice@example.com", "mailHost: server1");
        ldap.startListening();
        server1 = SmtpPeer.builder().start();
        // LDAP for the routes, and the demo's routes file too, so that the reload thread runs.
        RelayJames james = RelayJames.sample("inbound-relay")
            .substitute("[127.0.0.1]:11025", "[127.0.0.1]:" + server1.port())
            .substitute(FILE_SOURCE, "            <ldap url=\"ldap://127.0.0.1:" + ldap.getListenPort() + "\"\n"
                + "                  baseDN=\"ou=people," + BASE_DN + "\" bindDN=\"cn=relay," + BASE_DN + "\"\n"
                + "                  bindPassword=\"relay-secret\"/>\n" + FILE_SOURCE)
            .substitute("<relaypack>\n", "<relaypack>\n    <tls-reporting organization=\"lifecycle story\" contact=\"tlsrpt@relay.example\"/>\n")
            .start();
        try (SmtpTestClient client = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), james.port(25))) {
            client.greeting();
            client.ehlo("mta.sender.example.org");
            assertThat(client.send("sender@sender.example.org", ImmutableList.of("alice@example.com"),
                "Subject: lifecycle\r\n\r\nHello\r\n").code()).isEqualTo(250);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> server1.transactions().size() == 1);
        assertThat(connections.opened.get()).isPositive();
        assertThat(relaypackThreads()).contains("relaypack-routes-reload", "relaypack-smtp-pool-cleaner", "relaypack-tls-reports");

        james.close();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(relaypackThreads()).isEmpty();
            assertThat(connections.open.get()).isZero();
        });
    }

    @Test
    void aJamesWithoutTheExtensionsLineShouldStopAtStartupSayingWhatToAdd() {
        assertThatThrownBy(() -> RelayJames.sample("inbound-relay")
                .substitute("guice.extension.module=org.relaypack.wiring.RelaypackModule", "")
                .start().close())
            .hasStackTraceContaining("relaypack is not installed in this James")
            .hasStackTraceContaining("Add the line 'guice.extension.module=org.relaypack.wiring.RelaypackModule' to conf/extensions.properties");
    }
}
