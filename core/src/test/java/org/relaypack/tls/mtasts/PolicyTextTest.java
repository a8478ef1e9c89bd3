package org.relaypack.tls.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

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

    @Nested
    class Matching {
        @Test
        void aWildcardShouldStandForExactlyOneLeftMostLabel() throws Exception {
            MtaStsPolicy testee = parse("version: STSv1\nmode: enforce\nmx: *.example.net\nmax_age: 60\n");

            assertThat(testee.matches("mx1.example.net")).isTrue();
            assertThat(testee.matches("MX1.EXAMPLE.NET.")).isTrue();
            assertThat(testee.matches("example.net")).isFalse();
            assertThat(testee.matches("a.b.example.net")).isFalse();
            assertThat(testee.matches("mx1.example.network")).isFalse();
        }

        @Test
        void aHostNameShouldMatchOnlyItself() throws Exception {
            MtaStsPolicy testee = parse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 60\n");

            assertThat(testee.matches("mail.example.com.")).isTrue();
            assertThat(testee.matches("evil-mail.example.com")).isFalse();
            assertThat(testee.matches("x.mail.example.com")).isFalse();
        }
    }

    @Nested
    class Invalid {
        @Test
        void aWrongVersionShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 60\n"))
                .isInstanceOf(PolicyUnavailable.class).hasMessage("policy line 1 has version 'STSv2', not STSv1");
        }

        @Test
        void aMissingVersionShouldBeInvalid() {
            assertThatThrownBy(() -> parse("mode: enforce\nmx: a.example\nmax_age: 60\n"))
                .hasMessage("policy has no 'version: STSv1' line");
        }

        @Test
        void anUnknownModeShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 60\n"))
                .hasMessage("policy line 2 has mode 'Enforce', not enforce, testing or none");
        }

        @Test
        void aMaxAgeAboveTheRfcBoundShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n"))
                .hasMessage("policy line 4 has max_age 31557601, more than 31557600");
        }

        @Test
        void aNegativeMaxAgeShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n"))
                .hasMessageContaining("max_age '-1'");
        }

        @Test
        void aRepeatedModeShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv1\nmode: testing\nmode: enforce\nmx: a.example\nmax_age: 60\n"))
                .hasMessage("policy line 3 repeats the field 'mode'");
        }

        @Test
        void enforceWithoutMxShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv1\nmode: enforce\nmax_age: 60\n"))
                .hasMessage("policy in mode enforce has no 'mx' line");
        }

        @Test
        void aWildcardInsideANameShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv1\nmode: enforce\nmx: mx.*.example\nmax_age: 60\n"))
                .hasMessageContaining("has mx 'mx.*.example'");
        }

        @Test
        void aLineWithoutColonShouldBeInvalid() {
            assertThatThrownBy(() -> parse("version: STSv1\n<html>\n"))
                .hasMessage("policy line 2 is not 'key: value'");
        }
    }
}
