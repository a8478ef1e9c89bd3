package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class RedeliveriesTest {
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");

    private final Redeliveries testee = new Redeliveries(Duration.ofSeconds(1), Duration.ofSeconds(60));

    @Test
    void backoffShouldDoubleWithEachNackInARowUpToItsMaximum() {
        List<Duration> backoffs = IntStream.range(0, 9).mapToObj(any -> testee.nextBackoff("upstream")).collect(Collectors.toList());

        assertThat(backoffs).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
            Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    @Test
    void backoffShouldStartOverOnceTheQueueWorksAndCountEachHopApart() {
        testee.nextBackoff("upstream");
        testee.nextBackoff("upstream");
        testee.nextBackoff("other");

        testee.queueWorked("upstream");

        assertThat(testee.nextBackoff("upstream")).isEqualTo(Duration.ofSeconds(1));
        assertThat(testee.nextBackoff("other")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void rememberedItemShouldKeepEveryDeliveredRecipientAndTheMostAttempts() {
        testee.remember("upstream", "mail1", 2, List.of(BOB));
        testee.remember("upstream", "mail1", 1, List.of(CAROL));

        Redeliveries.Memo memo = testee.recall("upstream", "mail1").orElseThrow();
        assertThat(memo.attempts()).isEqualTo(2);
        assertThat(memo.delivered()).containsExactlyInAnyOrder(BOB, CAROL);
        assertThat(testee.recall("other", "mail1")).isEmpty();
    }

    @Test
    void forgottenItemShouldBeRecalledNoMore() {
        testee.remember("upstream", "mail1", 1, List.of(BOB));

        testee.forget("upstream", "mail1");

        assertThat(testee.recall("upstream", "mail1")).isEmpty();
    }

    @Test
    void memoryShouldBeBounded() {
        IntStream.rangeClosed(0, Redeliveries.MAX_REMEMBERED).forEach(i -> testee.remember("upstream", "mail" + i, 1, List.of(BOB)));

        assertThat(testee.recall("upstream", "mail0")).isEmpty();
        assertThat(testee.recall("upstream", "mail" + Redeliveries.MAX_REMEMBERED)).isPresent();
    }
}
