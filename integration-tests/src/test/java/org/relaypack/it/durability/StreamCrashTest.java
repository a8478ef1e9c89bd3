package org.relaypack.it.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.it.harness.JamesProcess;
import org.relaypack.runner.QueueChoice;
import org.relaypack.testing.RestartablePeer;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Multiset;

/**
 * Story b of docs/durability.md: James killed (kill -9) in the middle of a full-speed stream, its
 * next hop up all along. Every mail that got its 250 arrives after the restart; a mail may arrive
 * twice only when its transaction was in flight at the kill (delivered, not yet acknowledged to the
 * queue), so duplicates are at most the transactions James can have in flight.
 */
class StreamCrashTest {
    private static final String TO = "bob@remote.example";
    private static final int SENDERS = 4;

    @TempDir
    Path base;

    @Test
    void aKillInTheMiddleOfAStreamShouldLoseNoAcceptedMail() throws Exception {
        int beforeKill = CrashStory.mails(200);
        long started = System.nanoTime();
        try (RestartablePeer upstream = RestartablePeer.down().up();
             JamesProcess james = CrashStory.demo(base, QueueChoice.ACTIVEMQ)
                 .edit("relaypack.xml", CrashStory.UPSTREAM, "[127.0.0.1]:" + upstream.port())) {
            james.start();
            int port = james.port("listener.25");
            List<String> accepted = new CopyOnWriteArrayList<>();
            Set<String> unanswered = ConcurrentHashMap.newKeySet();
            AtomicBoolean sending = new AtomicBoolean(true);
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            for (int i = 0; i < SENDERS; i++) {
                senders.submit(() -> stream(port, sending, accepted, unanswered));
            }
            await().atMost(Duration.ofMinutes(5)).until(() -> accepted.size() >= beforeKill);
            int deliveredAtKill = upstream.messageIds().size();
            james.kill();
            sending.set(false);
            senders.shutdown();
            assertThat(senders.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
            int acceptedCount = accepted.size();

            james.start();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(upstream.messageIds().elementSet()).as(james.logTail(30)).containsAll(accepted));
            QueuedMailCrashTest.awaitQueuesEmpty(james);

            Multiset<String> delivered = upstream.messageIds();
            List<String> twice = delivered.entrySet().stream().filter(id -> id.getCount() > 1)
                .map(Multiset.Entry::getElement).collect(Collectors.toList());
            // Nothing arrives that nobody sent; a mail whose 250 the kill cut off may arrive or not.
            assertThat(delivered.elementSet()).allSatisfy(id -> assertThat(accepted.contains(id) || unanswered.contains(id)).as(id).isTrue());
            assertThat(twice).hasSizeLessThanOrEqualTo(CrashStory.DEMO_TRANSACTIONS_IN_FLIGHT);
            CrashStory.report(String.format("b activemq: kill -9 after %d accepted (%d delivered by then), %d senders; "
                    + "%d accepted lost, %d delivered twice, %d copies dropped by the delivered ledger, %d unanswered at the kill of which %d arrived, %.0f s",
                acceptedCount, deliveredAtKill, SENDERS, 0, twice.size(), james.logLinesWith(CrashStory.DUPLICATE_DROPPED), unanswered.size(),
                unanswered.stream().filter(delivered::contains).count(), (System.nanoTime() - started) / 1e9));
        }
    }

    private static void stream(int port, AtomicBoolean sending, List<String> accepted, Set<String> unanswered) {
        try (SmtpTestClient client = SmtpTestClient.plain(port)) {
            client.greeting();
            client.ehlo("lan-host");
            while (sending.get()) {
                String id = CrashStory.newMessageId();
                unanswered.add(id);
                SmtpTestClient.Reply reply = client.send("alice@lan.example", ImmutableList.of(TO), CrashStory.message(id, TO));
                if (reply.code() == 250) {
                    unanswered.remove(id);
                    accepted.add(id);
                } else {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The kill cut the connection: the mail in progress has no answer.
        }
    }
}
