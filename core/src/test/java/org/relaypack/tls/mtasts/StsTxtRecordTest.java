package org.relaypack.tls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class StsTxtRecordTest {
    @Test
    void dnsjavasQuotedFormShouldGiveTheId() throws Exception {
        assertThat(StsTxtRecord.idOf("example.com", List.of("\"v=STSv1; id=20160831085700Z;\""))).isEqualTo("20160831085700Z");
    }

    @Test
    void theStringsOfOneRecordShouldBeJoinedWithoutSpaces() throws Exception {
        assertThat(StsTxtRecord.idOf("example.com", List.of("\"v=STSv1; id=2016\" \"0831;\""))).isEqualTo("20160831");
    }

    @Test
    void otherTxtRecordsAndExtensionFieldsShouldBeIgnored() throws Exception {
        assertThat(StsTxtRecord.idOf("example.com", List.of("\"v=spf1 -all\"", "\"v=STSv1;id=abc ; ext_1=value\"")))
            .isEqualTo("abc");
    }

    @Test
    void unquotedTextShouldBeTakenAsItIs() throws Exception {
        assertThat(StsTxtRecord.idOf("example.com", List.of("v=STSv1; id=abc"))).isEqualTo("abc");
    }

    @Test
    void noStsRecordShouldMeanNoPolicy() {
        assertThatThrownBy(() -> StsTxtRecord.idOf("example.com", List.of("\"v=spf1 -all\"")))
            .isInstanceOf(PolicyUnavailable.class)
            .hasMessage("_mta-sts.example.com has no TXT record beginning with v=STSv1");
    }

    @Test
    void twoStsRecordsShouldMeanNoPolicy() {
        assertThatThrownBy(() -> StsTxtRecord.idOf("example.com", List.of("\"v=STSv1; id=a;\"", "\"v=STSv1; id=b;\"")))
            .hasMessage("_mta-sts.example.com has 2 v=STSv1 TXT records, not one");
    }

    @Test
    void anIdLongerThan32CharactersShouldMeanNoPolicy() {
        assertThatThrownBy(() -> StsTxtRecord.idOf("example.com", List.of("\"v=STSv1; id=" + "a".repeat(33) + ";\"")))
            .hasMessageContaining("its id must be 1 to 32 letters and digits");
    }

    @Test
    void aRecordWithoutIdShouldMeanNoPolicy() {
        assertThatThrownBy(() -> StsTxtRecord.idOf("example.com", List.of("\"v=STSv1;\"")))
            .hasMessageContaining("it has no id");
    }

    @Test
    void anIdWithPunctuationShouldMeanNoPolicy() {
        assertThatThrownBy(() -> StsTxtRecord.idOf("example.com", List.of("\"v=STSv1; id=2016-08-31;\"")))
            .hasMessageContaining("its id must be 1 to 32 letters and digits");
    }
}
