package org.relaypack.it.smarthost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;

/**
 * Issue 11's measured story: ten hostile destinations (MX servers that drip their greeting and never
 * finish it) and one healthy one behind the one {@code type="mx"} hop of the smarthost sample, with
 * its 4 consumer threads, MX answers as dnsjava gives them (absolute names). The healthy destination
 * gets all its mail while the hostile servers are still hostile; every connection a hostile
 * destination held is given up at its deadline, and no relaypack delivery thread stays in a session.
 * Prints the healthy destination's rate with the hostile ones against its rate alone; no timed assertion.
 */
class MxDestinationLanesStoryTest {
    private static final int HOSTILE_DESTINATIONS = 10;
    private static final int MAILS_PER_HOSTILE = 3;
    private static final int HEALTHY_MAILS = 40;
    private static final String HEALTHY = "healthy.example";
    /** Every reply deadline of the hop: the greeting a hostile server drips is cut at it. */
    private static final String DEADLINE = "2s";

    private static SmtpPeer healthy;
    private static final List<ScriptedSmtpPeer> HOSTILE = new ArrayList<>();
    private static RelayJames james;

    private static String hostile(int index) {
        return "slow" + index + ".example";
    }

    @BeforeAll
    static void start() throws Exception {
        healthy = SmtpPeer.builder().start();
        int port = healthy.port();
        for (int i = 0; i < HOSTILE_DESTINATIONS; i++) {
            HOSTILE.add(ScriptedSmtpPeer.builder()
                .greeting("220 tarpit.example ESMTP slowly, very slowly, ever so slowly")
                .endlessGreeting(Duration.ofMillis(200))
                .bind(InetAddress.getByName("127.0.0." + (i + 2)), port)
                .start());
        }
        james = RelayJames.sample("smarthost")
            .substitute("name=\"internet\" type=\"mx\" port=\"25\">", "name=\"internet\" type=\"mx\" port=\"" + port + "\">"
                + "<timeouts connect=\"" + DEADLINE + "\" read=\"" + DEADLINE + "\" dataTransfer=\"" + DEADLINE + "\"/>"
                + "<lanes deadFor=\"10m\"/>")
            // The MX peers of this story listen on loopback, which is otherwise this relay (a mail loop).
            .substitute("<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/>",
                "<retry delays=\"5m, 10m, 30m, 1h, 2h, 4h\" maxAttempts=\"30\"/><loopDetection allowLoopbackMx=\"true\"/>")
            // the partner hop's CA is not this story's
            .substitute("<truststore path=\"file://conf/partner-ca.p12\" type=\"PKCS12\" passwordFile=\"file://conf/partner-ca.secret\"/>", "")
            .start();
        // As James's dnsjava DNSService answers: absolute names, with the trailing dot.
        register(HEALTHY, "127.0.0.1");
        for (int i = 0; i < HOSTILE_DESTINATIONS; i++) {
            register(hostile(i), "127.0.0." + (i + 2));
        }
    }

    private static void register(String domain, String address) throws Exception {
        String mx = "mx." + domain + ".";
        james.dns()
            .registerRecord(domain, ImmutableList.of(), ImmutableList.of(mx), ImmutableList.of())
            .registerRecord(mx, ImmutableList.of(InetAddress.getByName(address)), ImmutableList.of(), ImmutableList.of())
            .registerRecord(mx.substring(0, mx.length() - 1), ImmutableList.of(InetAddress.getByName(address)), ImmutableList.of(),
                ImmutableList.of());
    }

    @AfterAll
    static void stop() throws Exception {
        james.close();
        healthy.close();
        for (ScriptedSmtpPeer peer : HOSTILE) {
            peer.close();
        }
    }

    private static void send(SmtpTestClient client, String recipient, String subject) throws Exception {
        String sender = "scanner@lan.example";
        assertThat(client.send(sender, List.of(recipient), SmtpTestClient.message(sender, recipient, subject, "hello")).code())
            .isEqualTo(250);
    }

    /** Sends the healthy destination its mails, and returns the time until the last one arrived, in ms. */
    private static long sendHealthyAndTime(String phase) throws Exception {
        healthy.clear();
        long start = System.nanoTime();
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            client.ehlo("printer.lan.example");
            for (int i = 0; i < HEALTHY_MAILS; i++) {
                send(client, "user" + i + "@" + HEALTHY, phase + " " + i);
            }
        }
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(20))
            .until(() -> healthy.transactions().size() >= HEALTHY_MAILS);
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** relaypack's delivery threads of the hop that are in an SMTP session now. */
    private static List<String> threadsInASession() {
        return Thread.getAllStackTraces().entrySet().stream()
            .filter(entry -> entry.getKey().getName().startsWith("relaypack-internet"))
            .filter(entry -> Arrays.stream(entry.getValue()).anyMatch(frame -> frame.getClassName().startsWith("org.relaypack.delivery.smtp.")))
            .map(Map.Entry::getKey)
            .map(Thread::getName)
            .collect(Collectors.toList());
    }

    @Test
    void healthyDestinationShouldGetAllItsMailWhileTenHostileOnesDripTheirGreeting() throws Exception {
        sendHealthyAndTime("warm-up");
        long alone = sendHealthyAndTime("alone");

        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            client.ehlo("printer.lan.example");
            for (int mail = 0; mail < MAILS_PER_HOSTILE; mail++) {
                for (int i = 0; i < HOSTILE_DESTINATIONS; i++) {
                    send(client, "user" + mail + "@" + hostile(i), "hostile " + mail);
                }
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> HOSTILE.stream().mapToInt(ScriptedSmtpPeer::openSessions).sum() > 0);
        long withHostile = sendHealthyAndTime("with hostile");
        int hostileOpenAtTheEnd = HOSTILE.stream().mapToInt(ScriptedSmtpPeer::openSessions).sum();

        assertThat(healthy.transactions()).hasSize(HEALTHY_MAILS);
        assertThat(HOSTILE).as("hostile servers, still hostile").allMatch(ScriptedSmtpPeer::isListening);
        assertThat(healthy.transactions()).as("nothing for the hostile destinations reached the healthy server")
            .allMatch(transaction -> transaction.recipients().stream().allMatch(recipient -> recipient.endsWith("@" + HEALTHY)));

        // Every hostile destination was tried, gave up at its deadline, and is left alone since (dead).
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(HOSTILE).allMatch(peer -> peer.sessions() >= 1);
            assertThat(HOSTILE.stream().mapToInt(ScriptedSmtpPeer::openSessions).sum()).as("hostile connections still open").isZero();
            assertThat(threadsInASession()).as("relaypack delivery threads still in a session").isEmpty();
        });
        assertThat(HOSTILE).as("connections per hostile destination: dead after the first").allMatch(peer -> peer.sessions() == 1);

        double rateAlone = HEALTHY_MAILS * 1000.0 / alone;
        double rateWithHostile = HEALTHY_MAILS * 1000.0 / withHostile;
        System.out.printf("MxDestinationLanesStory: healthy destination %d mails: alone %d ms (%.1f mails/s), "
                + "beside %d hostile destinations (%d mails, %s deadline, hop concurrency 4) %d ms (%.1f mails/s): %.0f%% of its rate alone; "
                + "hostile connections still open when the last healthy mail arrived: %d%n",
            HEALTHY_MAILS, alone, rateAlone, HOSTILE_DESTINATIONS, HOSTILE_DESTINATIONS * MAILS_PER_HOSTILE, DEADLINE, withHostile,
            rateWithHostile, 100 * rateWithHostile / rateAlone, hostileOpenAtTheEnd);
    }
}
