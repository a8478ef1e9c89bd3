package org.relaypack.it.smarthost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relaypack.testing.ScriptedSmtpPeer;

/**
 * Issue 11's lanes story, its behaviour: ten hostile destinations (MX servers that drip their greeting
 * and never finish it) and one healthy one behind the one {@code type="mx"} hop of the smarthost sample,
 * with its 4 consumer threads, MX answers as dnsjava gives them (absolute names). The healthy
 * destination gets all its mail while the hostile servers hold connections; every connection a hostile
 * destination held is given up at its deadline, and no relaypack delivery thread stays in a session.
 * The rate of the healthy destination beside the hostile ones is measured by
 * {@link MxDestinationLanesMeasurement}, not here.
 */
class MxDestinationLanesStoryTest {
    private static final int MAILS_PER_HOSTILE = 3;
    private static final int HEALTHY_MAILS = 40;
    /** Every reply deadline of the hop: the greeting a hostile server drips is cut at it. */
    private static final String DEADLINE = "2s";

    private static HostileMxDestinations internet;

    @BeforeAll
    static void start() throws Exception {
        internet = HostileMxDestinations.start(DEADLINE);
    }

    @AfterAll
    static void stop() throws Exception {
        internet.close();
    }

    @Test
    void healthyDestinationShouldGetAllItsMailWhileTenHostileOnesDripTheirGreeting() throws Exception {
        internet.sendHealthy(0, 5, "proves the healthy destination");
        await().atMost(Duration.ofSeconds(40)).until(() -> internet.healthy().transactions().size() == 5);
        internet.healthy().clear();

        internet.sendTo(internet.hostileDestinations("story"), MAILS_PER_HOSTILE, "hostile");
        await().atMost(Duration.ofSeconds(10)).until(() -> internet.hostileSessionsOpen() > 0);
        internet.sendHealthy(0, HEALTHY_MAILS, "beside hostile");

        await().atMost(Duration.ofSeconds(40)).until(() -> internet.healthy().transactions().size() >= HEALTHY_MAILS);
        List<ScriptedSmtpPeer> hostile = internet.hostile();
        assertThat(hostile).as("hostile servers, still hostile").allMatch(ScriptedSmtpPeer::isListening);
        assertThat(internet.healthy().transactions()).as("nothing for the hostile destinations reached the healthy server")
            .allMatch(transaction -> transaction.recipients().stream().allMatch(recipient -> recipient.endsWith("@" + HostileMxDestinations.HEALTHY)));

        // Every hostile destination was tried, gave up at its deadline, and is left alone since (dead).
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(hostile).allMatch(peer -> peer.sessions() >= 1);
            assertThat(internet.hostileSessionsOpen()).as("hostile connections still open").isZero();
            assertThat(HostileMxDestinations.threadsInASession()).as("relaypack delivery threads still in a session").isEmpty();
        });
        assertThat(hostile).as("connections per hostile destination: dead after the first").allMatch(peer -> peer.sessions() == 1);
        assertThat(internet.healthy().transactions()).as("each healthy mail once").hasSize(HEALTHY_MAILS);
    }
}
