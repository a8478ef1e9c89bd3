package org.relaypack.tls.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

import javax.mail.BodyPart;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

/** The report mail of RFC 8460 5.3, written out and parsed back as a receiver would. */
class ReportMessageTest {
    static final TlsReport REPORT = TlsReport.ofDay(new TlsReport.Header("Example Org", "tlsrpt@relay.example.org", "192.0.2.25"),
        "2026-11-30_example.net_abc", LocalDate.of(2026, 11, 30), "example.net",
        List.of(PolicyResult.of(TlsReportPolicy.noPolicyFound("example.net"), 2, Map.of())));

    @Test
    void theMailShouldBeAMultipartReportWithTheGzippedJson() throws Exception {
        MimeMessage written = ReportMessage.of(REPORT, "relay.example.org", "tlsrpt@relay.example.org", List.of("rua@example.net"),
            Instant.parse("2026-12-01T00:01:00Z"));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        written.writeTo(wire);

        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(wire.toByteArray()));

        ContentType type = new ContentType(message.getContentType());
        assertThat(type.getBaseType()).isEqualTo("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("tlsrpt");
        assertThat(message.getSubject())
            .isEqualTo("Report Domain: example.net Submitter: relay.example.org Report-ID: <2026-11-30_example.net_abc@relay.example.org>");
        assertThat(message.getHeader("TLS-Report-Domain")).containsExactly("example.net");
        assertThat(message.getHeader("TLS-Report-Submitter")).containsExactly("relay.example.org");
        assertThat(message.getHeader("TLS-Required")).containsExactly("No");
        assertThat(message.getHeader("To")).containsExactly("rua@example.net");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(new ContentType(parts.getBodyPart(0).getContentType()).getBaseType()).isEqualTo("text/plain");
        BodyPart json = parts.getBodyPart(1);
        assertThat(new ContentType(json.getContentType()).getBaseType()).isEqualTo("application/tlsrpt+gzip");
        assertThat(json.getFileName()).isEqualTo("relay.example.org!example.net!1795996800!1796083199.json.gz");
        assertThat(json.getHeader("Content-Transfer-Encoding")).containsExactly("base64");
        try (InputStream gzip = new GZIPInputStream(json.getInputStream())) {
            TlsReport attached = TlsReportJson.read(gzip.readAllBytes());
            assertThat(attached.reportId()).isEqualTo(REPORT.reportId());
            assertThat(attached.policies()).isEqualTo(REPORT.policies());
        }
    }
}
