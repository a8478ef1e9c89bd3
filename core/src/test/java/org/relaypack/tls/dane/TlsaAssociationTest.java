package org.relaypack.tls.dane;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which TLSA records SMTP may use (RFC 7672 3.1). */
class TlsaAssociationTest {
    @ParameterizedTest(name = "{0} {1} {2} with {3} bytes: usable {4}")
    @CsvSource({
        "3, 1, 1, 32, true",
        "3, 0, 2, 64, true",
        "2, 1, 0, 91, true",
        "2, 0, 1, 32, true",
        "0, 1, 1, 32, false",
        "1, 0, 1, 32, false",
        "3, 2, 1, 32, false",
        "3, 1, 3, 32, false",
        "3, 1, 1, 31, false",
        "3, 1, 2, 32, false",
        "3, 1, 0, 0, false"
    })
    void isUsableShouldFollowRfc7672(int usage, int selector, int matching, int length, boolean usable) {
        assertThat(TlsaAssociation.of(usage, selector, matching, new byte[length]).isUsable()).isEqualTo(usable);
    }
}
