package org.relaypack.it.smarthost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;

/**
 * Issue 11's measured lanes story: how fast the healthy destination's mail flows while hostile
 * destinations hold threads of the same {@code type="mx"} hop, against its rate alone. Not a test:
 * its name keeps it out of {@code mvn verify}; it prints and asserts no figure. Run it with
 * <pre>
 * mvn -o -B -pl integration-tests -am verify -Dtest=MxDestinationLanesMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * and optionally {@code -Dlanes.mails=1000 -Dlanes.pairs=7 -Dlanes.warmup=2 -Dlanes.sessions=4 -Dlanes.deadline=10s}.
 * <p>
 * Rounds alternate, against the same James: alone (A), with hostile (B), A, B, ... after unreported
 * pairs of warm-up. A round sends {@code lanes.mails} mails to the healthy destination over
 * {@code lanes.sessions} inbound connections and lasts until the healthy server holds them all. Before
 * each B round, one mail to each of ten fresh hostile destinations (fresh: the dead-host cache knows
 * them not, so each gets a connection, which it holds until the deadline); its healthy mail starts
 * only once the hostile servers hold the three connections the hop gives to unproven destinations
 * (its 4 threads minus one), and the connections still held at its end are printed. The figure is the
 * median of the per-pair ratios B/A of the rates, with their spread.
 */
class MxDestinationLanesMeasurement {
    private static final int MAILS = Integer.getInteger("lanes.mails", 1000);
    private static final int PAIRS = Integer.getInteger("lanes.pairs", 7);
    /** James's rates still climb for a few thousand mails after it starts: unreported pairs first. */
    private static final int WARMUP_PAIRS = Integer.getInteger("lanes.warmup", 2);
    private static final int SESSIONS = Integer.getInteger("lanes.sessions", 4);
    private static final String DEADLINE = System.getProperty("lanes.deadline", "10s");
    /** The hop's concurrency (4) minus the one thread always left to destinations that deliver. */
    private static final int UNPROVEN_SLOTS = 3;
    private static final int MAILS_PER_HOSTILE = 3;

    private static HostileMxDestinations internet;
    private static ExecutorService senders;
    private static int rounds;

    private static final class Round {
        final long millis;
        final long intakeMillis;
        final int hostileOpenAtStart;
        final int hostileOpenAtEnd;
        final int threadsInASessionAtEnd;

        Round(long millis, long intakeMillis, int hostileOpenAtStart, int hostileOpenAtEnd, int threadsInASessionAtEnd) {
            this.millis = millis;
            this.intakeMillis = intakeMillis;
            this.hostileOpenAtStart = hostileOpenAtStart;
            this.hostileOpenAtEnd = hostileOpenAtEnd;
            this.threadsInASessionAtEnd = threadsInASessionAtEnd;
        }

        double rate() {
            return MAILS * 1000.0 / millis;
        }

        String describe() {
            return String.format(Locale.ROOT, "%6d ms (intake %6d ms, last delivery %5d ms later) %7.1f mails/s, hostile connections open at start %d, at end %d,"
                + " delivery threads in a session at end %d", millis, intakeMillis, millis - intakeMillis, rate(), hostileOpenAtStart, hostileOpenAtEnd,
                threadsInASessionAtEnd);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        // As the relay benchmark runs James: at WARN (at INFO the delivery log writes three lines per mail).
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.relaypack")).setLevel(Level.WARN);
        internet = HostileMxDestinations.start(DEADLINE);
        senders = Executors.newFixedThreadPool(SESSIONS);
    }

    @AfterAll
    static void stop() throws Exception {
        senders.shutdownNow();
        internet.close();
    }

