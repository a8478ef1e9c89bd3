package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.common.collect.ImmutableList;

class DeliveredLedgerTest {
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final MailAddress BOB = address("bob@remote.example");
    private static final MailAddress CAROL = address("carol@remote.example");
    private static final MailAddress DAVE = address("dave@other.example");
    private static final String KEY = "Mail1764540000000-5b0c9b7e-2d4c-4a5e-9f1a-0c3d2e1f4a5b";

    @TempDir
    Path directory;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T20:00:00Z"));

    private DeliveredLedger open(int maxEntries) throws Exception {
        return DeliveredLedger.open(directory, RETENTION, maxEntries, false, clock);
    }

    private static void record(DeliveredLedger testee, String key, String hop, MailAddress... recipients) throws Exception {
        try (DeliveredLedger.Claim claim = testee.claim(key, hop, ImmutableList.copyOf(recipients))) {
            claim.record(ImmutableList.copyOf(recipients));
        }
    }

    private static List<MailAddress> delivered(DeliveredLedger testee, String key, String hop) {
        return delivered(testee, key, hop, BOB, CAROL);
    }

    private static List<MailAddress> delivered(DeliveredLedger testee, String key, String hop, MailAddress... recipients) {
        try (DeliveredLedger.Claim claim = testee.claim(key, hop, ImmutableList.copyOf(recipients))) {
            return claim.delivered();
        }
    }

    @Test
    void recordedRecipientsShouldBeDeliveredForThatKeyAndHopOnly() throws Exception {
        try (DeliveredLedger testee = open(10_000)) {
            record(testee, KEY, "upstream", BOB);

            assertThat(delivered(testee, KEY, "upstream")).containsExactly(BOB);
            assertThat(delivered(testee, KEY, "mailbox1")).isEmpty();
            assertThat(delivered(testee, KEY + "-other", "upstream")).isEmpty();
        }
    }

    @Test
    void aLedgerOpenedAgainShouldReadBackWhatWasRecordedBeforeAKill() throws Exception {
        DeliveredLedger beforeKill = open(10_000);
        record(beforeKill, KEY, "upstream", BOB, CAROL);
        // No close: a kill -9 leaves the file as the last write left it.

        try (DeliveredLedger testee = open(10_000)) {
            assertThat(delivered(testee, KEY, "upstream")).containsExactly(BOB, CAROL);
        }
    }

    @Test
    void aLineCutShortByACrashShouldBeSkippedAndTheRestRead() throws Exception {
        try (DeliveredLedger first = open(10_000)) {
            record(first, KEY, "upstream", BOB);
        }
        Path file = ledgerFiles().get(0);
        Files.writeString(file, "0123456789abc", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);

        try (DeliveredLedger testee = open(10_000)) {
            assertThat(delivered(testee, KEY, "upstream")).containsExactly(BOB);
        }
    }

    @Test
    void recordsShouldBeForgottenOnceOlderThanTheRetention() throws Exception {
        try (DeliveredLedger testee = open(10_000)) {
            record(testee, KEY, "upstream", BOB);
            clock.advance(RETENTION.dividedBy(2));
            record(testee, "another", "upstream", BOB);
            assertThat(delivered(testee, KEY, "upstream")).containsExactly(BOB);

            clock.advance(RETENTION.plus(RETENTION.dividedBy(2)));
            record(testee, "a third", "upstream", BOB);

            assertThat(delivered(testee, KEY, "upstream")).isEmpty();
            assertThat(ledgerFiles()).hasSizeLessThanOrEqualTo(DeliveredLedger.GENERATIONS + 1);
        }
    }

    @Test
    void theRetentionOfRecordsReadBackShouldCountFromTheRestartNotFromTheirWriting() throws Exception {
        try (DeliveredLedger beforeStop = open(10_000)) {
            record(beforeStop, KEY, "upstream", BOB);
        }
        // The node was down for a day: its queue did not move meanwhile.
        clock.advance(Duration.ofDays(1));

        try (DeliveredLedger testee = open(10_000)) {
            record(testee, "another", "upstream", BOB);
            assertThat(delivered(testee, KEY, "upstream")).containsExactly(BOB);
        }
    }

    @Test
    void aFullLedgerShouldForgetItsOldestRecordsFirst() throws Exception {
        int maxEntries = 1_000;
        try (DeliveredLedger testee = open(maxEntries)) {
            for (int i = 0; i < 3 * maxEntries; i++) {
                record(testee, "mail" + i, "upstream", BOB);
            }

            assertThat(testee.size()).isLessThanOrEqualTo(maxEntries);
            assertThat(delivered(testee, "mail0", "upstream")).isEmpty();
            assertThat(delivered(testee, "mail" + (3 * maxEntries - 1), "upstream")).containsExactly(BOB);
        }
    }

    @Test
    void aSecondClaimOfARecipientOfTheSameKeyAndHopShouldWaitForTheFirst() throws Exception {
        try (DeliveredLedger testee = open(10_000)) {
            DeliveredLedger.Claim first = testee.claim(KEY, "upstream", ImmutableList.of(BOB));
            CompletableFuture<List<MailAddress>> second = CompletableFuture.supplyAsync(() -> delivered(testee, KEY, "upstream"));
            // Another hop, and a copy of the mail for other recipients (a mail split per destination), are not held up.
            assertThat(delivered(testee, KEY, "mailbox1")).isEmpty();
            assertThat(delivered(testee, KEY, "upstream", DAVE)).isEmpty();
            assertThat(second).isNotDone();

            first.record(ImmutableList.of(BOB));
            first.close();

            assertThat(second.get(10, TimeUnit.SECONDS)).containsExactly(BOB);
        }
    }

    @Test
    void theMailKeyShouldBeTheNameWithoutTheSuffixesOfJamesDuplicates() throws Exception {
        assertThat(DeliveryAttributes.mailKey(FakeMail.builder().name(KEY + "-!1234567-!7654321").build())).isEqualTo(KEY);
        assertThat(DeliveryAttributes.mailKey(FakeMail.builder().name(KEY).build())).isEqualTo(KEY);
    }

    @Test
    void theStampedMailKeyShouldWinOverTheName() throws Exception {
        FakeMail mail = FakeMail.builder().name(KEY + "-!1234567").build();
        DeliveryAttributes.stampMailKey(mail);
        mail.setName(KEY + "-upstream-0a1b2c3d");

        assertThat(DeliveryAttributes.mailKey(mail)).isEqualTo(KEY);
    }

    private List<Path> ledgerFiles() throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().collect(Collectors.toList());
        }
    }
}
