package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.ConcurrentListAppender;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.Certificates;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * conf-samples/smarthost-client booted as shipped: a LAN server that forwards everything non-local to
 * the provider's relay on 587 (STARTTLS required, AUTH) and fails over to its relay on 465
 * (implicit TLS). Substituted: the two relays' addresses (loopback peers), the provider's CA (the
 * peers' self-signed certificate), the password file (the placeholder the docs say to replace),
 * and the retry delays (1s instead of the production schedule of minutes).
 */
class SmarthostClientSampleTest {
    private static final String USER = "relay@lan.example";
    private static final String PASSWORD = "the-relay-password";
    private static final String PEER_KEY_PASSWORD = "peer-pass";
    /** The engine's loggers, its delivery log (DeliveryLog.LOGGER_NAME) included. */
    private static final String ENGINE_LOGGERS = "org.relaypack.delivery";
    private static final ListAppender<ILoggingEvent> ENGINE_LOG = new ConcurrentListAppender();
    private static Path peerKeystore;
    private static int firstPort;
    private static int secondPort;
    private static SmtpPeer first;
    private static SmtpPeer second;
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        ENGINE_LOG.start();
        ((Logger) LoggerFactory.getLogger(ENGINE_LOGGERS)).addAppender(ENGINE_LOG);
        Path secrets = Files.createTempDirectory("relaypack-secrets-");
        peerKeystore = Certificates.selfSigned(Files.createTempDirectory("relaypack-peer-").resolve("peer.p12"), PEER_KEY_PASSWORD,
            "localhost", ImmutableList.of("ip:127.0.0.1"));
        Certificates.trustStoreFor(peerKeystore, PEER_KEY_PASSWORD, secrets.resolve("provider-ca.p12"), "trust-pass");
        Files.writeString(secrets.resolve("provider-ca.secret"), "trust-pass\n", StandardCharsets.UTF_8);
        Files.writeString(secrets.resolve("smarthost.secret"), PASSWORD + "\n", StandardCharsets.UTF_8);
        firstPort = RelayJames.freePort();
        secondPort = RelayJames.freePort();
        String trustStore = "<truststore path=\"file://conf/provider-ca.p12\" type=\"PKCS12\" passwordFile=\"file://conf/provider-ca.secret\"/>";
        james = RelayJames.sample("smarthost-client")
            .substitute("[smtp1.provider.example]:587", "[127.0.0.1]:" + firstPort)
            .substitute("[smtp2.provider.example]:465", "[127.0.0.1]:" + secondPort)
            .substitute("<tls mode=\"starttls-required\" verify=\"true\"/>",
                "<tls mode=\"starttls-required\" verify=\"true\">" + trustStore + "</tls>")
            .substitute("<tls mode=\"implicit\" verify=\"true\"/>", "<tls mode=\"implicit\" verify=\"true\">" + trustStore + "</tls>")
            .substitute("<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/>", "<retry delays=\"1s\" maxAttempts=\"5\"/>")
            .extraConf(secrets)
            .start();
    }

    @AfterAll
    static void stop() {
        james.close();
        closeFirst();
        closeSecond();
        ((Logger) LoggerFactory.getLogger(ENGINE_LOGGERS)).detachAppender(ENGINE_LOG);
    }

    /** Both relays up, as the provider runs them: 587 needs STARTTLS then AUTH, 465 TLS then AUTH. */
    @BeforeEach
    void relaysUp() {
        if (first == null) {
            first = SmtpPeer.builder().startTls(peerKeystore, PEER_KEY_PASSWORD).requireTls().requireAuth(USER, PASSWORD)
                .rejectRecipients(recipient -> recipient.startsWith("unknown@"))
                .deferRecipients(recipient -> recipient.startsWith("busy@"))
                .start(firstPort);
        }
        if (second == null) {
            second = SmtpPeer.builder().implicitTls(peerKeystore, PEER_KEY_PASSWORD).requireAuth(USER, PASSWORD)
                .deferRecipients(recipient -> recipient.startsWith("busy@"))
                .start(secondPort);
        }
        first.clear();
        second.clear();
        ENGINE_LOG.list.clear();
    }

    private static void closeFirst() {
        if (first != null) {
            first.close();
            first = null;
        }
    }

    private static void closeSecond() {
        if (second != null) {
            second.close();
            second = null;
        }
    }

    private static void send(String from, List<String> recipients, String subject) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            client.ehlo("printer.lan.example");
            assertThat(client.send(from, recipients,
                SmtpTestClient.message(from, String.join(", ", recipients), subject, "hello")).code()).isEqualTo(250);
        }
    }

    private static boolean logged(String... texts) {
        return ENGINE_LOG.list.stream().anyMatch(event -> java.util.Arrays.stream(texts).allMatch(event.getFormattedMessage()::contains));
    }

    private static String messageId(SmtpPeer.Transaction transaction) {
        try {
            return transaction.message().getMessageID();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void mailShouldReachTheFirstRelayOverStartTlsWithTheCredentialsOfTheSecretFile() throws Exception {
        send("alice@lan.example", List.of("bob@remote.example"), "via 587");

        await().atMost(Duration.ofSeconds(30)).until(() -> first.transactions().size() == 1);
        assertThat(first.transactions().get(0).recipients()).containsExactly("bob@remote.example");
        assertThat(first.transactions().get(0).sender()).isEqualTo("alice@lan.example");
        assertThat(first.authenticatedUsers()).containsOnly(USER);
        assertThat(second.transactions()).isEmpty();
    }

    @Test
    void mailShouldFailOverToTheImplicitTlsRelayWhenTheFirstRefusesConnections() throws Exception {
        closeFirst();

        send("alice@lan.example", List.of("carol@remote.example"), "first relay down");

        await().atMost(Duration.ofSeconds(30)).until(() -> second.transactions().size() == 1);
        assertThat(second.transactions().get(0).recipients()).containsExactly("carol@remote.example");
        assertThat(second.authenticatedUsers()).containsOnly(USER);
        assertThat(logged("next hop provider failed temporarily for")).isTrue();
        assertThat(ENGINE_LOG.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
            .contains("to=<carol@remote.example>, hop=provider-465,").contains(":" + secondPort + ", tls=TLSv1.").contains("status=sent"));
    }

    @Test
    void mailShouldFailOverToTheImplicitTlsRelayWhenTheFirstAnswers421() throws Exception {
        closeFirst();
        try (ScriptedSmtpPeer busy = ScriptedSmtpPeer.builder()
            .greeting("421 4.3.2 busy.provider.example Service not available, closing channel")
            .bind(InetAddress.getLoopbackAddress(), firstPort).start()) {
            send("alice@lan.example", List.of("dave@remote.example"), "first relay busy");

            await().atMost(Duration.ofSeconds(30)).until(() -> second.transactions().size() == 1);
            assertThat(second.transactions().get(0).recipients()).containsExactly("dave@remote.example");
            assertThat(busy.sessions()).isPositive();
        }
    }

    @Test
    void mailShouldBeDeliveredExactlyOnceWhenTheRelaysComeBack() throws Exception {
        closeFirst();
        closeSecond();
        ImmutableList<String> recipients = ImmutableList.of("r1@remote.example", "r2@remote.example", "r3@remote.example");
        for (String recipient : recipients) {
            send("alice@lan.example", List.of(recipient), "while down");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> recipients.stream()
            .allMatch(recipient -> logged("<" + recipient + ">", ", hop=provider,", "status=deferred")));

        relaysUp();

        await().atMost(Duration.ofSeconds(30)).until(() -> first.transactions().size() + second.transactions().size() >= 3);
        List<SmtpPeer.Transaction> delivered = ImmutableList.<SmtpPeer.Transaction>builder()
            .addAll(first.transactions()).addAll(second.transactions()).build();
        Set<String> messageIds = delivered.stream().map(SmarthostClientSampleTest::messageId).collect(Collectors.toSet());
        assertThat(delivered).hasSize(3);
        assertThat(messageIds).hasSize(3);
        assertThat(delivered.stream().flatMap(transaction -> transaction.recipients().stream()))
            .containsExactlyInAnyOrderElementsOf(recipients);
    }

    @Test
    void tenMessagesShouldTravelOverNoMoreSessionsThanThePoolHolds() throws Exception {
        for (int i = 0; i < 10; i++) {
            send("alice@lan.example", List.of("bulk" + i + "@remote.example"), "bulk " + i);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> first.transactions().size() == 10);
        // <pool maxConnections="4">: at most 4 sessions, each carrying several messages.
        assertThat(first.sessionCount()).isBetween(1, 4);
        assertThat(second.transactions()).isEmpty();
    }

    @Test
    void aRecipientRefusedAtRcptShouldGetADsnAndTheOtherItsMail() throws Exception {
        send("scanner@branch.example", List.of("bob@remote.example", "unknown@remote.example"), "half refused");

        await().atMost(Duration.ofSeconds(30)).until(() -> first.transactions().size() == 2);
        assertThat(first.transactions().get(0).recipients()).containsExactly("bob@remote.example");
        SmtpPeer.Transaction dsn = first.transactions().get(1);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly("scanner@branch.example");
        assertThat(dsn.content())
            .contains("Final-Recipient: rfc822; unknown@remote.example")
            .contains("550 5.1.1")
            .doesNotContain("Final-Recipient: rfc822; bob@remote.example");
        assertThat(first.transactionsTo("unknown@remote.example")).isEmpty();
        assertThat(second.transactions()).isEmpty();
    }

    @Test
    void aRecipientStillDeferredAfterTheLastAttemptShouldGetADsn() throws Exception {
        send("scanner@branch.example", List.of("busy@remote.example"), "always busy");

        await().atMost(Duration.ofSeconds(60)).until(() -> first.transactions().size() == 1);
        SmtpPeer.Transaction dsn = first.transactions().get(0);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly("scanner@branch.example");
        assertThat(dsn.content())
            .contains("Final-Recipient: rfc822; busy@remote.example")
            .contains("451 4.2.1");
        assertThat(logged("still failing for [busy@remote.example] at next hop provider after 5 attempts")).isTrue();
        assertThat(first.transactionsTo("busy@remote.example")).isEmpty();
        assertThat(second.transactionsTo("busy@remote.example")).isEmpty();
    }
}
