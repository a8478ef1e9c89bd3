package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.testing.Addresses.address;

import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMultipart;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.delivery.MtaStsFixtures.Certificates;
import org.relaypack.delivery.MtaStsFixtures.Dns;
import org.relaypack.delivery.MtaStsFixtures.PolicyServer;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.mtasts.MtaStsSettings;
import org.relaypack.tls.report.PolicyResult;
import org.relaypack.tls.report.ReportSender;
import org.relaypack.tls.report.TlsFailure;
import org.relaypack.tls.report.TlsReport;
import org.relaypack.tls.report.TlsReportJson;
import org.relaypack.tls.report.TlsReportPolicy;
import org.relaypack.tls.report.TlsReporting;
import org.relaypack.tls.report.TlsReportingConfiguration;
import org.relaypack.tls.report.TlsResultType;

import com.google.common.collect.ImmutableSet;

/**
 * RFC 8460 reports of real MTA-STS deliveries on loopback: an MX peer that strips STARTTLS, one
 * whose certificate names another host and a good one, under example.test's enforced policy; the
 * day closes (a clock the test moves), the report file holds each outcome, and the report mail is
 * put on the spool when example.test publishes {@code _smtp._tls}.
 */
class TlsReportDeliveryTest {
    private static final String RECIPIENT = "bob@example.test";
    private static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n";
    private static final String SUBMITTER = "relay.relaypack.test";
    private static final TlsReportingConfiguration CONFIGURATION = new TlsReportingConfiguration(true, "relaypack tests",
        "tlsrpt@relay.relaypack.test", Optional.of(SUBMITTER), Optional.of("192.0.2.25"), "unused", true);
    private static final TlsReportPolicy EXAMPLE_POLICY = TlsReportPolicy.sts("example.test",
        List.of("version: STSv1", "mode: enforce", "mx: mx1.example.test", "max_age: 86400"), List.of("mx1.example.test"));

    private final Certificates certificates = Certificates.get();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    private final FakeMailContext spool = FakeMailContext.defaultContext();
    private PolicyServer policyServer;
    private Dns dns;
    private TlsReporting reporting;

    @TempDir
    Path reports;

    @BeforeEach
    void setUp() {
        policyServer = new PolicyServer(certificates.sts());
        closeables.add(policyServer);
        policyServer.policy(ENFORCE);
        dns = new Dns();
        dns.address("mta-sts.example.test", InetAddress.getLoopbackAddress())
            .mx("example.test", "mx1.example.test.")
            .address("mx1.example.test", InetAddress.getLoopbackAddress());
        dns.stsRecord("example.test", "20261130");
        reporting = startReporting();
    }

