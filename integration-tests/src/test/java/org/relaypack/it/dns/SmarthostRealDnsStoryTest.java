package org.relaypack.it.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.AuthoritativeDns;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.Certificates;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.TestResources;

import com.google.common.collect.ImmutableList;

/**
 * conf-samples/smarthost with James's own dnsjava-based DNSService (no double) against an
 * authoritative DNS server on loopback: MX targets come back as absolute names
 * ({@code mx1.remote.mxtest.example.}) and still get STARTTLS, opportunistic and verified; NXDOMAIN,
 * a null MX and an MX pointing at this relay bounce at once with 5.4.4, 5.1.10 and 5.4.6; SERVFAIL
 * is retried. The DSNs go back to the sender's domain, whose MX is the "internet" peer.
 *
 * <p>dnsservice.xml names DNS servers without a port (dnsjava's {@code SimpleResolver(String)} always
 * uses 53, see {@link DnsJavaServiceContractTest#dnsserviceXmlShouldNotTakeAPort()}), so the server
 * listens on port 53 of a random 127.53.x.y address: this story runs only where the tests may bind
 * port 53 (as root, as here and in CI), and is skipped elsewhere with that reason.
 */
class SmarthostRealDnsStoryTest {
    private static final String KEY_PASSWORD = "peer-pass";
    private static final String SENDER = "scanner@senders.mxtest.example";
    private static final String LOOPING_MX_ADDRESS = "127.0.0.12";
    private static AuthoritativeDns dns;
    private static SmtpPeer internet;
    private static SmtpPeer partner;
    private static RelayJames james;
    @RegisterExtension
    static final TestResources resources = TestResources.perClass();

    @BeforeAll
    static void start() throws Exception {
        dns = resources.add(AuthoritativeDns.onPort53OrSkip());
        Path keys = Files.createTempDirectory("relaypack-dns-peers-");
        Path internetKeystore = Certificates.selfSigned(keys.resolve("internet.p12"), KEY_PASSWORD, "mx1.remote.mxtest.example",
            ImmutableList.of("dns:mx1.remote.mxtest.example"));
        Path partnerKeystore = Certificates.selfSigned(keys.resolve("partner.p12"), KEY_PASSWORD, "mx.partner.example",
            ImmutableList.of("dns:mx.partner.example"));
        Path conf = Files.createTempDirectory("relaypack-dns-conf-");
        trustStore(conf.resolve("partner-ca.p12"), "trust-pass", partnerKeystore);
        Files.writeString(conf.resolve("partner-ca.secret"), "trust-pass\n", StandardCharsets.UTF_8);

        // Both peers require TLS: a delivery to them is a delivery over TLS.
        internet = resources.add(SmtpPeer.builder().startTls(internetKeystore, KEY_PASSWORD).requireTls().start());
        partner = resources.add(SmtpPeer.builder().startTls(partnerKeystore, KEY_PASSWORD).requireTls().start());
        dns.mx("remote.mxtest.example", 10, "mx1.remote.mxtest.example").a("mx1.remote.mxtest.example", "127.0.0.1")
            .mx("senders.mxtest.example", 10, "mx1.remote.mxtest.example")
            .mx("partner.example", 10, "mx.partner.example").a("mx.partner.example", "127.0.0.1")
            .nullMx("nomail.mxtest.example").a("nomail.mxtest.example", "127.0.0.1")
            .mx("loop.mxtest.example", 10, "mx.loop.mxtest.example").a("mx.loop.mxtest.example", LOOPING_MX_ADDRESS)
            .servfail("broken.mxtest.example");

        james = resources.add(RelayJames.sample("smarthost")
            .jamesDnsService()
            .substitute("<autodiscover>true</autodiscover>", "<autodiscover>false</autodiscover><servers><server>"
                + dns.address().getAddress().getHostAddress() + "</server></servers>")
            .substitute("name=\"internet\" type=\"mx\" port=\"25\"", "name=\"internet\" type=\"mx\" port=\"" + internet.port() + "\"")
            .substitute("name=\"internet-tls\" type=\"mx\" port=\"25\"", "name=\"internet-tls\" type=\"mx\" port=\"" + internet.port() + "\"")
            .substitute("<host>partner.example:25</host>", "<host>partner.example:" + partner.port() + "</host>")
            // Loopback is where the peers listen; 127.0.0.12 plays this relay's own address.
            .substitute("<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/>", "<retry delays=\"1s\" maxAttempts=\"1000\"/>"
                + "<loopDetection localAddresses=\"" + LOOPING_MX_ADDRESS + "\" allowLoopbackMx=\"true\"/>")
            .extraConf(conf)
            .start());
    }

