package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.hop;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.apache.mailet.Mail;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.TestCertificates;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.auth.UsernamePasswordValidator;
import org.subethamail.smtp.server.SMTPServer;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

import com.google.common.collect.ImmutableList;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/** TLS policies and AUTH against real peers: SubEthaSMTP (STARTTLS), GreenMail (implicit TLS), scripted peers. */
class SmtpTransportTlsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String USER = "relay";
    private static final String PASSWORD = "s3cret";
    private static final Credentials CREDENTIALS = new Credentials(USER, () -> PASSWORD, "inline");
    private static final Credentials WRONG_CREDENTIALS = new Credentials(USER, () -> "wrong", "inline");

    private final TestCertificates certificates = TestCertificates.get();
    private final List<AutoCloseable> peers = new ArrayList<>();
    private SmtpTransport testee;

    @BeforeEach
    void setUp() {
        DnsJavaShapedDns dns = new DnsJavaShapedDns();
        dns.registerRecord("localhost", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
        testee = new SmtpTransport(dns, Clock.systemUTC(), SmtpTransport.SMTP_PORT, false);
    }

    @AfterEach
    void tearDown() throws Exception {
        testee.close();
        for (AutoCloseable peer : peers) {
            peer.close();
        }
    }

    /** A SubEthaSMTP peer offering STARTTLS with the given certificate, recording messages, logins and sessions. */
    private final class StartTlsPeer implements AutoCloseable {
        private final SMTPServer server;
        private final List<String> messages = new CopyOnWriteArrayList<>();
        private final List<String> logins = new CopyOnWriteArrayList<>();
        private final AtomicInteger sessions = new AtomicInteger();

        private StartTlsPeer(SSLContext tls, boolean requireTls, Optional<String> onlyMechanism, boolean withAuth) {
            UsernamePasswordValidator validator = (user, password, context) -> {
                logins.add(user + ":" + password);
                if (!USER.equals(user) || !PASSWORD.equals(password)) {
                    throw new LoginFailedException();
                }
            };
            SMTPServer.Builder builder = SMTPServer.port(0)
                .bindAddress(LOOPBACK)
                .hostName("localhost")
                .startTlsSocketFactory(tls)
                .enableTLS()
                .requireTLS(requireTls)
                .sessionHandler(new SessionHandler() {
                    @Override
                    public SessionAcceptance accept(Session session) {
                        sessions.incrementAndGet();
                        return SessionAcceptance.success();
                    }

                    @Override
                    public void onSessionEnd(Session session) {
                    }
                })
                .messageHandler((context, from, to, data) -> messages.add(new String(data, StandardCharsets.UTF_8)));
            if (withAuth) {
                AuthenticationHandlerFactory auth = onlyMechanism.isPresent()
                    ? new LoginAuthenticationHandlerFactory(validator)
                    : new EasyAuthenticationHandlerFactory(validator);
                builder.authenticationHandlerFactory(auth).requireAuth();
            }
            server = builder.build();
            server.start();
            peers.add(this);
        }

        int port() {
            return server.getPortAllocated();
        }

        @Override
        public void close() {
            server.stop();
        }
    }

    private StartTlsPeer startTlsPeerRequiringAuth() {
        return new StartTlsPeer(certificates.goodServerContext(), true, Optional.empty(), true);
    }

    /** Mail m1 for rcpt@remote.test to the peer on this port, as the hop "smarthost" with this TLS policy. */
    private DeliveryResult deliver(int port, TlsPolicy tls) throws Exception {
        return testee.deliver(hop("smarthost", port).tls(tls).build(), mail("m1", "rcpt@remote.test"));
    }

    /** The same, authenticating with these credentials. */
    private DeliveryResult deliver(int port, TlsPolicy tls, Credentials credentials) throws Exception {
        return testee.deliver(hop("smarthost", port).tls(tls).credentials(credentials).build(), mail("m1", "rcpt@remote.test"));
    }

    /** The mail deferred and nothing handed to the peer; the reply's text, to assert on. */
    private static AbstractStringAssert<?> assertDeferredAndNotSent(DeliveryResult result, StartTlsPeer peer) {
        assertThat(peer.messages).isEmpty();
        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
        return assertThat(result.outcomes().get(0).reply().text());
    }

    private ScriptedSmtpPeer scripted(ScriptedSmtpPeer.Builder builder) {
        ScriptedSmtpPeer peer = builder.start();
        peers.add(peer);
        return peer;
    }

    @Nested
    class StartTls {
        @Test
        void deliverShouldUseStartTlsAndAuthPlainWhenThePeerRequiresBoth() throws Exception {
            StartTlsPeer peer = startTlsPeerRequiringAuth();

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED), CREDENTIALS);

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(result.tlsProtocol()).hasValueSatisfying(protocol -> assertThat(protocol).isIn("TLSv1.2", "TLSv1.3"));
            assertThat(result.tlsCipher()).isPresent();
            assertThat(peer.logins).containsExactly(USER + ":" + PASSWORD);
            assertThat(peer.messages).singleElement().satisfies(message -> assertThat(message)
                .contains("Subject: m1\r\n")
                .endsWith("\r\nHello,\r\n.leading dot survives\r\n..two dots survive\r\nbare LF line\r\nbye\r\n"));
        }

        @Test
        void deliverShouldLogTheTlsProtocolAndCipherOfTheAttempt() throws Exception {
            StartTlsPeer peer = startTlsPeerRequiringAuth();
            NextHop hop = hop("smarthost", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).credentials(CREDENTIALS).build();

            Mail mail = mail("m1", "rcpt@remote.test");

            List<String> lines = LogCapture.infoOf(SmtpTransport.class, () -> testee.deliver(hop, mail));

            assertThat(lines).singleElement().satisfies(line -> assertThat(line)
                .containsPattern("mail=m1 hop=smarthost host=localhost\\[127\\.0\\.0\\.1\\]:" + peer.port() + " tls=TLSv1\\.[23] TLS_\\w+ replies=\\{rcpt@remote.test=\"250 ")
                .doesNotContain(PASSWORD));
        }

        @Test
        void deliverShouldUseAuthLoginWhenOnlyLoginIsOffered() throws Exception {
            StartTlsPeer peer = new StartTlsPeer(certificates.goodServerContext(), true, Optional.of("LOGIN"), true);

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED), CREDENTIALS);

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(peer.logins).containsExactly(USER + ":" + PASSWORD);
        }

        @Test
        void deliverShouldDeferWhenCredentialsAreRefused() throws Exception {
            StartTlsPeer peer = startTlsPeerRequiringAuth();

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED), WRONG_CREDENTIALS);

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(result.outcomes().get(0).reply().code()).isEqualTo(535);
            assertThat(peer.messages).isEmpty();
        }

        @Test
        void deliverShouldDeferWhenThePasswordCannotBeRead() throws Exception {
            StartTlsPeer peer = startTlsPeerRequiringAuth();
            Credentials unreadable = new Credentials(USER, () -> {
                throw new IllegalStateException("password file /etc/relaypack/smarthost.secret is unreadable");
            }, "file:/etc/relaypack/smarthost.secret");

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED), unreadable);

            assertDeferredAndNotSent(result, peer).startsWith("4.3.0").contains("unreadable");
        }

        @Test
        void deliverShouldDeferWhenTheServerOffersNoAuthWhileCredentialsAreConfigured() throws Exception {
            StartTlsPeer peer = new StartTlsPeer(certificates.goodServerContext(), true, Optional.empty(), false);

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED), CREDENTIALS);

            assertDeferredAndNotSent(result, peer).contains("offers no AUTH");
        }

        @Test
        void deliverShouldRefuseACertificateNamingAnotherHostWhenVerifying() throws Exception {
            StartTlsPeer peer = new StartTlsPeer(certificates.wrongNameServerContext(), true, Optional.empty(), false);

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED, true));

            assertDeferredAndNotSent(result, peer).startsWith("4.7.5");
        }

        @Test
        void deliverShouldAcceptACertificateNamingAnotherHostWhenNotVerifying() throws Exception {
            StartTlsPeer peer = new StartTlsPeer(certificates.wrongNameServerContext(), true, Optional.empty(), false);

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED, false));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(result.tlsProtocol()).isPresent();
            assertThat(peer.messages).hasSize(1);
        }

        @Test
        void deliverShouldRefuseACertificateOutsideTheTrustStore() throws Exception {
            StartTlsPeer peer = new StartTlsPeer(certificates.goodServerContext(), true, Optional.empty(), false);

            DeliveryResult result = deliver(peer.port(), TlsPolicy.of(TlsMode.STARTTLS_REQUIRED));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(peer.messages).isEmpty();
        }

        @Test
        void opportunisticShouldUseStartTlsWhenOffered() throws Exception {
            StartTlsPeer peer = new StartTlsPeer(certificates.wrongNameServerContext(), false, Optional.empty(), false);

            DeliveryResult result = deliver(peer.port(), TlsPolicy.of(TlsMode.OPPORTUNISTIC));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(result.tlsProtocol()).isPresent();
        }

        @Test
        void deliverShouldReuseTlsSessionsAcrossMessages() throws Exception {
            StartTlsPeer peer = startTlsPeerRequiringAuth();
            NextHop hop = hop("smarthost", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).credentials(CREDENTIALS).build();

            for (int i = 0; i < 10; i++) {
                testee.deliver(hop, mail("m" + i, "rcpt@remote.test"));
            }

            assertThat(peer.messages).hasSize(10);
            assertThat(peer.sessions.get()).isLessThan(10).isEqualTo(1);
        }

        @Test
        void hopsWithDifferentCredentialsShouldNotShareSessions() throws Exception {
            StartTlsPeer peer = startTlsPeerRequiringAuth();
            Credentials sameUserOtherSource = new Credentials(USER, () -> PASSWORD, "env:OTHER");

            deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED), CREDENTIALS);
            testee.deliver(hop("smarthost", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).credentials(sameUserOtherSource).build(),
                mail("m2", "rcpt@remote.test"));

            assertThat(peer.sessions.get()).isEqualTo(2);
            assertThat(peer.logins).hasSize(2);
        }
    }

    @Nested
    class PolicyWithoutTls {
        @Test
        void starttlsRequiredShouldDeferWithoutMailFromWhenStartTlsIsNotOffered() throws Exception {
            ScriptedSmtpPeer peer = scripted(ScriptedSmtpPeer.builder().extensions("PIPELINING", "SIZE 1000000"));

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(result.outcomes().get(0).reply().text()).startsWith("4.7.4 TLS is required, but was not offered");
            assertThat(peer.sawCommand("EHLO")).isTrue();
            assertThat(peer.sawCommand("MAIL")).isFalse();
            assertThat(peer.commands()).endsWith("QUIT");
        }

        @Test
        void credentialsShouldNeverBeSentWithoutTls() throws Exception {
            ScriptedSmtpPeer peer = scripted(ScriptedSmtpPeer.builder().extensions("AUTH PLAIN LOGIN"));

            DeliveryResult opportunistic = testee.deliver(hop("opportunistic", peer.port())
                .tls(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).credentials(CREDENTIALS).build(), mail("m1", "rcpt@remote.test"));
            DeliveryResult none = testee.deliver(hop("none", peer.port())
                .tls(TlsPolicy.of(TlsMode.NONE)).credentials(CREDENTIALS).build(), mail("m2", "rcpt@remote.test"));

            assertThat(opportunistic.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(none.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(peer.sawCommand("AUTH")).isFalse();
            assertThat(peer.sawCommand("MAIL")).isFalse();
            assertThat(peer.commands()).noneSatisfy(line -> assertThat(line).contains(PASSWORD));
        }

        /** Mode none never starts TLS, even where offered; opportunistic goes on in plaintext where it is not offered. */
        @ParameterizedTest(name = "{0}, STARTTLS offered: {1}")
        @CsvSource({"NONE, true", "OPPORTUNISTIC, false"})
        void deliverShouldGoOnInPlaintextWhenThePolicyOrThePeerHasNoTls(TlsMode mode, boolean startTlsOffered) throws Exception {
            ScriptedSmtpPeer peer = scripted(startTlsOffered
                ? ScriptedSmtpPeer.builder().extensions("STARTTLS", "SIZE 1000000") : ScriptedSmtpPeer.builder());

            DeliveryResult result = deliver(peer.port(), TlsPolicy.of(mode));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(peer.sawCommand("STARTTLS")).isFalse();
            assertThat(result.tlsProtocol()).isEmpty();
        }

        @Test
        void implicitShouldNeverFallBackToPlaintext() throws Exception {
            ScriptedSmtpPeer peer = scripted(ScriptedSmtpPeer.builder());

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.IMPLICIT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(result.outcomes().get(0).reply().text()).startsWith("4.7.5");
            assertThat(peer.sessions()).isEqualTo(1);
            assertThat(peer.sawCommand("MAIL")).isFalse();
        }
    }

    @Nested
    class ProtocolFloor {
        @Test
        void deliverShouldRefuseAPeerSpeakingOnlyTlsV11() throws Exception {
            ScriptedSmtpPeer peer = scripted(ScriptedSmtpPeer.builder().implicitTls(certificates.goodServerContext(), "TLSv1.1"));

            DeliveryResult result = deliver(peer.port(), TestTlsPolicies.policy(TlsMode.IMPLICIT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(result.outcomes().get(0).reply().text()).startsWith("4.7.5");
            assertThat(peer.sawCommand("EHLO")).isFalse();
        }

        /** The control of the test above: this JVM can reach the peer, so only the floor refused it. */
        @Test
        void deliverShouldReachTheTlsV11PeerWhenTheFloorIsLowered() throws Exception {
            ScriptedSmtpPeer peer = scripted(ScriptedSmtpPeer.builder().implicitTls(certificates.goodServerContext(), "TLSv1.1"));
            TlsPolicy lowFloor = new TlsPolicy(TlsMode.IMPLICIT, true, Optional.of(TestTlsPolicies.trustStore()), TlsProtocolVersion.TLS_V1_1);

            DeliveryResult result = deliver(peer.port(), lowFloor);

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(result.tlsProtocol()).contains("TLSv1.1");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class ImplicitTls {
        private GreenMail greenMail;
        private int port;

        @BeforeAll
        void startGreenMail() throws IOException {
            System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY, certificates.goodKeyStore().toString());
            System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY, TestCertificates.PASSWORD);
            System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY, TestCertificates.PASSWORD);
            try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
                port = socket.getLocalPort();
            }
            greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
            greenMail.start();
            greenMail.setUser("relay@localhost", USER, PASSWORD);
        }

        @AfterAll
        void stopGreenMail() {
            greenMail.stop();
            System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY);
            System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY);
            System.clearProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY);
        }

        @BeforeEach
        void purge() throws Exception {
            greenMail.purgeEmailFromAllMailboxes();
        }

        @Test
        void deliverShouldSpeakTlsFromTheFirstByteAndAuthenticate() throws Exception {
            DeliveryResult result = deliver(port, TestTlsPolicies.policy(TlsMode.IMPLICIT), CREDENTIALS);

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).hasSize(1);
            assertThat(result.tlsProtocol()).isPresent();
            assertThat(greenMail.getReceivedMessages()).singleElement()
                .satisfies(message -> assertThat(message.getSubject()).isEqualTo("m1"));
        }

        @Test
        void deliverShouldDeferWhenImplicitTlsCredentialsAreRefused() throws Exception {
            DeliveryResult result = deliver(port, TestTlsPolicies.policy(TlsMode.IMPLICIT), WRONG_CREDENTIALS);

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).hasSize(1);
            assertThat(greenMail.getReceivedMessages()).isEmpty();
        }
    }
}
