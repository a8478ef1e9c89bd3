package org.relaypack.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.relaypack.tls.TlsProtocolVersion;

class TlsSocketsTest {
    private static final String[] SUPPORTED = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3", "SSLv2Hello"};

    @Test
    void enabledProtocolsShouldKeepOnlyThoseAtOrAboveTheFloor() {
        assertThat(TlsSockets.enabledProtocols(SUPPORTED, TlsProtocolVersion.TLS_V1_2)).containsExactly("TLSv1.3", "TLSv1.2");
    }

    @Test
    void enabledProtocolsShouldAllowATls13Floor() {
        assertThat(TlsSockets.enabledProtocols(SUPPORTED, TlsProtocolVersion.TLS_V1_3)).containsExactly("TLSv1.3");
    }

    @Test
    void enabledProtocolsShouldRefuseAFloorAboveEverySupportedProtocol() {
        assertThatThrownBy(() -> TlsSockets.enabledProtocols(new String[] {"TLSv1.2", "TLSv1.1"}, TlsProtocolVersion.TLS_V1_3))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("TLSv1.3");
    }

    @Test
    void absoluteNamesShouldLoseTheRootsDot() {
        assertThat(TlsSockets.withoutTrailingDot("mx1.example.net.")).isEqualTo("mx1.example.net");
        assertThat(TlsSockets.withoutTrailingDot("mx1.example.net")).isEqualTo("mx1.example.net");
        assertThat(TlsSockets.withoutTrailingDot("127.0.0.1")).isEqualTo("127.0.0.1");
    }
}
