package org.relaypack.it.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.it.harness.JamesProcess;
import org.relaypack.runner.QueueChoice;
import org.relaypack.testing.RestartablePeer;

import com.google.common.collect.Multiset;

/**
 * Story a of docs/durability.md: mail accepted while the next hop is down survives James's end,
 * on the run command's default queue (ActiveMQ), and is lost on James's memory queue. James runs
 * in its own JVM (the run command), killed with kill -9 or stopped with SIGTERM, and started again
 * on the same working directory.
 */
class QueuedMailCrashTest {
    private static final String TO = "bob@remote.example";

    @TempDir
    Path base;

    @Test
    void mailAcceptedWhileTheHopIsDownShouldSurviveAStopAndAKillAndArriveOnceWhenTheHopComesUp() throws Exception {
        // The 1,000: the run's time is mostly James's three boots, not the mails (docs/durability.md).
        int mails = CrashStory.mails(1000);
        long started = System.nanoTime();
        try (RestartablePeer upstream = RestartablePeer.down();
             JamesProcess james = CrashStory.demo(base, QueueChoice.ACTIVEMQ)
                 .edit("relaypack.xml", CrashStory.UPSTREAM, "[127.0.0.1]:" + upstream.port())) {
            james.start();
            List<String> accepted = new ArrayList<>(CrashStory.sendAll(james.port("listener.25"), mails / 2, TO));
            awaitSpoolEmpty(james);

            assertThat(james.stop()).as("James's exit after SIGTERM").isNotEqualTo(137);
            james.start();
            accepted.addAll(CrashStory.sendAll(james.port("listener.25"), mails - mails / 2, TO));
            awaitSpoolEmpty(james);
            james.kill();
            james.start();
            upstream.up();

            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(upstream.messageIds().elementSet()).as(james.logTail(30)).containsAll(accepted));
            awaitQueuesEmpty(james);
            Multiset<String> delivered = upstream.messageIds();
            assertThat(delivered.elementSet()).containsExactlyInAnyOrderElementsOf(accepted);
            long twice = delivered.entrySet().stream().filter(id -> id.getCount() > 1).count();
            CrashStory.report(String.format("a activemq: %d accepted while the hop was down (half before a SIGTERM restart, half before a kill -9), "
                + "%d delivered, %d lost, %d twice, %d copies dropped by the delivered ledger, %.0f s", accepted.size(),
                delivered.elementSet().size(), 0, twice, james.logLinesWith(CrashStory.DUPLICATE_DROPPED), (System.nanoTime() - started) / 1e9));
            // Every mail waits in the hop's queue, but its deferrals go on: a stop or a kill between queueing the
            // next attempt and acknowledging this one leaves two copies; the delivered ledger sends only one.
            assertThat(delivered.entrySet()).allSatisfy(id -> assertThat(id.getCount()).as(id.getElement()).isEqualTo(1));
        }
    }

    @Test
    void jamesMemoryQueueShouldLoseMailQueuedAtAStop() throws Exception {
        int mails = 20;
        long started = System.nanoTime();
        try (RestartablePeer upstream = RestartablePeer.down();
             JamesProcess james = CrashStory.demo(base, QueueChoice.MEMORY)
                 .edit("relaypack.xml", CrashStory.UPSTREAM, "[127.0.0.1]:" + upstream.port())) {
            james.start();
            List<String> accepted = CrashStory.sendAll(james.port("listener.25"), mails, TO);
            // Every mail has left the spool for the hop's queue, where it waits for the hop.
            await().atMost(Duration.ofMinutes(1)).until(() -> james.queueSize("spool") == 0 && james.queueSize("relaypack-upstream") > 0);

            james.stop();
            james.start();
            upstream.up();

            // Right after the restart the queues are empty: James's memory queue kept nothing.
            assertThat(james.queueSize("spool")).isZero();
            assertThat(james.queueSize("relaypack-upstream")).isZero();
            // A mail sent now arrives: the hop works, and the earlier ones are gone, not late.
            List<String> marker = CrashStory.sendAll(james.port("listener.25"), 1, TO);
            await().atMost(Duration.ofMinutes(1)).until(() -> upstream.messageIds().contains(marker.get(0)));
            assertThat(upstream.messageIds().elementSet()).doesNotContainAnyElementsOf(accepted);
            CrashStory.report(String.format("a memory: %d accepted while the hop was down, SIGTERM restart, %d delivered, %d lost, %.0f s",
                mails, 0, mails, (System.nanoTime() - started) / 1e9));
        }
    }

    private static void awaitSpoolEmpty(JamesProcess james) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> james.queueSize("spool") == 0);
    }

    static void awaitQueuesEmpty(JamesProcess james, String... hopQueues) {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            long left = james.queueSize("spool") + james.queueSize("relaypack-upstream");
            for (String queue : hopQueues) {
                left += james.queueSize(queue);
            }
            return left == 0;
        });
    }
}