    @Test
    void healthyDestinationRateBesideTenHostileOnesAgainstAlone() throws Exception {
        for (int pair = 1; pair <= WARMUP_PAIRS; pair++) {
            print("warm-up A " + alone().describe());
            print("warm-up B " + withHostile().describe());
        }
        List<Double> ratios = new ArrayList<>();
        int heldThroughout = 0;
        for (int pair = 1; pair <= PAIRS; pair++) {
            Round alone = alone();
            Round withHostile = withHostile();
            double ratio = withHostile.rate() / alone.rate();
            ratios.add(ratio);
            heldThroughout += withHostile.hostileOpenAtEnd > 0 ? 1 : 0;
            print(String.format(Locale.ROOT, "pair %d A %s", pair, alone.describe()));
            print(String.format(Locale.ROOT, "pair %d B %s; B/A %.0f%%", pair, withHostile.describe(), 100 * ratio));
        }
        List<Double> sorted = ratios.stream().sorted().collect(Collectors.toList());
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
            : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        print(String.format(Locale.ROOT, "healthy destination, %d mails per round over %d inbound connections, hop concurrency 4,"
                + " %s deadline, beside 10 hostile destinations: median B/A %.0f%% over %d pairs (min %.0f%%, max %.0f%%; %s);"
                + " hostile connections still held at the end of %d of %d B rounds",
            MAILS, SESSIONS, DEADLINE, 100 * median, PAIRS, 100 * sorted.get(0), 100 * sorted.get(sorted.size() - 1),
            ratios.stream().map(r -> String.format(Locale.ROOT, "%.0f%%", 100 * r)).collect(Collectors.joining(" ")), heldThroughout, PAIRS));
    }

    private static Round alone() throws Exception {
        return healthyRound("alone");
    }

    private static Round withHostile() throws Exception {
        List<Integer> sessionsBefore = internet.hostile().stream().map(peer -> peer.sessions()).collect(Collectors.toList());
        internet.sendTo(internet.hostileDestinations("r" + rounds), MAILS_PER_HOSTILE, "hostile");
        await().atMost(Duration.ofSeconds(30)).until(() -> internet.hostileSessionsOpen() >= UNPROVEN_SLOTS);
        Round round = healthyRound("beside hostile");
        // Each fresh destination gets one connection (then it is dead), given up at its deadline.
        await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
            for (int i = 0; i < HostileMxDestinations.HOSTILE_SERVERS; i++) {
                assertThat(internet.hostile().get(i).sessions()).as("connections to hostile server %d this round", i)
                    .isEqualTo(sessionsBefore.get(i) + 1);
            }
            assertThat(internet.hostileSessionsOpen()).as("hostile connections still open").isZero();
            assertThat(HostileMxDestinations.threadsInASession()).as("relaypack delivery threads still in a session").isEmpty();
        });
        return round;
    }

    /** Sends the round's healthy mails over SESSIONS connections; the time until the healthy server holds them all. */
    private static Round healthyRound(String phase) throws Exception {
        String subject = phase + " r" + rounds++;
        internet.healthy().clear();
        int openAtStart = internet.hostileSessionsOpen();
        long start = System.nanoTime();
        List<Future<?>> sending = new ArrayList<>();
        int perSession = MAILS / SESSIONS;
        for (int session = 0; session < SESSIONS; session++) {
            int first = session * perSession;
            int count = session == SESSIONS - 1 ? MAILS - first : perSession;
            sending.add(senders.submit(() -> {
                internet.sendHealthy(first, count, subject);
                return null;
            }));
        }
        for (Future<?> future : sending) {
            future.get();
        }
        long intakeDone = System.nanoTime();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(10))
            .until(() -> internet.healthy().transactions().size() >= MAILS);
        long end = System.nanoTime();
        Round round = new Round((end - start) / 1_000_000, (intakeDone - start) / 1_000_000, openAtStart, internet.hostileSessionsOpen(),
            HostileMxDestinations.threadsInASession().size());
        assertThat(internet.healthy().transactions()).as("transactions at the healthy server").hasSize(MAILS);
        assertThat(internet.healthy().transactions().stream().flatMap(transaction -> transaction.recipients().stream()).distinct())
            .as("every healthy mail of the round once, nothing else")
            .hasSize(MAILS)
            .allMatch(recipient -> recipient.endsWith("@" + HostileMxDestinations.HEALTHY));
        return round;
    }

    private static void print(String line) {
        System.out.println("MxDestinationLanesMeasurement: " + line);
    }
}
