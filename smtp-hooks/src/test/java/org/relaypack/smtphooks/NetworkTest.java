package org.relaypack.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.google.common.net.InetAddresses;

class NetworkTest {
    /** A network, an address inside it and the next one outside: prefixes on and off byte boundaries, and a bare address. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "10.1.0.0/16,   10.1.255.3, 10.2.0.1",
        "192.0.2.64/27, 192.0.2.95, 192.0.2.96",
        "127.0.0.1,     127.0.0.1,  127.0.0.2"})
    void containsShouldMatchTheAddressesOfThePrefixOnly(String network, String inside, String outside) {
        Network testee = Network.parse(network);

        assertThat(testee.contains(InetAddresses.forString(inside))).isTrue();
        assertThat(testee.contains(InetAddresses.forString(outside))).isFalse();
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
