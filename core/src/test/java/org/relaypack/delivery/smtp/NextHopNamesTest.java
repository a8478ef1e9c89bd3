package org.relaypack.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NextHopNamesTest {
    @Test
    void theNextHopItselfAndNamesUnderItShouldMatch() {
        assertThat(NextHopNames.matches("nexthop.test", "nexthop.test")).isTrue();
        assertThat(NextHopNames.matches("MX1.NextHop.Test.", "nexthop.test")).isTrue();
        assertThat(NextHopNames.matches("*.nexthop.test", "nexthop.test")).isTrue();
        assertThat(NextHopNames.matches("*.mx.nexthop.test", "nexthop.test")).isTrue();
    }

    @Test
    void otherNamesShouldNotMatch() {
        assertThat(NextHopNames.matches("evilnexthop.test", "nexthop.test")).isFalse();
        assertThat(NextHopNames.matches("*.test", "nexthop.test")).isFalse();
        assertThat(NextHopNames.matches("nexthop.test.evil.example", "nexthop.test")).isFalse();
        assertThat(NextHopNames.matches("mx.elsewhere.test", "nexthop.test")).isFalse();
    }
}
