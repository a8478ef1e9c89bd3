package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.delivery.TestMails.tlsRequiredNoMail;

import org.relaypack.testing.ScriptedSmtpPeer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.delivery.MtaStsFixtures.Certificates;
import org.relaypack.delivery.MtaStsFixtures.Dns;
import org.relaypack.delivery.MtaStsFixtures.PolicyServer;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsRequirement;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.mtasts.MtaStsSettings;

import com.google.common.collect.ImmutableSet;

/**
 * MTA-STS stories on loopback with real protocols: the recipient domain example.test publishes its
 * _mta-sts TXT record (dnsjava's form), its policy on an HTTPS server with a certificate of the
 * test CA, and its MX hosts are SMTP peers whose certificates name them, or not.
 */
class MtaStsDeliveryTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String RECIPIENT = "bob@example.test";
    private static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n";
    private static final String TESTING = "version: STSv1\nmode: testing\nmx: mx1.example.test\nmax_age: 86400\n";

    private final Certificates certificates = Certificates.get();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private PolicyServer policyServer;
    private Dns dns;

    @TempDir
    Path cacheDirectory;

    @BeforeEach
    void setUp() {
        policyServer = new PolicyServer(certificates.sts());
        closeables.add(policyServer);
        dns = new Dns();
        dns.address("mta-sts.example.test", LOOPBACK)
            .mx("example.test", "mx1.example.test.")
            .address("mx1.example.test", LOOPBACK)
            .address("evil.example.test", LOOPBACK);
        dns.stsRecord("example.test", "20261130");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private NextHop internet() {
        return internet(policyServer.port(), Duration.ofSeconds(10));
    }

    private NextHop internet(int policyPort, Duration policyTimeout) {
        TlsPolicy.TrustStore trustStore = certificates.trustStore();
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX)
            .tls(new TlsPolicy(TlsMode.MTA_STS, false, Optional.of(trustStore), TlsPolicy.OPPORTUNISTIC_MIN_PROTOCOL))
            .mtaSts(new MtaStsSettings(policyPort, policyTimeout, Optional.of(trustStore)))
            .loopDetection(LoopDetection.of(ImmutableSet.of(), true))
            .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).heloName("relay.relaypack.test")
            .build();
    }

    private ScriptedSmtpPeer mx(ScriptedSmtpPeer.Builder script) {
        ScriptedSmtpPeer peer = script.start();
        closeables.add(peer);
        return peer;
    }

    private ScriptedSmtpPeer mxWithCertificateOfItsName() {
        return mx(ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2"));
    }

    private ScriptedSmtpPeer mxWithCertificateForAnotherName() {
        return mx(ScriptedSmtpPeer.builder().startTls(certificates.otherName(), "TLSv1.3", "TLSv1.2"));
    }

    private SmtpTransport transport(ScriptedSmtpPeer mx, MtaStsPolicies policies) {
        SmtpTransport transport = new SmtpTransport(dns, Clock.systemUTC(), mx.port(), false, policies);
        closeables.add(transport);
        return transport;
    }

    private SmtpTransport transport(ScriptedSmtpPeer mx) {
        return transport(mx, MtaStsPolicies.inMemory(dns, Clock.systemUTC()));
    }

    /** example.test's only MX host, evil.example.test, is one the enforced policy does not name. */
    private ScriptedSmtpPeer onlyAnMxThePolicyDoesNotName() {
        dns.dropRecord("example.test");
        dns.mx("example.test", "evil.example.test.");
        policyServer.policy(ENFORCE);
        return mxWithCertificateOfItsName();
    }

    /** Delivers and returns the INFO+ lines the pack logged meanwhile. */
    private static List<String> deliver(SmtpTransport transport, NextHop hop, Mail mail, AtomicReference<DeliveryResult> result) {
        return LogCapture.infoOf("org.relaypack", () -> result.set(transport.deliver(hop, mail)));
    }

    @Nested
    class Enforce {
        @Test
        void aMatchingMxWithAValidCertificateShouldGetTheMailOverVerifiedTls() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mxWithCertificateOfItsName();

            DeliveryResult result = transport(mx).deliver(internet(), mail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(result.tlsProtocol()).hasValueSatisfying(protocol -> assertThat(protocol).isIn("TLSv1.2", "TLSv1.3"));
            assertThat(mx.serverNames()).containsExactly("mx1.example.test");
            assertThat(mx.messages()).hasSize(1);
            assertThat(policyServer.requests()).isEqualTo(1);
        }

        @Test
        void strippedStartTlsShouldSendNothingAndDeferTheMail() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail("m1", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(result.get().outcomes().get(0).reply().asString()).contains("4.7.4", "TLS is required");
            assertThat(mx.sawCommand("MAIL")).isFalse();
            assertThat(mx.messages()).isEmpty();
            assertThat(log).anySatisfy(line -> assertThat(line).contains("MTA-STS", "mx1.example.test", "enforced policy", "4.7.4"));
        }

        @Test
        void aCertificateForAnotherNameShouldSendNothing() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mxWithCertificateForAnotherName();

            DeliveryResult result = transport(mx).deliver(internet(), mail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(result.outcomes().get(0).reply().asString()).contains("4.7.5", "mx1.example.test");
            assertThat(mx.sawCommand("MAIL")).isFalse();
            assertThat(mx.messages()).isEmpty();
        }

        @Test
        void anMxThePolicyDoesNotNameShouldNotBeUsed() throws Exception {
            dns.dropRecord("example.test");
            dns.mx("example.test", "evil.example.test.", "mx1.example.test.");
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mxWithCertificateOfItsName();
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail("m1", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(mx.serverNames()).containsExactly("mx1.example.test");
            assertThat(mx.sessions()).isEqualTo(1);
            assertThat(log).anySatisfy(line -> assertThat(line).contains("MX host evil.example.test is not named by the enforced policy"));
        }

        @Test
        void noMxThePolicyNamesShouldDeferWithoutAnyConnection() throws Exception {
            ScriptedSmtpPeer mx = onlyAnMxThePolicyDoesNotName();

            DeliveryResult result = transport(mx).deliver(internet(), mail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(result.outcomes().get(0).reply().asString())
                .isEqualTo("451 4.7.5 MTA-STS policy of example.test (enforce, id 20261130, mx mx1.example.test, max_age 86400) "
                    + "names none of its MX hosts (evil.example.test): not delivered");
            assertThat(mx.sessions()).isZero();
        }
    }

    @Nested
    class Testing {
        @Test
        void aCertificateForAnotherNameShouldStillGetTheMailAndBeLogged() throws Exception {
            policyServer.policy(TESTING);
            ScriptedSmtpPeer mx = mxWithCertificateForAnotherName();
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail("m1", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(result.get().tlsProtocol()).isPresent();
            assertThat(mx.messages()).hasSize(1);
            assertThat(log).anySatisfy(line -> assertThat(line)
                .contains("MTA-STS testing", "certificate-host-mismatch", "other.example", "delivered anyway"));
        }

        @Test
        void strippedStartTlsShouldStillGetTheMailInPlaintextAndBeLogged() throws Exception {
            policyServer.policy(TESTING);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail("m1", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(mx.messages()).hasSize(1);
            assertThat(log).anySatisfy(line -> assertThat(line).contains("MTA-STS testing", "starttls-not-supported"));
        }

        @Test
        void anMxThePolicyDoesNotNameShouldStillGetTheMailAndBeLogged() throws Exception {
            dns.dropRecord("example.test");
            dns.mx("example.test", "evil.example.test.");
            policyServer.policy(TESTING);
            ScriptedSmtpPeer mx = mxWithCertificateOfItsName();
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail("m1", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(mx.serverNames()).containsExactly("evil.example.test");
            assertThat(log).anySatisfy(line -> assertThat(line)
                .contains("MTA-STS testing", "MX host evil.example.test is not named by the policy", "delivering anyway"));
        }

        @Test
        void aValidSessionShouldLogNoPolicyFailure() throws Exception {
            policyServer.policy(TESTING);
            ScriptedSmtpPeer mx = mxWithCertificateOfItsName();
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail("m1", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(log).noneSatisfy(line -> assertThat(line).contains("MTA-STS testing"));
        }
    }

    /** {@code TLS-Required: No} (RFC 8689 section 4.2.2): the enforced policy is set aside for that mail, and for it only. */
    @Nested
    class TlsRequiredNo {
        @Test
        void strippedStartTlsShouldDeliverATlsRequiredNoMailInPlaintextAndStillDeferTheOthers() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            SmtpTransport transport = transport(mx);
            AtomicReference<DeliveryResult> relaxed = new AtomicReference<>();

            List<String> log = deliver(transport, internet(), tlsRequiredNoMail("m1", RECIPIENT), relaxed);
            DeliveryResult enforced = transport.deliver(internet(), mail("m2", RECIPIENT));

            assertThat(relaxed.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(relaxed.get().tlsProtocol()).isEmpty();
            assertThat(log).anySatisfy(line -> assertThat(line).contains("TLS-Required: No", "mail=m1", "domain=example.test",
                "set aside (MTA-STS policy of example.test (enforce", "get opportunistic TLS"));
            assertThat(enforced.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(enforced.outcomes().get(0).reply().asString()).contains("4.7.4", "TLS is required");
            assertThat(mx.messages()).singleElement().asString().contains("Subject: m1");
        }

        @Test
        void aCertificateForAnotherNameShouldNotStopATlsRequiredNoMail() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mxWithCertificateForAnotherName();

            DeliveryResult result = transport(mx).deliver(internet(), tlsRequiredNoMail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            // TLS is still used where offered, without the policy's certificate check
            assertThat(result.tlsProtocol()).isPresent();
            assertThat(mx.messages()).hasSize(1);
        }

        @Test
        void anMxThePolicyDoesNotNameShouldGetATlsRequiredNoMail() throws Exception {
            ScriptedSmtpPeer mx = onlyAnMxThePolicyDoesNotName();

            DeliveryResult result = transport(mx).deliver(internet(), tlsRequiredNoMail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(mx.serverNames()).containsExactly("evil.example.test");
            assertThat(mx.messages()).hasSize(1);
        }

        @Test
        void requireTlsShouldWinOverTheHeader() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            Mail mail = tlsRequiredNoMail("m1", RECIPIENT);
            TlsRequirement.markRequireTls(mail);
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail, result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(result.get().outcomes().get(0).reply().asString()).contains("4.7.4", "TLS is required");
            assertThat(mx.sawCommand("MAIL")).isFalse();
            assertThat(mx.messages()).isEmpty();
            assertThat(log).noneSatisfy(line -> assertThat(line).contains("TLS-Required: No"));
        }
    }

    /**
     * REQUIRETLS (RFC 8689 4.2.1): an MX host an enforced policy names, with a certificate of its name,
     * may carry a REQUIRETLS mail; under a testing policy the pack does not count the MX as validated
     * (docs/requiretls.md), so the mail is refused before any connection.
     */
    @Nested
    class RequireTls {
        private Mail requireTlsMail() throws Exception {
            Mail mail = mail("m1", RECIPIENT);
            TlsRequirement.markRequireTls(mail);
            return mail;
        }

        @Test
        void anMxTheEnforcedPolicyNamesShouldGetTheMailWithRequireTlsOnMail() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2").extensions("REQUIRETLS"));

            DeliveryResult result = transport(mx).deliver(internet(), requireTlsMail());

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(mx.commands()).anyMatch(command -> command.startsWith("MAIL FROM:<") && command.endsWith(" REQUIRETLS"));
            assertThat(mx.messages()).hasSize(1);
        }

        @Test
        void aTestingPolicyShouldNotCarryARequireTlsMail() throws Exception {
            policyServer.policy(TESTING);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2").extensions("REQUIRETLS"));

            DeliveryResult result = transport(mx).deliver(internet(), requireTlsMail());

            assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(result.outcomes().get(0).reply().asString()).startsWith("550 5.7.10 REQUIRETLS");
            assertThat(mx.sawCommand("MAIL")).isFalse();
            assertThat(mx.messages()).isEmpty();
        }
    }

    @Nested
    class Discovery {
        @Test
        void aDomainWithoutTxtRecordShouldGetOpportunisticDeliveryAndNoFetch() throws Exception {
            dns.txt("_mta-sts.example.test");
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());

            DeliveryResult result = transport(mx).deliver(internet(), mail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(result.tlsProtocol()).isEmpty();
            assertThat(policyServer.requests()).isZero();
        }

        @Test
        void aPolicyInModeNoneShouldGetOpportunisticDelivery() throws Exception {
            policyServer.policy("version: STSv1\nmode: none\nmax_age: 86400\n");
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());

            DeliveryResult result = transport(mx).deliver(internet(), mail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(policyServer.requests()).isEqualTo(1);
        }

        @Test
        void theSameTxtIdShouldUseTheCachedPolicyAndANewIdShouldFetchAgain() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            SmtpTransport transport = transport(mx);

            DeliveryResult first = transport.deliver(internet(), mail("m1", RECIPIENT));
            DeliveryResult second = transport.deliver(internet(), mail("m2", RECIPIENT));
            assertThat(policyServer.requests()).isEqualTo(1);

            policyServer.policy(TESTING);
            dns.stsRecord("example.test", "20261201");
            DeliveryResult third = transport.deliver(internet(), mail("m3", RECIPIENT));

            assertThat(first.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(second.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(policyServer.requests()).isEqualTo(2);
            assertThat(third.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(mx.messages()).hasSize(1);
        }

        @Test
        void aFailedFetchShouldKeepEnforcingTheCachedPolicy() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            SmtpTransport transport = transport(mx);
            transport.deliver(internet(), mail("m1", RECIPIENT));

            policyServer.answer(500, "text/plain", "down".getBytes(StandardCharsets.US_ASCII));
            dns.stsRecord("example.test", "20261201");
            AtomicReference<DeliveryResult> result = new AtomicReference<>();
            List<String> log = deliver(transport, internet(), mail("m2", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(mx.messages()).isEmpty();
            assertThat(policyServer.requests()).isEqualTo(2);
            assertThat(log).anySatisfy(line -> assertThat(line).contains("HTTP status 500", "the cached policy", "still applies"));
        }

        @Test
        void theCacheShouldSurviveANewEngineOnTheSameDirectory() throws Exception {
            policyServer.policy(ENFORCE);
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            transport(mx, MtaStsPolicies.withCache(dns, Clock.systemUTC(), cacheDirectory)).deliver(internet(), mail("m1", RECIPIENT));
            assertThat(cacheDirectory.resolve("example.test.properties")).exists();

            policyServer.close();
            dns.txt("_mta-sts.example.test");
            DeliveryResult afterRestart = transport(mx, MtaStsPolicies.withCache(dns, Clock.systemUTC(), cacheDirectory))
                .deliver(internet(), mail("m2", RECIPIENT));

            assertThat(afterRestart.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(afterRestart.outcomes().get(0).reply().asString()).contains("4.7.4");
            assertThat(mx.messages()).isEmpty();
            assertThat(Files.list(cacheDirectory)).containsExactly(cacheDirectory.resolve("example.test.properties"));
        }
    }

    @Nested
    class UnusablePolicy {
        private void assertTreatedAsNoPolicy(String reason) throws Exception {
            ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
            AtomicReference<DeliveryResult> result = new AtomicReference<>();

            List<String> log = deliver(transport(mx), internet(), mail("m1", RECIPIENT), result);

            assertThat(result.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(mx.messages()).hasSize(1);
            assertThat(log).anySatisfy(line -> assertThat(line)
                .contains("MTA-STS: no policy for example.test (TXT id 20261130)", reason, "as to a domain without a policy"));
        }

        @Test
        void aMalformedPolicyShouldCountAsNoPolicy() throws Exception {
            policyServer.policy("version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: forever\n");

            assertTreatedAsNoPolicy("policy line 4 has max_age 'forever'");
        }

        @Test
        void aRedirectShouldNotBeFollowed() throws Exception {
            policyServer.redirect("https://elsewhere.example/.well-known/mta-sts.txt");

            assertTreatedAsNoPolicy("answered 301 (redirect to https://elsewhere.example/.well-known/mta-sts.txt)");
        }

        @Test
        void anOversizedBodyShouldBeRefused() throws Exception {
            policyServer.answer(200, "text/plain", (ENFORCE + "x".repeat(70 * 1024)).getBytes(StandardCharsets.US_ASCII));

            assertTreatedAsNoPolicy("more than the 65536 allowed");
        }

        @Test
        void anotherContentTypeShouldBeRefused() throws Exception {
            policyServer.answer(200, "text/html", ENFORCE.getBytes(StandardCharsets.US_ASCII));

            assertTreatedAsNoPolicy("Content-Type 'text/html', not text/plain");
        }

        @Test
        void aPolicyServerThatNeverAnswersShouldBeGivenUpAtTheDeadline() throws Exception {
            try (ServerSocket silent = new ServerSocket(0, 50, LOOPBACK)) {
                // accepts the connection (the backlog does), never speaks TLS
                ScriptedSmtpPeer mx = mx(ScriptedSmtpPeer.builder());
                AtomicReference<DeliveryResult> result = new AtomicReference<>();

                List<String> log = deliver(transport(mx), internet(silent.getLocalPort(), Duration.ofSeconds(2)), mail("m1", RECIPIENT), result);

                assertThat(result.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
                assertThat(log).anySatisfy(line -> assertThat(line)
                    .contains("MTA-STS: no policy for example.test", "timed out after 2s", "as to a domain without a policy"));
            }
        }

        @Test
        void aPolicyServerWithACertificateForAnotherNameShouldNotBeBelieved() throws Exception {
            policyServer.close();
            policyServer = new PolicyServer(certificates.otherName()).policy(ENFORCE);
            closeables.add(policyServer);

            assertTreatedAsNoPolicy("No subject alternative DNS name matching mta-sts.example.test");
        }
    }
}
