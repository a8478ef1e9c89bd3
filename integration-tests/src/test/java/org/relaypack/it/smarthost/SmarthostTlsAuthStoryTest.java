package org.relaypack.it.smarthost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.it.harness.SmtpPeer;
import org.relaypack.it.harness.SmtpTestClient;
import org.relaypack.runner.Certificates;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * A smarthost that requires STARTTLS and AUTH, configured in relaypack.xml with a private CA and
 * secrets in files, on a real James 3.8.1 with real SMTP peers; and a next hop that requires TLS
 * in front of a server that does not offer it.
 */
class SmarthostTlsAuthStoryTest {
    private static final String USER = "relay-user";
    private static final String PASSWORD = "s3cret-from-file";
    private static final ListAppender<ILoggingEvent> ENGINE_LOG = new ListAppender<>();
    private static SmtpPeer upstream;
    private static SmtpPeer impostor;
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        ENGINE_LOG.start();
        ((Logger) LoggerFactory.getLogger(DeliveryEngine.class)).addAppender(ENGINE_LOG);
        Path secrets = Files.createTempDirectory("relaypack-secrets-");
        Path peerKeystore = Certificates.selfSigned(Files.createTempDirectory("relaypack-peer-").resolve("peer.p12"), "peer-pass",
            "localhost", ImmutableList.of("dns:localhost", "ip:127.0.0.1"));
        Certificates.trustStoreFor(peerKeystore, "peer-pass", secrets.resolve("upstream-ca.p12"), "trust-pass");
        Files.writeString(secrets.resolve("upstream-ca.secret"), "trust-pass\n", StandardCharsets.UTF_8);
        Files.writeString(secrets.resolve("upstream.secret"), PASSWORD + "\n", StandardCharsets.UTF_8);

        upstream = SmtpPeer.builder().startTls(peerKeystore, "peer-pass").requireTls().requireAuth(USER, PASSWORD).start();
        impostor = SmtpPeer.builder().start();
        james = StorySample.demoWith("smarthost-engine", "smarthost-tls")
            .substitute("[upstream.example]:587", "[127.0.0.1]:" + upstream.port())
            .substitute("[impostor.example]:25", "[127.0.0.1]:" + impostor.port())
            .extraConf(secrets)
            .start();
    }

    @AfterAll
    static void stop() {
        james.close();
        upstream.close();
        impostor.close();
        ((Logger) LoggerFactory.getLogger(DeliveryEngine.class)).detachAppender(ENGINE_LOG);
    }

    private void send(String recipient, String subject) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            client.ehlo("lan-host.lan.example");
            assertThat(client.send("alice@lan.example", List.of(recipient),
                SmtpTestClient.message("alice@lan.example", recipient, subject, "hello")).code()).isEqualTo(250);
        }
    }

    @Test
    void mailShouldReachTheSmarthostOverVerifiedTlsWithTheCredentialsOfTheFile() throws Exception {
        send("bob@remote.example", "over tls");

        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 1);
        assertThat(upstream.transactions().get(0).recipients()).containsExactly("bob@remote.example");
        assertThat(upstream.authenticatedUsers()).contains(USER);
        assertThat(impostor.transactions()).isEmpty();
    }

    @Test
    void aHopRequiringTlsShouldNeverDeliverToAServerWithoutStartTls() throws Exception {
        send("carol@strict.example", "must not leak");

        await().atMost(Duration.ofSeconds(30)).until(() -> ENGINE_LOG.list.stream()
            .anyMatch(event -> event.getFormattedMessage().contains("deferred for [carol@strict.example] at next hop strict")));
        assertThat(impostor.transactions()).isEmpty();
        assertThat(ENGINE_LOG.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
            .contains("deferred for [carol@strict.example]").contains("4.7.4"));
    }
}
