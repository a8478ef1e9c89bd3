package org.relaypack.it.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import javax.mail.BodyPart;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.it.harness.AuthoritativeDns;
import org.relaypack.it.harness.ConcurrentListAppender;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.Certificates;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;
import org.relaypack.testing.TestResources;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import com.google.common.collect.ImmutableList;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * conf-samples/smarthost with {@code <tls mode="mta-sts">} on its "internet" hop, James's own
 * dnsjava DNSService against an authoritative DNS server on loopback (TXT records as the internet
 * serves them), an HTTPS policy server and the MX peer with certificates of a test CA.
 * sts.mxtest.example enforces a policy naming its MX: the mail goes there over verified TLS, and the
 * policy lands in James's var/relaypack/mta-sts/. mismatch.mxtest.example enforces a policy that
 * names another host: each attempt defers its mail with 4.7.5 (the delivery log says so) and the MX (which would take plaintext)
 * never gets it, unless the mail says {@code TLS-Required: No}. Runs where port 53 may be bound, as {@link SmarthostRealDnsStoryTest}.
 */
class MtaStsRealDnsStoryTest {
    private static final String PASSWORD = "story-pass";
    private static final String SENDER = "scanner@lan.example";
    private static AuthoritativeDns dns;
    private static HttpsServer policyServer;
    private static SmtpPeer mx;
    private static RelayJames james;
    private static Path tlsReports;
    private static final String YESTERDAY = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
    @RegisterExtension
    static final TestResources resources = TestResources.perClass();

    private static final Map<String, String> POLICIES = Map.of(
        "mta-sts.sts.mxtest.example", "version: STSv1\nmode: enforce\nmx: mx1.sts.mxtest.example\nmax_age: 86400\n",
        "mta-sts.mismatch.mxtest.example", "version: STSv1\nmode: enforce\nmx: mx.elsewhere.example\nmax_age: 86400\n");

    private static final ListAppender<ILoggingEvent> DELIVERY_LOG = new ConcurrentListAppender();