    private static void trustStore(Path trustStore, String password, Path keystore) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, KEY_PASSWORD.toCharArray());
        }
        trusted.setCertificateEntry("partner", store.getCertificate(Certificates.ALIAS));
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trusted.store(out, password.toCharArray());
        }
    }

    @BeforeEach
    void clear() {
        internet.clear();
        partner.clear();
    }

    private static void sendFromLan(String recipient, String subject) throws Exception {
        assertThat(james.sendFromLan(SENDER, recipient, subject).code()).isEqualTo(250);
    }

    /** The DSN James sent back to the sender (through the sender domain's MX, the internet peer) about this recipient. */
    private static List<SmtpPeer.Transaction> dsnsAbout(String recipient) {
        return internet.transactionsTo(SENDER).stream()
            .filter(transaction -> transaction.sender().isEmpty() && transaction.content().contains(recipient))
            .collect(ImmutableList.toImmutableList());
    }

    @Test
    void anMxFoundByItsAbsoluteNameShouldGetTheMailOverOpportunisticTls() throws Exception {
        sendFromLan("bob@remote.mxtest.example", "to an absolute MX name");

        await().atMost(Duration.ofSeconds(30)).until(() -> internet.transactionsTo("bob@remote.mxtest.example").size() == 1);
        assertThat(dns.queries()).contains("MX remote.mxtest.example.", "A mx1.remote.mxtest.example.");
        assertThat(partner.transactions()).isEmpty();
    }

    @Test
    void thePartnersMxShouldGetTheMailOverTlsVerifiedAgainstItsMxName() throws Exception {
        sendFromLan("gina@partner.example", "verified by the MX name");

        await().atMost(Duration.ofSeconds(30)).until(() -> partner.transactions().size() == 1);
        assertThat(partner.transactions().get(0).recipients()).containsExactly("gina@partner.example");
        assertThat(dns.queries()).contains("MX partner.example.", "A mx.partner.example.");
        assertThat(internet.transactionsTo("gina@partner.example")).isEmpty();
    }

    @Test
    void aRecipientDomainThatDoesNotExistShouldBounceAtOnceWith544() throws Exception {
        sendFromLan("carol@typo.mxtest.example", "nxdomain");

        await().atMost(Duration.ofSeconds(30)).until(() -> dsnsAbout("carol@typo.mxtest.example").size() == 1);
        assertThat(dsnsAbout("carol@typo.mxtest.example").get(0).content()).contains("5.4.4").doesNotContain("4.4.3");
    }

    @Test
    void aNullMxShouldBounceAtOnceWith5110() throws Exception {
        sendFromLan("dave@nomail.mxtest.example", "null mx");

        await().atMost(Duration.ofSeconds(30)).until(() -> dsnsAbout("dave@nomail.mxtest.example").size() == 1);
        assertThat(dsnsAbout("dave@nomail.mxtest.example").get(0).content()).contains("5.1.10").contains("does not accept mail");
        assertThat(internet.transactionsTo("dave@nomail.mxtest.example")).isEmpty();
    }

    @Test
    void anMxPointingAtThisRelayShouldBounceAsALoopWith546() throws Exception {
        sendFromLan("erin@loop.mxtest.example", "loop");

        await().atMost(Duration.ofSeconds(30)).until(() -> dsnsAbout("erin@loop.mxtest.example").size() == 1);
        assertThat(dsnsAbout("erin@loop.mxtest.example").get(0).content()).contains("5.4.6").contains("loops back to myself");
        assertThat(internet.transactionsTo("erin@loop.mxtest.example")).isEmpty();
    }

    @Test
    void servfailShouldBeRetriedAndNotBounced() throws Exception {
        sendFromLan("frank@broken.mxtest.example", "servfail");

        // Retried (every second here): the MX lookup is asked again, and no DSN is sent.
        await().atMost(Duration.ofSeconds(30)).until(() -> dns.queries().stream().filter("MX broken.mxtest.example."::equals).count() >= 3);
        assertThat(dsnsAbout("frank@broken.mxtest.example")).isEmpty();
        assertThat(internet.transactionsTo("frank@broken.mxtest.example")).isEmpty();
    }
}
