package org.relaypack.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TlsProtocolVersionTest {
    @Test
    void fromJsseNameShouldReadTheNamesSslSessionReports() {
        assertThat(TlsProtocolVersion.fromJsseName("TLSv1.3")).contains(TlsProtocolVersion.TLS_V1_3);
        assertThat(TlsProtocolVersion.fromJsseName("TLSv1")).contains(TlsProtocolVersion.TLS_V1);
    }

    @Test
    void fromJsseNameShouldNotGuess() {
        assertThat(TlsProtocolVersion.fromJsseName("tlsv1.2")).isEmpty();
        assertThat(TlsProtocolVersion.fromJsseName("NONE")).isEmpty();
    }

    @Test
    void isAtLeastShouldOrderVersionsByStrength() {
        assertThat(TlsProtocolVersion.TLS_V1_3.isAtLeast(TlsProtocolVersion.TLS_V1_2)).isTrue();
        assertThat(TlsProtocolVersion.TLS_V1_2.isAtLeast(TlsProtocolVersion.TLS_V1_2)).isTrue();
        assertThat(TlsProtocolVersion.TLS_V1_1.isAtLeast(TlsProtocolVersion.TLS_V1_2)).isFalse();
    }
}
