package org.relaypack.tls.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/** One aggregate report of RFC 8460 section 4: one Policy Domain, one date range, its policies' counts. */
public final class TlsReport {
    /** The report of a whole UTC day, 00:00:00 to 23:59:59 (as the RFC's example writes the range). */
    public static TlsReport ofDay(Header header, String reportId, LocalDate day, String domain, List<PolicyResult> policies) {
        Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        return new TlsReport(header, reportId, start, start.plusSeconds(86_399), domain, ImmutableList.copyOf(policies));
    }

    public static TlsReport of(Header header, String reportId, Instant start, Instant end, String domain, List<PolicyResult> policies) {
        return new TlsReport(header, reportId, start, end, domain, ImmutableList.copyOf(policies));
    }

    /** Who reports: {@code organization-name}, {@code contact-info}, and the sending MTA's address in every failure. */
    public static final class Header {
        private final String organization;
        private final String contact;
        private final String sendingMtaIp;

        public Header(String organization, String contact, String sendingMtaIp) {
            this.organization = Objects.requireNonNull(organization);
            this.contact = Objects.requireNonNull(contact);
            this.sendingMtaIp = Objects.requireNonNull(sendingMtaIp);
        }

        public String organization() {
            return organization;
        }

        public String contact() {
            return contact;
        }

        public String sendingMtaIp() {
            return sendingMtaIp;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof Header) {
                Header that = (Header) o;
                return organization.equals(that.organization) && contact.equals(that.contact) && sendingMtaIp.equals(that.sendingMtaIp);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(organization, contact, sendingMtaIp);
        }
    }

    private final Header header;
    private final String reportId;
    private final Instant start;
    private final Instant end;
    private final String domain;
    private final ImmutableList<PolicyResult> policies;

    private TlsReport(Header header, String reportId, Instant start, Instant end, String domain, ImmutableList<PolicyResult> policies) {
        this.header = Objects.requireNonNull(header);
        this.reportId = Objects.requireNonNull(reportId);
        this.start = Objects.requireNonNull(start);
        this.end = Objects.requireNonNull(end);
        this.domain = Objects.requireNonNull(domain);
        this.policies = policies;
    }

    public Header header() {
        return header;
    }

    public String reportId() {
        return reportId;
    }

    public Instant start() {
        return start;
    }

    public Instant end() {
        return end;
    }

    /** The Policy Domain the report is about (and is sent to). */
    public String domain() {
        return domain;
    }

    public ImmutableList<PolicyResult> policies() {
        return policies;
    }

    /** RFC 8460 5.1: {@code sender!policy-domain!begin-timestamp!end-timestamp.json}. */
    public String fileName(String submitter) {
        return submitter + "!" + domain + "!" + start.getEpochSecond() + "!" + end.getEpochSecond() + ".json";
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof TlsReport) {
            TlsReport that = (TlsReport) o;
            return header.equals(that.header) && reportId.equals(that.reportId) && start.equals(that.start) && end.equals(that.end)
                && domain.equals(that.domain) && policies.equals(that.policies);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(header, reportId, start, end, domain, policies);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("reportId", reportId).add("domain", domain).add("start", start).add("end", end)
            .add("policies", policies).toString();
    }
}
