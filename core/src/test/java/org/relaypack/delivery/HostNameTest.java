package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostNameTest {
    @Test
    void anAbsoluteNameShouldLoseItsTrailingDot() {
        assertThat(HostName.of("mx1.example.net.").asString()).isEqualTo("mx1.example.net");
    }

    @Test
    void aNameShouldBeInLowerCase() {
        assertThat(HostName.of("MX1.Example.NET.")).isEqualTo(HostName.of("mx1.example.net"));
    }

    @Test
    void anAddressShouldTakeItsCanonicalForm() {
        assertThat(HostName.of("2001:DB8:0:0::1").asString()).isEqualTo("2001:db8::1");
        assertThat(HostName.of("192.0.2.1.").asString()).isEqualTo("192.0.2.1");
        assertThat(HostName.of("192.0.2.1").isAddress()).isTrue();
        assertThat(HostName.of("mx.example").isAddress()).isFalse();
    }

    @Test
    void theRootAloneShouldNotBeAHostName() {
        assertThatThrownBy(() -> HostName.of(".")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'.'");
        assertThatThrownBy(() -> HostName.of(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostName.of("mx.example\r\nRSET")).isInstanceOf(IllegalArgumentException.class);
    }
}
