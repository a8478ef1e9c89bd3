package org.relaypack.tls.report;

import java.time.Clock;
import java.util.Collection;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.AddressException;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

/**
 * Sends a closed report to the {@code rua=mailto:} addresses of its Policy Domain's
 * {@code _smtp._tls} record (looked up with James's DNSService), by putting the report mail on
 * James's spool ({@link MailetContext#sendMail(Mail)}): it is processed and delivered like any
 * mail. The mail carries {@link #REPORT_ATTRIBUTE}, so that its own sessions are not counted in a
 * later report (RFC 8460 3).
 */
public final class ReportSender {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReportSender.class);
    /** Set on report mail (Boolean true): its delivery sessions are not reported on. */
    public static final AttributeName REPORT_ATTRIBUTE = AttributeName.of("relaypack.tls.report");

    /** A mail this pack made as a TLS report. */
    public static boolean isReport(Mail mail) {
        return mail.getAttribute(REPORT_ATTRIBUTE).isPresent();
    }

    private final DNSService dns;
    private final MailetContext mailetContext;
    private final Clock clock;

    public ReportSender(DNSService dns, MailetContext mailetContext, Clock clock) {
        this.dns = dns;
        this.mailetContext = mailetContext;
        this.clock = clock;
    }

    /** What became of a report handed to {@link #send}. */
    enum Outcome {
        /** On the spool for the domain's mailto: addresses. */
        SENT,
        /** The domain asks for no report by mail: the file is all there is. */
        NOT_ASKED,
        /** The TXT lookup or the spool failed: worth trying again. */
        FAILED
    }

    Outcome send(TlsReport report, String submitter, String from) {
        String name = "_smtp._tls." + report.domain() + ".";
        Optional<TlsRptRecord> record;
        try {
            Collection<String> records = dns.findTXTRecords(name);
            record = TlsRptRecord.of(records);
        } catch (RuntimeException e) {
            LOGGER.warn("TLS reporting: TXT lookup of {} failed; the report {} is tried again later", name, report.reportId(), e);
            return Outcome.FAILED;
        }
        if (record.isEmpty()) {
            LOGGER.info("TLS reporting: {} has no v=TLSRPTv1 record with a rua: report {} kept in its file only", name, report.reportId());
            return Outcome.NOT_ASKED;
        }
        record.get().unsupported().forEach(uri -> LOGGER.info("TLS reporting: {} asks for reports at {}: only mailto: is supported, "
            + "report {} kept in its file", report.domain(), uri, report.reportId()));
        ImmutableList<String> addresses = record.get().mailtoAddresses();
        if (addresses.isEmpty()) {
            return Outcome.NOT_ASKED;
        }
        try {
            MailImpl mail = MailImpl.builder()
                .name("tlsrpt-" + report.reportId())
                .sender(new MailAddress(from))
                .addRecipients(recipients(addresses))
                .mimeMessage(ReportMessage.of(report, submitter, from, addresses, clock.instant()))
                .addAttribute(new Attribute(REPORT_ATTRIBUTE, AttributeValue.of(true)))
                .build();
            mailetContext.sendMail(mail);
            LOGGER.info("TLS reporting: report {} about {} put on the spool for {}", report.reportId(), report.domain(), addresses);
            return Outcome.SENT;
        } catch (MessagingException | RuntimeException e) {
            // e.g. at James's start, before the mailet container has its spool: tried again later
            LOGGER.warn("TLS reporting: report {} about {} could not be put on the spool for {} ({}); it is tried again later",
                report.reportId(), report.domain(), addresses, e.toString());
            return Outcome.FAILED;
        }
    }

    private static ImmutableList<MailAddress> recipients(ImmutableList<String> addresses) throws AddressException {
        ImmutableList.Builder<MailAddress> recipients = ImmutableList.builder();
        for (String address : addresses) {
            recipients.add(new MailAddress(address));
        }
        return recipients.build();
    }
}
