package org.relaypack.tls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relaypack.testing.WildcardText;

class PolicyTextTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static MtaStsPolicy parse(String text) throws PolicyUnavailable {
        return PolicyText.parse("example.com", "id1", text, NOW);
    }

    @Test
    void theRfcExampleShouldParse() throws Exception {
        MtaStsPolicy testee = parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
            + "mx: backupmx.example.com\r\nmax_age: 604800\r\n");

        assertThat(testee.mode()).isEqualTo(MtaStsMode.ENFORCE);
        assertThat(testee.mxPatterns()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(testee.maxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(testee.expiresAt()).isEqualTo(NOW.plus(Duration.ofDays(7)));
        assertThat(testee.id()).isEqualTo("id1");
    }

    @Test
    void bareLineFeedsSpacesAroundTheColonUnknownFieldsAndNoFinalLineEndShouldBeTaken() throws Exception {
        MtaStsPolicy testee = parse("version:STSv1\nmode :  testing\nfuture_field: anything at all\nmx: MX1.Example.COM\nmax_age: 0");

        assertThat(testee.mode()).isEqualTo(MtaStsMode.TESTING);
        assertThat(testee.mxPatterns()).containsExactly("mx1.example.com");
        assertThat(testee.isExpiredAt(NOW)).isTrue();
    }

    @Test
    void modeNoneShouldNeedNoMx() throws Exception {
        assertThat(parse("version: STSv1\nmode: none\nmax_age: 86400\n").mode()).isEqualTo(MtaStsMode.NONE);
    }

    /** An mx line and a host name (as DNS may write it, with the root's dot): a wildcard stands for exactly one left-most label. */
    @ParameterizedTest(name = "mx: {0} should match {1}: {2}")
    @CsvSource({
        "*.example.net,    mx1.example.net,       true",
        "*.example.net,    MX1.EXAMPLE.NET.,      true",
        "*.example.net,    example.net,           false",
        "*.example.net,    a.b.example.net,       false",
        "*.example.net,    mx1.example.network,   false",
        "mail.example.com, mail.example.com.,     true",
        "mail.example.com, evil-mail.example.com, false",
        "mail.example.com, x.mail.example.com,    false"})
    void anMxPatternShouldMatchAsTheRfcSays(String mx, String host, boolean matches) throws Exception {
        MtaStsPolicy testee = parse("version: STSv1\nmode: enforce\nmx: " + mx + "\nmax_age: 60\n");

        assertThat(testee.matches(host)).isEqualTo(matches);
    }

    /** Each invalid policy text (a backslash-n for each line end) is refused (the policy is unavailable) with a message that reads as given, ** standing for any text. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "version: STSv2\\nmode: enforce\\nmx: a.example\\nmax_age: 60\\n             | policy line 1 has version 'STSv2', not STSv1",
        "mode: enforce\\nmx: a.example\\nmax_age: 60\\n                             | policy has no 'version: STSv1' line",
        "version: STSv1\\nmode: Enforce\\nmx: a.example\\nmax_age: 60\\n             | policy line 2 has mode 'Enforce', not enforce, testing or none",
        "version: STSv1\\nmode: enforce\\nmx: a.example\\nmax_age: 31557601\\n       | policy line 4 has max_age 31557601, more than 31557600",
        "version: STSv1\\nmode: enforce\\nmx: a.example\\nmax_age: -1\\n             | **max_age '-1'**",
        "version: STSv1\\nmode: testing\\nmode: enforce\\nmx: a.example\\nmax_age: 60\\n | policy line 3 repeats the field 'mode'",
        "version: STSv1\\nmode: enforce\\nmax_age: 60\\n                            | policy in mode enforce has no 'mx' line",
        "version: STSv1\\nmode: enforce\\nmx: mx.*.example\\nmax_age: 60\\n          | **has mx 'mx.*.example'**",
        "version: STSv1\\n<html>\\n                                                | policy line 2 is not 'key: value'"})
    void anInvalidPolicyShouldBeRefusedSayingWhy(String policy, String message) {
        assertThatThrownBy(() -> parse(policy.replace("\\n", "\n")))
            .isInstanceOf(PolicyUnavailable.class)
            .hasMessageMatching(WildcardText.regex(message));
    }
}
