package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.ConcurrentListAppender;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.Certificates;
import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * conf-samples/smarthost booted as shipped: James as the smarthost of a LAN, taking mail from the
 * LAN's hosts on 25 and from authenticated users on 587, delivering to each recipient domain's MX
 * with opportunistic TLS, and to a partner's MX only over verified TLS. Substituted: the MX port
 * (the "internet" hop's port="25") and the partner's port, the partner's CA and its password file,
 * the retry delays (1s instead of minutes), and loopback MX hosts allowed (the peers listen there).
 * MX records live in DnsJavaShapedDns, which answers as James's dnsjava-based DNSService (absolute names).
 */
class SmarthostSampleTest {
    private static final String ALICE = "alice@lan.example";
    private static final String ALICE_PASSWORD = "alice-secret";
    private static final String KEY_PASSWORD = "peer-pass";
    /** The engine's loggers, its delivery log (DeliveryLog.LOGGER_NAME) included. */
    private static final String ENGINE_LOGGERS = "org.relaypack.delivery";
    private static final ListAppender<ILoggingEvent> ENGINE_LOG = new ConcurrentListAppender();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static Path internetKeystore;
    private static Path partnerKeystore;
    private static Path wrongNameKeystore;
    private static int partnerPort;
    private static SmtpPeer internet;
    private static SmtpPeer internetTls;
    private static SmtpPeer partner;
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        ENGINE_LOG.start();
        ((Logger) LoggerFactory.getLogger(ENGINE_LOGGERS)).addAppender(ENGINE_LOG);
        Path keys = Files.createTempDirectory("relaypack-peers-");
        internetKeystore = Certificates.selfSigned(keys.resolve("internet.p12"), KEY_PASSWORD, "mx.remote.example",
            ImmutableList.of("dns:mx.remote.example"));
        partnerKeystore = Certificates.selfSigned(keys.resolve("partner.p12"), KEY_PASSWORD, "mx.partner.example",
            ImmutableList.of("dns:mx.partner.example"));
        wrongNameKeystore = Certificates.selfSigned(keys.resolve("wrong.p12"), KEY_PASSWORD, "wrong.example",
            ImmutableList.of("dns:wrong.example"));
        Path conf = Files.createTempDirectory("relaypack-partner-ca-");
        // The partner's CA: trusts both certificates, so that only the name can make one fail.
        trustStore(conf.resolve("partner-ca.p12"), "trust-pass", partnerKeystore, wrongNameKeystore);
        Files.writeString(conf.resolve("partner-ca.secret"), "trust-pass\n", StandardCharsets.UTF_8);

        internet = SmtpPeer.builder().startTls(internetKeystore, KEY_PASSWORD).start();
        internetTls = SmtpPeer.builder().startTls(internetKeystore, KEY_PASSWORD).requireTls().start();
        partnerPort = RelayJames.freePort();
        james = RelayJames.sample("smarthost")
            .substitute("name=\"internet\" type=\"mx\" port=\"25\"", "name=\"internet\" type=\"mx\" port=\"" + internet.port() + "\"")
            .substitute("name=\"internet-tls\" type=\"mx\" port=\"25\"", "name=\"internet-tls\" type=\"mx\" port=\"" + internetTls.port() + "\"")
            .substitute("<host>partner.example:25</host>", "<host>partner.example:" + partnerPort + "</host>")
            .substitute("<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/>", "<retry delays=\"1s\" maxAttempts=\"30\"/>"
                // The MX peers of this test listen on loopback, which is otherwise this relay (a mail loop).
                + "<loopDetection allowLoopbackMx=\"true\"/>")
            .extraConf(conf)
            .start();
        james.dns()
            .registerRecord("remote.example", ImmutableList.of(), ImmutableList.of("mx.remote.example"), ImmutableList.of())
            .registerRecord("mx.remote.example", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of())
            .registerRecord("partner.example", ImmutableList.of(), ImmutableList.of("mx.partner.example"), ImmutableList.of())
            .registerRecord("mx.partner.example", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
        james.data().addUser(ALICE, ALICE_PASSWORD);
    }

    private static void trustStore(Path trustStore, String password, Path... keystores) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (Path keystore : keystores) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, KEY_PASSWORD.toCharArray());
            }
            trusted.setCertificateEntry(keystore.getFileName().toString(), store.getCertificate(Certificates.ALIAS));
        }
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trusted.store(out, password.toCharArray());
        }
    }

    @AfterAll
    static void stop() {
        james.close();
        internet.close();
        internetTls.close();
        closePartner();
        ((Logger) LoggerFactory.getLogger(ENGINE_LOGGERS)).detachAppender(ENGINE_LOG);
    }

    @BeforeEach
    void partnerUp() {
        if (partner == null) {
            partner = partnerPeer(partnerKeystore);
        }
        internet.clear();
        internetTls.clear();
        partner.clear();
        ENGINE_LOG.list.clear();
    }

    private static SmtpPeer partnerPeer(Path keystore) {
        return SmtpPeer.builder().startTls(keystore, KEY_PASSWORD).requireTls().start(partnerPort);
    }

    private static void closePartner() {
        if (partner != null) {
            partner.close();
            partner = null;
        }
    }

    private static void sendFromLan(String recipient, String subject) throws Exception {
        sendFromLan("scanner@lan.example", recipient, subject);
    }

    private static void sendFromLan(String sender, String recipient, String subject) throws Exception {
        assertThat(james.sendFromLan(sender, recipient, subject).code()).isEqualTo(250);
    }

    private static boolean logged(String... texts) {
        return ENGINE_LOG.list.stream().anyMatch(event -> java.util.Arrays.stream(texts).allMatch(event.getFormattedMessage()::contains));
    }

    @Nested
    class Accepting {
        @Test
        void mailFromALanHostShouldReachTheRecipientDomainsMxOverTls() throws Exception {
            sendFromLan("bob@remote.example", "to the internet");

            await().atMost(Duration.ofSeconds(30)).until(() -> internet.transactions().size() == 1);
            assertThat(internet.transactions().get(0).recipients()).containsExactly("bob@remote.example");
            assertThat(ENGINE_LOG.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("to=<bob@remote.example>, hop=internet, relay=mx.remote.example[127.0.0.1]:" + internet.port() + ", tls=TLSv1.")
                .contains("status=sent"));
            assertThat(partner.transactions()).isEmpty();
            assertThat(internetTls.transactions()).isEmpty();
        }

        @Test
        void mailFromTheLegalDepartmentShouldTakeItsSenderRouteAndNotTheDefault() throws Exception {
            sendFromLan("counsel@legal.lan.example", "bob@remote.example", "by sender route");

            await().atMost(Duration.ofSeconds(30)).until(() -> internetTls.transactions().size() == 1);
            assertThat(internetTls.transactions().get(0).sender()).isEqualTo("counsel@legal.lan.example");
            assertThat(internetTls.transactions().get(0).recipients()).containsExactly("bob@remote.example");
            assertThat(internet.transactions()).isEmpty();
            assertThat(partner.transactions()).isEmpty();
        }

        @Test
        void aRecipientRouteShouldWinOverTheSenderRoute() throws Exception {
            sendFromLan("counsel@legal.lan.example", "gina@partner.example", "recipient route first");

            await().atMost(Duration.ofSeconds(30)).until(() -> partner.transactions().size() == 1);
            assertThat(partner.transactions().get(0).recipients()).containsExactly("gina@partner.example");
            assertThat(internetTls.transactions()).isEmpty();
            assertThat(internet.transactions()).isEmpty();
        }

        @Test
        void mailFromAnAuthenticatedUserOn587ShouldBeRelayed() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(james.port(587))) {
                client.greeting();
                client.ehlo("laptop.example");
                assertThat(client.startTls("TLSv1.3").code()).isEqualTo(220);
                client.ehlo("laptop.example");
                assertThat(client.authPlain(ALICE, ALICE_PASSWORD).code()).isEqualTo(235);
                assertThat(client.send(ALICE, List.of("carol@remote.example"),
                    SmtpTestClient.message(ALICE, "carol@remote.example", "from the road", "hello")).code()).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> internet.transactions().size() == 1);
            assertThat(internet.transactions().get(0).sender()).isEqualTo(ALICE);
            assertThat(internet.transactions().get(0).recipients()).containsExactly("carol@remote.example");
        }

        @Test
        void aHostOutsideTheLanShouldNotRelay() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), james.port(25))) {
                client.greeting();
                client.ehlo("outsider.example");
                assertThat(client.command("MAIL FROM:<spammer@outsider.example>").code()).isEqualTo(250);
                assertThat(client.command("RCPT TO:<bob@remote.example>").text()).startsWith("550");
            }
            assertThat(internet.transactions()).isEmpty();
        }

        @Test
        void aUserOn587ShouldNotRelayWithoutAuthentication() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(james.port(587))) {
                client.greeting();
                client.ehlo("laptop.example");
                assertThat(client.startTls("TLSv1.3").code()).isEqualTo(220);
                client.ehlo("laptop.example");
                assertThat(client.command("MAIL FROM:<" + ALICE + ">").text()).startsWith("530 5.7.0");
            }
            assertThat(internet.transactions()).isEmpty();
        }
    }

    @Nested
    class Partner {
        @Test
        void mailForThePartnerShouldTakeItsVerifiedTlsHopAndNotTheOtherMx() throws Exception {
            sendFromLan("dave@partner.example", "to the partner");

            await().atMost(Duration.ofSeconds(30)).until(() -> partner.transactions().size() == 1);
            assertThat(partner.transactions().get(0).recipients()).containsExactly("dave@partner.example");
            assertThat(ENGINE_LOG.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("to=<dave@partner.example>, hop=partner, relay=mx.partner.example[127.0.0.1]:" + partnerPort + ", tls=TLSv1.")
                .contains("status=sent"));
            assertThat(internet.transactions()).isEmpty();
        }

        @Test
        void aPartnerMxWithoutStartTlsShouldGetNoMailFromUntilItOffersTls() throws Exception {
            closePartner();
            try (SmtpPeer plaintext = SmtpPeer.builder().start(partnerPort)) {
                sendFromLan("erin@partner.example", "tls or nothing");

                await().atMost(Duration.ofSeconds(30)).until(() -> logged("to=<erin@partner.example>, hop=partner,", "status=deferred"));
                assertThat(ENGINE_LOG.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
                    .contains("to=<erin@partner.example>").contains("status=deferred (4").contains("4.7.4"));
                // SmtpPeer counts a session when it gets MAIL FROM: none reached it.
                assertThat(plaintext.sessionCount()).isZero();
                assertThat(plaintext.transactions()).isEmpty();
            }

            partnerUp();

            await().atMost(Duration.ofSeconds(30)).until(() -> partner.transactions().size() == 1);
            assertThat(partner.transactions().get(0).recipients()).containsExactly("erin@partner.example");
            assertThat(internet.transactions()).isEmpty();
        }

        @Test
        void aPartnerCertificateNamingAnotherHostShouldBeRefusedAndRetried() throws Exception {
            closePartner();
            try (SmtpPeer impostor = partnerPeer(wrongNameKeystore)) {
                sendFromLan("frank@partner.example", "wrong name");

                await().atMost(Duration.ofSeconds(30)).until(() -> logged("to=<frank@partner.example>, hop=partner,", "status=deferred"));
                assertThat(ENGINE_LOG.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
                    .contains("to=<frank@partner.example>").contains("status=deferred (4").contains("4.7.5"));
                assertThat(impostor.sessionCount()).isZero();
                assertThat(impostor.transactions()).isEmpty();
            }

            partnerUp();

            await().atMost(Duration.ofSeconds(30)).until(() -> partner.transactions().size() == 1);
            assertThat(partner.transactions().get(0).recipients()).containsExactly("frank@partner.example");
            assertThat(internet.transactions()).isEmpty();
        }
    }
}
