package org.relaypack.tls.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class TlsRptRecordTest {
    @Test
    void aMailtoRecordShouldGiveItsAddress() {
        assertThat(TlsRptRecord.of(List.of("\"v=TLSRPTv1; rua=mailto:tlsrpt@example.com\"")).orElseThrow().mailtoAddresses())
            .containsExactly("tlsrpt@example.com");
    }

    @Test
    void stringsShouldBeJoinedAndEveryRuaKept() {
        TlsRptRecord record = TlsRptRecord.of(List.of("\"v=TLSRPTv1;\" \"rua=mailto:a@example.com,https://rpt.example.com/v1\"",
            "\"v=spf1 -all\"")).orElseThrow();

        assertThat(record.mailtoAddresses()).containsExactly("a@example.com");
        assertThat(record.unsupported()).containsExactly("https://rpt.example.com/v1");
    }

    @Test
    void aMailtoQueryShouldBeDroppedAndEscapesDecoded() {
        assertThat(TlsRptRecord.of(List.of("v=TLSRPTv1; rua=mailto:tls%2Drpt@example.com?subject=x")).orElseThrow().mailtoAddresses())
            .containsExactly("tls-rpt@example.com");
    }

    @Test
    void noRecordOrTwoRecordsOrNoRuaShouldMeanNoReports() {
        assertThat(TlsRptRecord.of(List.of())).isEmpty();
        assertThat(TlsRptRecord.of(List.of("\"v=TLSRPTv1; rua=mailto:a@example.com\"", "\"v=TLSRPTv1; rua=mailto:b@example.com\"")))
            .isEmpty();
        assertThat(TlsRptRecord.of(List.of("\"v=TLSRPTv1;\""))).isEmpty();
        assertThat(TlsRptRecord.of(List.of("\"v=TLSRPTv10; rua=mailto:a@example.com\""))).isEmpty();
    }
}
