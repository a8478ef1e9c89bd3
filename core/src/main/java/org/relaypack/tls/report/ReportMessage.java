package org.relaypack.tls.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Date;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;

import javax.activation.DataHandler;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.internet.ParseException;
import javax.mail.util.ByteArrayDataSource;

/**
 * The report mail of RFC 8460 section 5.3: {@code multipart/report; report-type="tlsrpt"}, a
 * text part and the JSON gzip-compressed as {@code application/tlsrpt+gzip}, with the Subject and
 * the {@code TLS-Report-Domain} / {@code TLS-Report-Submitter} headers the RFC gives, and
 * {@code TLS-Required: No} (RFC 8689 4.2.2): a report is delivered despite TLS failures (RFC 8460 3).
 */
public final class ReportMessage {
    public static final String REPORT_TYPE = "tlsrpt";
    public static final String GZIP_TYPE = "application/tlsrpt+gzip";

    /** multipart/report with the report-type parameter the RFC adds. */
    private static final class ReportMultipart extends MimeMultipart {
        private ReportMultipart() throws ParseException {
            super("report");
            ContentType type = new ContentType(contentType);
            type.setParameter("report-type", REPORT_TYPE);
            contentType = type.toString();
        }
    }

    private ReportMessage() {
    }

    public static MimeMessage of(TlsReport report, String submitter, String from, Iterable<String> to, Instant now)
        throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom(new InternetAddress(from));
        for (String recipient : to) {
            message.addRecipient(MimeMessage.RecipientType.TO, new InternetAddress(recipient));
        }
        message.setSentDate(Date.from(now));
        message.setSubject("Report Domain: " + report.domain() + " Submitter: " + submitter + " Report-ID: <" + report.reportId()
            + "@" + submitter + ">");
        message.setHeader("TLS-Report-Domain", report.domain());
        message.setHeader("TLS-Report-Submitter", submitter);
        message.setHeader("TLS-Required", "No");

        MimeBodyPart text = new MimeBodyPart();
        text.setText("This is an aggregate TLS report (RFC 8460) from " + submitter + " about " + report.domain() + ", "
            + report.start() + " to " + report.end() + ".\r\n", "us-ascii");
        MimeBodyPart json = new MimeBodyPart();
        json.setDataHandler(new DataHandler(new ByteArrayDataSource(gzip(TlsReportJson.write(report)), GZIP_TYPE)));
        json.setHeader("Content-Transfer-Encoding", "base64");
        json.setFileName(report.fileName(submitter) + ".gz");
        json.setDisposition(MimeBodyPart.ATTACHMENT);

        MimeMultipart multipart = new ReportMultipart();
        multipart.addBodyPart(text);
        multipart.addBodyPart(json);
        message.setContent(multipart);
        message.saveChanges();
        return message;
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