    private TlsReporting startReporting() {
        return TlsReporting.withoutThread(CONFIGURATION, SUBMITTER, "192.0.2.25", reports, new ReportSender(dns, spool, clock), clock);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    private NextHop internet() {
        TlsPolicy.TrustStore trustStore = certificates.trustStore();
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX)
            .tls(new TlsPolicy(TlsMode.MTA_STS, false, Optional.of(trustStore), TlsPolicy.OPPORTUNISTIC_MIN_PROTOCOL))
            .mtaSts(new MtaStsSettings(policyServer.port(), Duration.ofSeconds(10), Optional.of(trustStore)))
            .loopDetection(LoopDetection.of(ImmutableSet.of(), true))
            .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).heloName(SUBMITTER)
            .build();
    }

    /** Delivers one mail to an MX peer started from the script, through a transport that records into the reporting. */
    private DeliveryResult deliverTo(ScriptedSmtpPeer.Builder script, Mail mail) {
        ScriptedSmtpPeer mx = script.start();
        closeables.add(mx);
        SmtpTransport transport = new SmtpTransport(dns, Clock.systemUTC(), mx.port(), false, MtaStsPolicies.inMemory(dns, Clock.systemUTC()),
            reporting.sink());
        closeables.add(transport);
        return transport.deliver(internet(), mail);
    }

    private DeliveryResult deliverToEachPeer() throws Exception {
        deliverTo(ScriptedSmtpPeer.builder(), mail("stripped", RECIPIENT));
        deliverTo(ScriptedSmtpPeer.builder().startTls(certificates.otherName(), "TLSv1.3", "TLSv1.2"), mail("other-name", RECIPIENT));
        return deliverTo(ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2"), mail("good", RECIPIENT));
    }

    private List<Path> reportFiles() throws Exception {
        try (Stream<Path> files = Files.list(reports)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".json")).collect(Collectors.toList());
        }
    }

    private static TlsReport read(Path file) throws Exception {
        return TlsReportJson.read(Files.readAllBytes(file));
    }

    private static PolicyResult expectedDay() {
        return PolicyResult.of(EXAMPLE_POLICY, 1, java.util.Map.of(
            TlsFailure.of(TlsResultType.STARTTLS_NOT_SUPPORTED, "mx1.example.test", "127.0.0.1"), 1L,
            TlsFailure.of(TlsResultType.CERTIFICATE_HOST_MISMATCH, "mx1.example.test", "127.0.0.1"), 1L));
    }

    @Test
    void theClosedDayShouldHoldTheFailedAndTheSuccessfulSessions() throws Exception {
        DeliveryResult good = deliverToEachPeer();
        assertThat(good.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));

        reporting.closeFinishedDays();
        assertThat(reportFiles()).isEmpty();

        clock.advance(Duration.ofDays(1));
        reporting.closeFinishedDays();

        assertThat(reportFiles()).extracting(file -> file.getFileName().toString())
            .containsExactly(SUBMITTER + "!example.test!1795996800!1796083199.json");
        TlsReport report = read(reportFiles().get(0));
        assertThat(report.domain()).isEqualTo("example.test");
        assertThat(report.start()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(report.policies()).containsExactly(expectedDay());
        assertThat(spool.getSentMails()).as("example.test publishes no _smtp._tls record: the report stays in its file").isEmpty();
    }

    @Test
    void aDomainWithATlsRptRecordShouldGetTheReportMailOnTheSpool() throws Exception {
        dns.txt("_smtp._tls.example.test", List.of("v=TLSRPTv1; ", "rua=mailto:tlsrpt@example.test"));
        deliverToEachPeer();

        clock.advance(Duration.ofDays(1));
        reporting.closeFinishedDays();

        assertThat(spool.getSentMails()).hasSize(1);
        FakeMailContext.SentMail sent = spool.getSentMails().get(0);
        assertThat(sent.getRecipients()).containsExactly(address("tlsrpt@example.test"));
        assertThat(sent.getSender()).isEqualTo(address("tlsrpt@relay.relaypack.test"));
        assertThat(sent.getAttributes()).containsKey(ReportSender.REPORT_ATTRIBUTE);
        assertThat(sent.getMsg().getHeader("TLS-Report-Domain")).containsExactly("example.test");
        assertThat(new ContentType(sent.getMsg().getContentType()).getParameter("report-type")).isEqualTo("tlsrpt");
        MimeMultipart parts = (MimeMultipart) sent.getMsg().getContent();
        assertThat(new ContentType(parts.getBodyPart(1).getContentType()).getBaseType()).isEqualTo("application/tlsrpt+gzip");
        try (InputStream gzip = new GZIPInputStream(parts.getBodyPart(1).getInputStream())) {
            assertThat(TlsReportJson.read(gzip.readAllBytes()).policies()).containsExactly(expectedDay());
        }
        assertThat(reportFiles()).hasSize(1);
    }

    /** At James's start the mailet container may not have its spool yet (sendMail throws): the report is sent at a later check, once. */
    @Test
    void aReportTheSpoolRefusedShouldBeSentAtALaterCheckOnce() throws Exception {
        dns.txt("_smtp._tls.example.test", List.of("v=TLSRPTv1; ", "rua=mailto:tlsrpt@example.test"));
        AtomicBoolean spoolReady = new AtomicBoolean(false);
        MailetContext notReadyYet = (MailetContext) Proxy.newProxyInstance(MailetContext.class.getClassLoader(),
            new Class<?>[] {MailetContext.class}, (proxy, method, arguments) -> {
                if (method.getName().equals("sendMail") && !spoolReady.get()) {
                    throw new NullPointerException("rootMailQueue is null");
                }
                try {
                    return method.invoke(spool, arguments);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        reporting = TlsReporting.withoutThread(CONFIGURATION, SUBMITTER, "192.0.2.25", reports, new ReportSender(dns, notReadyYet, clock), clock);
        deliverToEachPeer();
        clock.advance(Duration.ofDays(1));

        reporting.closeFinishedDays();
        assertThat(spool.getSentMails()).isEmpty();
        assertThat(reportFiles()).hasSize(1);

        spoolReady.set(true);
        reporting.closeFinishedDays();
        reporting.closeFinishedDays();

        assertThat(spool.getSentMails()).hasSize(1);
        assertThat(spool.getSentMails().get(0).getRecipients()).containsExactly(address("tlsrpt@example.test"));
        assertThat(reportFiles()).hasSize(1);
    }

    @Test
    void theSessionsOfAReportMailShouldNotBeCounted() throws Exception {
        Mail report = mail("report", RECIPIENT);
        report.setAttribute(new Attribute(ReportSender.REPORT_ATTRIBUTE, AttributeValue.of(true)));

        DeliveryResult result = deliverTo(ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2"), report);
        clock.advance(Duration.ofDays(1));
        reporting.closeFinishedDays();

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(reportFiles()).isEmpty();
    }

    @Test
    void aRestartShouldKeepTheCountsOfTheDay() throws Exception {
        deliverToEachPeer();
        reporting.close();
        assertThat(reportFiles()).extracting(file -> file.getFileName().toString()).containsExactly("example.test!2026-11-30.partial.json");

        reporting = startReporting();
        assertThat(reportFiles()).as("the partial file is read back into the day's counts").isEmpty();
        clock.advance(Duration.ofDays(1));
        reporting.closeFinishedDays();

        assertThat(reportFiles()).hasSize(1);
        assertThat(read(reportFiles().get(0)).policies()).containsExactly(expectedDay());
    }

    @Test
    void aDomainWithoutPolicyShouldBeReportedAsNoPolicyFound() throws Exception {
        dns.txt("_mta-sts.example.test", List.of("v=spf1 -all"));

        deliverTo(ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2"), mail("m1", RECIPIENT));
        clock.advance(Duration.ofDays(1));
        reporting.closeFinishedDays();

        assertThat(read(reportFiles().get(0)).policies())
            .containsExactly(PolicyResult.of(TlsReportPolicy.noPolicyFound("example.test"), 1, java.util.Map.of()));
    }

    /** The policy could not be had: one failure of an sts policy without text, and the session then counts as without policy. */
    private void assertReportedFetchFailure(TlsResultType expected) throws Exception {
        deliverTo(ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2"), mail("m1", RECIPIENT));
        clock.advance(Duration.ofDays(1));
        reporting.closeFinishedDays();

        assertThat(read(reportFiles().get(0)).policies()).containsExactlyInAnyOrder(
            PolicyResult.of(TlsReportPolicy.sts("example.test", List.of(), List.of()), 0,
                java.util.Map.of(TlsFailure.of(expected, Optional.empty(), Optional.empty(), Optional.empty()), 1L)),
            PolicyResult.of(TlsReportPolicy.noPolicyFound("example.test"), 1, java.util.Map.of()));
    }

    @Test
    void aPolicyServerThatAnswers404ShouldBeAnStsPolicyFetchError() throws Exception {
        policyServer.answer(404, "text/plain", new byte[0]);

        assertReportedFetchFailure(TlsResultType.STS_POLICY_FETCH_ERROR);
    }

    @Test
    void anInvalidPolicyShouldBeStsPolicyInvalid() throws Exception {
        policyServer.policy("version: STSv1\nmode: sometimes\nmx: mx1.example.test\nmax_age: 86400\n");

        assertReportedFetchFailure(TlsResultType.STS_POLICY_INVALID);
    }

    @Test
    void aPolicyServerWithACertificateForAnotherNameShouldBeStsWebpkiInvalid() throws Exception {
        policyServer = new PolicyServer(certificates.otherName());
        closeables.add(policyServer);
        policyServer.policy(ENFORCE);

        assertReportedFetchFailure(TlsResultType.STS_WEBPKI_INVALID);
    }
}
