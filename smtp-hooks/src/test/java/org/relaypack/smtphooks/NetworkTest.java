package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.google.common.net.InetAddresses;

class NetworkTest {
    @Test
    void containsShouldMatchAddressesInsideThePrefix() {
        Network testee = Network.parse("10.1.0.0/16");

        assertThat(testee.contains(InetAddresses.forString("10.1.255.3"))).isTrue();
        assertThat(testee.contains(InetAddresses.forString("10.2.0.1"))).isFalse();
    }

    @Test
    void containsShouldHandlePrefixesNotOnAByteBoundary() {
        Network testee = Network.parse("192.0.2.64/27");

        assertThat(testee.contains(InetAddresses.forString("192.0.2.95"))).isTrue();
        assertThat(testee.contains(InetAddresses.forString("192.0.2.96"))).isFalse();
    }

    @Test
    void aBareAddressShouldBeASingleHost() {
        Network testee = Network.parse("127.0.0.1");

        assertThat(testee.contains(InetAddresses.forString("127.0.0.1"))).isTrue();
        assertThat(testee.contains(InetAddresses.forString("127.0.0.2"))).isFalse();
    }

    @Test
    void anIpv4NetworkShouldNeverContainAnIpv6Address() {
        assertThat(Network.parse("0.0.0.0/0").contains(InetAddresses.forString("::1"))).isFalse();
    }

    @Test
    void parseShouldNormaliseTheHostBits() {
        assertThat(Network.parse("10.1.2.3/8")).isEqualTo(Network.parse("10.0.0.0/8"));
        assertThat(Network.parse("10.1.2.3/8")).hasToString("10.0.0.0/8");
    }

    @Test
    void parseShouldRejectGarbage() {
        assertThatThrownBy(() -> Network.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Network.parse("::/129")).isInstanceOf(IllegalArgumentException.class);
    }
}
