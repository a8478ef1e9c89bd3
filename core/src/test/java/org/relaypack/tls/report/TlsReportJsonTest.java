package org.relaypack.tls.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The report JSON, checked field by field against RFC 8460 section 4.8's example. */
class TlsReportJsonTest {
    private static final TlsReportPolicy COMPANY_Y = TlsReportPolicy.sts("company-y.example",
        List.of("version: STSv1", "mode: testing", "mx: *.mail.company-y.example", "max_age: 86400"), List.of("*.mail.company-y.example"));

    private static TlsReport rfcExample() {
        Map<TlsFailure, Long> failures = new LinkedHashMap<>();
        failures.put(TlsFailure.of(TlsResultType.CERTIFICATE_EXPIRED, Optional.of("mx1.mail.company-y.example"), Optional.empty(),
            Optional.empty()), 100L);
        failures.put(TlsFailure.of(TlsResultType.STARTTLS_NOT_SUPPORTED, "mx2.mail.company-y.example", "203.0.113.56"), 200L);
        failures.put(TlsFailure.of(TlsResultType.VALIDATION_FAILURE, "mx-backup.mail.company-y.example", "203.0.113.58")
            .withReasonCode("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"), 3L);
        return TlsReport.ofDay(new TlsReport.Header("Company-X", "sts-reporting@company-x.example", "198.51.100.62"),
            "5065427c-23d3-47ca-b6e0-946ea0e8c4be", LocalDate.of(2016, 4, 1), "company-y.example",
            List.of(PolicyResult.of(COMPANY_Y, 5326, failures)));
    }

    @Test
    void writeShouldGiveTheFieldsOfTheRfcExample() throws Exception {
        JsonNode json = new ObjectMapper().readTree(TlsReportJson.write(rfcExample()));

        assertThat(json.path("organization-name").asText()).isEqualTo("Company-X");
        assertThat(json.path("date-range").path("start-datetime").asText()).isEqualTo("2016-04-01T00:00:00Z");
        assertThat(json.path("date-range").path("end-datetime").asText()).isEqualTo("2016-04-01T23:59:59Z");
        assertThat(json.path("contact-info").asText()).isEqualTo("sts-reporting@company-x.example");
        assertThat(json.path("report-id").asText()).isEqualTo("5065427c-23d3-47ca-b6e0-946ea0e8c4be");
        JsonNode entry = json.path("policies").get(0);
        assertThat(entry.path("policy").path("policy-type").asText()).isEqualTo("sts");
        assertThat(entry.path("policy").path("policy-string").toString())
            .isEqualTo("[\"version: STSv1\",\"mode: testing\",\"mx: *.mail.company-y.example\",\"max_age: 86400\"]");
        assertThat(entry.path("policy").path("policy-domain").asText()).isEqualTo("company-y.example");
        assertThat(entry.path("policy").path("mx-host").toString()).isEqualTo("[\"*.mail.company-y.example\"]");
        assertThat(entry.path("summary").path("total-successful-session-count").asLong()).isEqualTo(5326);
        assertThat(entry.path("summary").path("total-failure-session-count").asLong()).isEqualTo(303);
        JsonNode details = entry.path("failure-details");
        assertThat(details).hasSize(3);
        assertThat(details.get(0).path("result-type").asText()).isEqualTo("certificate-expired");
        assertThat(details.get(0).path("receiving-mx-hostname").asText()).isEqualTo("mx1.mail.company-y.example");
        assertThat(details.get(0).has("receiving-ip")).isFalse();
        assertThat(details.get(0).path("failed-session-count").asLong()).isEqualTo(100);
        assertThat(details.get(1).path("result-type").asText()).isEqualTo("starttls-not-supported");
        assertThat(details.get(1).path("receiving-ip").asText()).isEqualTo("203.0.113.56");
        assertThat(details.get(1).path("sending-mta-ip").asText()).isEqualTo("198.51.100.62");
        assertThat(details.get(2).path("failure-reason-code").asText()).isEqualTo("X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
    }

    @Test
    void aPolicyWithoutFailuresShouldHaveNoFailureDetailsAndNoPolicyFoundNoPolicyString() throws Exception {
        TlsReport report = TlsReport.ofDay(new TlsReport.Header("Org", "postmaster@relay.example", "192.0.2.1"), "id1",
            LocalDate.of(2026, 11, 30), "example.net", List.of(PolicyResult.of(TlsReportPolicy.noPolicyFound("example.net"), 4, Map.of())));

        JsonNode entry = new ObjectMapper().readTree(TlsReportJson.write(report)).path("policies").get(0);

        assertThat(entry.path("policy").path("policy-type").asText()).isEqualTo("no-policy-found");
        assertThat(entry.path("policy").has("policy-string")).isFalse();
        assertThat(entry.path("policy").has("mx-host")).isFalse();
        assertThat(entry.has("failure-details")).isFalse();
        assertThat(entry.path("summary").path("total-failure-session-count").asLong()).isZero();
    }

    @Test
    void readShouldGiveBackTheReportWritten() throws Exception {
        TlsReport report = rfcExample();

        assertThat(TlsReportJson.read(TlsReportJson.write(report))).isEqualTo(report);
    }

    @Test
    void fileNameShouldBeTheRfcPattern() {
        assertThat(rfcExample().fileName("mail.sender.example.com"))
            .isEqualTo("mail.sender.example.com!company-y.example!1459468800!1459555199.json");
    }
}
