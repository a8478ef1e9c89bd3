package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class FingerprintsTest {
    private final Fingerprints testee = new Fingerprints();

    @Test
    void addedFingerprintsShouldBeFoundAcrossGrowthAndOthersNot() {
        Random random = new Random(12);
        long[][] added = new long[10_000][];
        for (int i = 0; i < added.length; i++) {
            added[i] = new long[] {random.nextLong(), random.nextLong()};
            assertThat(testee.add(added[i][0], added[i][1])).isTrue();
        }

        assertThat(testee.size()).isEqualTo(added.length);
        assertThat(Arrays.stream(added).filter(fingerprint -> !testee.contains(fingerprint[0], fingerprint[1]))).isEmpty();
        assertThat(testee.contains(added[0][0], added[0][1] + 1)).isFalse();
        assertThat(testee.contains(added[0][1], added[0][0])).isFalse();
    }

    @Test
    void addingTwiceShouldKeepOne() {
        assertThat(testee.add(5, 7)).isTrue();
        assertThat(testee.add(5, 7)).isFalse();
        assertThat(testee.size()).isEqualTo(1);
    }

    @Test
    void theZeroFingerprintShouldBeKeptLikeAnyOther() {
        assertThat(testee.contains(0, 0)).isFalse();
        testee.add(0, 0);
        assertThat(testee.contains(0, 0)).isTrue();
        assertThat(testee.size()).isEqualTo(1);
    }
}
