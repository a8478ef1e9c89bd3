package org.relaypack.tls.report;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;

/**
 * A report as RFC 8460 section 4.4's JSON, and back (the partial file of a day is read again at
 * start). Optional fields absent from the counts are left out, as the RFC's example does.
 */
public final class TlsReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TlsReportJson() {
    }

    public static byte[] write(TlsReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("organization-name", report.header().organization());
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", report.start().toString());
        range.put("end-datetime", report.end().toString());
        root.put("contact-info", report.header().contact());
        root.put("report-id", report.reportId());
        ArrayNode policies = root.putArray("policies");
        for (PolicyResult result : report.policies()) {
            ObjectNode entry = policies.addObject();
            ObjectNode policy = entry.putObject("policy");
            policy.put("policy-type", result.policy().type().value());
            if (!result.policy().strings().isEmpty()) {
                result.policy().strings().forEach(policy.putArray("policy-string")::add);
            }
            policy.put("policy-domain", result.policy().domain());
            if (!result.policy().mxHosts().isEmpty()) {
                result.policy().mxHosts().forEach(policy.putArray("mx-host")::add);
            }
            ObjectNode summary = entry.putObject("summary");
            summary.put("total-successful-session-count", result.successes());
            summary.put("total-failure-session-count", result.failureCount());
            if (!result.failures().isEmpty()) {
                ArrayNode details = entry.putArray("failure-details");
                result.failures().forEach((failure, count) -> detail(details.addObject(), report.header().sendingMtaIp(), failure, count));
            }
        }
        try {
            return MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static void detail(ObjectNode detail, String sendingMtaIp, TlsFailure failure, long count) {
        detail.put("result-type", failure.type().value());
        detail.put("sending-mta-ip", sendingMtaIp);
        failure.mxHost().ifPresent(host -> detail.put("receiving-mx-hostname", host));
        failure.receivingIp().ifPresent(ip -> detail.put("receiving-ip", ip));
        detail.put("failed-session-count", count);
        failure.reasonCode().ifPresent(code -> detail.put("failure-reason-code", code));
    }

    /** Reads a report this class wrote. */
    public static TlsReport read(byte[] json) throws IOException {
        JsonNode root = MAPPER.readTree(json);
        String domain = "";
        ImmutableList.Builder<PolicyResult> results = ImmutableList.builder();
        String sendingMtaIp = "";
        for (JsonNode entry : root.path("policies")) {
            JsonNode policy = entry.path("policy");
            domain = policy.path("policy-domain").asText();
            Map<TlsFailure, Long> failures = new LinkedHashMap<>();
            for (JsonNode detail : entry.path("failure-details")) {
                sendingMtaIp = detail.path("sending-mta-ip").asText();
                TlsResultType type = TlsResultType.of(detail.path("result-type").asText())
                    .orElseThrow(() -> new IOException("unknown result-type " + detail.path("result-type")));
                failures.merge(TlsFailure.of(type, text(detail, "receiving-mx-hostname"), text(detail, "receiving-ip"),
                    text(detail, "failure-reason-code")), detail.path("failed-session-count").asLong(), Long::sum);
            }
            results.add(PolicyResult.of(TlsReportPolicy.of(TlsReportPolicy.Type.of(policy.path("policy-type").asText()), domain,
                strings(policy.path("policy-string")), strings(policy.path("mx-host"))),
                entry.path("summary").path("total-successful-session-count").asLong(), failures));
        }
        TlsReport.Header header = new TlsReport.Header(root.path("organization-name").asText(), root.path("contact-info").asText(),
            sendingMtaIp);
        return TlsReport.of(header, root.path("report-id").asText(), Instant.parse(root.path("date-range").path("start-datetime").asText()),
            Instant.parse(root.path("date-range").path("end-datetime").asText()), domain, results.build());
    }

    private static Optional<String> text(JsonNode node, String field) {
        return node.has(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
    }

    private static ImmutableList<String> strings(JsonNode array) {
        ImmutableList.Builder<String> strings = ImmutableList.builder();
        array.forEach(value -> strings.add(value.asText()));
        return strings.build();
    }
}