    @BeforeAll
    static void start() throws Exception {
        DELIVERY_LOG.start();
        Logger deliveryLog = (Logger) LoggerFactory.getLogger("org.relaypack.delivery.DeliveryLog");
        deliveryLog.addAppender(DELIVERY_LOG);
        resources.add(() -> deliveryLog.detachAppender(DELIVERY_LOG));
        dns = resources.add(AuthoritativeDns.onPort53OrSkip());
        Path keys = Files.createTempDirectory("relaypack-mtasts-keys-");
        Path ca = Certificates.newCa(keys.resolve("ca"), PASSWORD, "relaypack MTA-STS story CA");
        Path mxKeystore = Certificates.signedBy(ca, PASSWORD, keys.resolve("mx"),
            ImmutableList.of("dns:mx1.sts.mxtest.example", "dns:mx1.mismatch.mxtest.example"));
        Path policyKeystore = Certificates.signedBy(ca, PASSWORD, keys.resolve("policy"),
            ImmutableList.of("dns:mta-sts.sts.mxtest.example", "dns:mta-sts.mismatch.mxtest.example"));
        Path conf = Files.createTempDirectory("relaypack-mtasts-conf-");
        Certificates.trustStoreOf(ca.resolve("ca.crt"), conf.resolve("story-ca.p12"), PASSWORD);

        mx = resources.add(SmtpPeer.builder().startTls(mxKeystore, PASSWORD).start());
        policyServer = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        policyServer.setHttpsConfigurator(new HttpsConfigurator(serverContext(policyKeystore)));
        policyServer.createContext("/.well-known/mta-sts.txt", exchange -> {
            String host = exchange.getRequestHeaders().getFirst("Host");
            byte[] body = POLICIES.getOrDefault(host, "").getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        policyServer.start();
        resources.add(() -> policyServer.stop(0));

        for (String domain : List.of("sts.mxtest.example", "mismatch.mxtest.example")) {
            dns.mx(domain, 10, "mx1." + domain).a("mx1." + domain, "127.0.0.1")
                .a("mta-sts." + domain, "127.0.0.1")
                .txt("_mta-sts." + domain, "v=STSv1; ", "id=20261130;");
        }
        // TLS reporting: the counts of yesterday, left by a James that stopped then; only sts.mxtest.example takes reports
        dns.txt("_smtp._tls.sts.mxtest.example", "v=TLSRPTv1; rua=mailto:tlsrpt@sts.mxtest.example");
        tlsReports = Files.createTempDirectory("relaypack-tls-reports-");
        for (String domain : List.of("sts.mxtest.example", "mismatch.mxtest.example")) {
            Files.writeString(tlsReports.resolve(domain + "!" + YESTERDAY + ".partial.json"), partialReport(domain));
        }

        james = resources.add(RelayJames.sample("smarthost")
            .jamesDnsService()
            .substitute("<autodiscover>true</autodiscover>", "<autodiscover>false</autodiscover><servers><server>"
                + dns.address().getAddress().getHostAddress() + "</server></servers>")
            .substitute("name=\"internet\" type=\"mx\" port=\"25\">\n            <tls mode=\"opportunistic\"/>",
                "name=\"internet\" type=\"mx\" port=\"" + mx.port() + "\">\n            <tls mode=\"mta-sts\" policyPort=\""
                    + policyServer.getAddress().getPort() + "\" policyTimeout=\"10s\">"
                    + "<truststore path=\"file://conf/story-ca.p12\" password=\"" + PASSWORD + "\"/></tls>")
            .substitute("<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/>", "<retry delays=\"1s\" maxAttempts=\"1000\"/>"
                + "<loopDetection allowLoopbackMx=\"true\"/>")
            .substitute("<truststore path=\"file://conf/partner-ca.p12\" type=\"PKCS12\" passwordFile=\"file://conf/partner-ca.secret\"/>", "")
            .substitute("<relaypack>\n", "<relaypack>\n    <tls-reporting organization=\"story\" contact=\"tlsrpt@lan.example\" submitter=\"relay.lan.example\" "
                + "directory=\"" + tlsReports + "\"/>\n")
            .extraConf(conf)
            .start());
    }

    private static String partialReport(String domain) {
        return "{\"organization-name\":\"story\",\"date-range\":{\"start-datetime\":\"" + YESTERDAY + "T00:00:00Z\","
            + "\"end-datetime\":\"" + YESTERDAY + "T12:00:00Z\"},\"contact-info\":\"tlsrpt@lan.example\",\"report-id\":\"seed\","
            + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\",\"mode: enforce\"],"
            + "\"policy-domain\":\"" + domain + "\",\"mx-host\":[\"mx1." + domain + "\"]},"
            + "\"summary\":{\"total-successful-session-count\":7,\"total-failure-session-count\":1},"
            + "\"failure-details\":[{\"result-type\":\"starttls-not-supported\",\"sending-mta-ip\":\"192.0.2.25\","
            + "\"receiving-mx-hostname\":\"mx1." + domain + "\",\"receiving-ip\":\"127.0.0.1\",\"failed-session-count\":1}]}]}";
    }

    private static SSLContext serverContext(Path keystore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        return context;
    }

    private static void sendFromLan(String recipient, String subject) throws Exception {
        assertThat(james.sendFromLan(SENDER, recipient, subject).code()).isEqualTo(250);
    }

    /** The delivery log lines (docs/where-is-my-mail.md) about this recipient so far. */
    private static List<String> deliveryLogOf(String recipient) {
        return DELIVERY_LOG.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(line -> line.contains("to=<" + recipient + ">"))
            .collect(Collectors.toList());
    }

    @Test
    void anEnforcedPolicyNamingTheMxShouldGetTheMailThereAndBeCached() throws Exception {
        sendFromLan("bob@sts.mxtest.example", "under an enforced policy");

        await().atMost(Duration.ofSeconds(60)).until(() -> mx.transactionsTo("bob@sts.mxtest.example").size() == 1);
        assertThat(dns.queries()).contains("TXT _mta-sts.sts.mxtest.example.", "A mta-sts.sts.mxtest.example.");
        assertThat(james.confDir().resolveSibling("var/relaypack/mta-sts/sts.mxtest.example.properties")).exists();
    }

    /** RFC 8689 section 4.2.2: the header, kept through James's spool and the hop queue, sets the policy aside for its mail. */
    @Test
    void aTlsRequiredNoMailShouldReachTheMxAnEnforcedPolicyDoesNotName() throws Exception {
        String recipient = "dave@mismatch.mxtest.example";
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            client.ehlo("printer.lan.example");
            String message = "TLS-Required: No\r\n" + SmtpTestClient.message(SENDER, recipient, "policy set aside", "hello");
            assertThat(client.send(SENDER, List.of(recipient), message).code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> mx.transactionsTo(recipient).size() == 1);
        assertThat(deliveryLogOf(recipient)).singleElement().asString().contains("relay=mx1.mismatch.mxtest.example", "status=sent");
    }

    @Test
    void anEnforcedPolicyNamingAnotherHostShouldKeepTheMailAwayFromTheMx() throws Exception {
        sendFromLan("carol@mismatch.mxtest.example", "MX not in the policy");

        await().atMost(Duration.ofSeconds(60)).until(() -> deliveryLogOf("carol@mismatch.mxtest.example").size() >= 2);
        assertThat(deliveryLogOf("carol@mismatch.mxtest.example")).allSatisfy(line -> assertThat(line)
            .contains("relay=none", "status=deferred (451 4.7.5 MTA-STS policy of mismatch.mxtest.example (enforce",
                "names none of its MX hosts (mx1.mismatch.mxtest.example)"));
        assertThat(mx.transactionsTo("carol@mismatch.mxtest.example")).isEmpty();
    }

    @Test
    void theCountsOfAClosedDayShouldBeMailedToTheRuaOfTheDomainThroughJamesSpool() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> mx.transactionsTo("tlsrpt@sts.mxtest.example").size() == 1);

        SmtpPeer.Transaction report = mx.transactionsTo("tlsrpt@sts.mxtest.example").get(0);
        assertThat(report.sender()).isEqualTo("tlsrpt@lan.example");
        MimeMessage message = report.message();
        ContentType type = new ContentType(message.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("tlsrpt");
        assertThat(message.getHeader("TLS-Report-Domain")).containsExactly("sts.mxtest.example");
        assertThat(message.getHeader("TLS-Report-Submitter")).containsExactly("relay.lan.example");
        BodyPart json = ((MimeMultipart) message.getContent()).getBodyPart(1);
        assertThat(new ContentType(json.getContentType()).getBaseType()).isEqualTo("application/tlsrpt+gzip");
        try (InputStream gzip = new GZIPInputStream(json.getInputStream())) {
            assertThat(new String(gzip.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s", ""))
                .contains("\"policy-domain\":\"sts.mxtest.example\"", "\"total-successful-session-count\":7",
                    "\"result-type\":\"starttls-not-supported\"");
        }
        // mismatch.mxtest.example publishes no _smtp._tls: its report is written, and mailed nowhere
        await().atMost(Duration.ofSeconds(30)).until(() -> reportFiles().size() == 2);
        assertThat(reportFiles()).anyMatch(name -> name.startsWith("relay.lan.example!mismatch.mxtest.example!"));
        assertThat(dns.queries()).contains("TXT _smtp._tls.mismatch.mxtest.example.");
        assertThat(mx.transactions()).filteredOn(transaction -> transaction.content().contains("TLS-Report-Domain")).hasSize(1);
    }

    private static List<String> reportFiles() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(tlsReports)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".json") && !name.endsWith(".partial.json"))
                .collect(Collectors.toList());
        }
    }
}
