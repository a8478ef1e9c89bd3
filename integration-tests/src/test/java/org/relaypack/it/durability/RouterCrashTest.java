package org.relaypack.it.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.it.harness.JamesProcess;
import org.relaypack.runner.QueueChoice;
import org.relaypack.testing.RestartablePeer;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;

/**
 * Story c of docs/durability.md: the router splits a mail over three mailbox servers; the third is
 * down, James is killed (kill -9) and started again, the third comes up: each server has its copy,
 * with its own recipients, once.
 */
class RouterCrashTest {
    private static final String MAILBOX3_HOP = "        <nexthop name=\"mailbox3\">\n"
        + "            <host>[127.0.0.1]:%d</host>\n"
        + "            <tls mode=\"opportunistic\"/>\n"
        + "        </nexthop>\n"
        + "    </nexthops>";

    @TempDir
    Path base;

    @Test
    void aMailSplitOverThreeMailboxServersShouldReachEachOnceAcrossAKill() throws Exception {
        long started = System.nanoTime();
        try (RestartablePeer upstream = RestartablePeer.down().up();
             RestartablePeer mailbox1 = RestartablePeer.down().up();
             RestartablePeer mailbox2 = RestartablePeer.down().up();
             RestartablePeer mailbox3 = RestartablePeer.down();
             JamesProcess james = CrashStory.demo(base, QueueChoice.ACTIVEMQ)
                 .edit("relaypack.xml", CrashStory.UPSTREAM, "[127.0.0.1]:" + upstream.port())
                 .edit("relaypack.xml", CrashStory.MAILBOX1, "[127.0.0.1]:" + mailbox1.port())
                 .edit("relaypack.xml", CrashStory.MAILBOX2, "[127.0.0.1]:" + mailbox2.port())
                 .edit("relaypack.xml", "    </nexthops>", String.format(MAILBOX3_HOP, mailbox3.port()))
                 .append("routes.txt", "\ndave@example.com    mailbox3\n")) {
            james.start();
            String id = CrashStory.newMessageId();
            try (SmtpTestClient client = SmtpTestClient.plain(james.port("listener.25"))) {
                client.greeting();
                client.ehlo("partner-host");
                assertThat(client.send("bob@remote.example", ImmutableList.of("alice@example.com", "carol@example.com", "dave@example.com"),
                    "From: bob@remote.example\r\nSubject: split\r\nMessage-ID: " + id + "\r\n\r\nOne copy per mailbox server.\r\n").code())
                    .isEqualTo(250);
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> mailbox1.messageIds().contains(id) && mailbox2.messageIds().contains(id));
            await().atMost(Duration.ofMinutes(1)).until(() -> james.queueSize("relaypack-mailbox3") == 1);

            james.kill();
            james.start();
            mailbox3.up();

            await().atMost(Duration.ofMinutes(2)).until(() -> mailbox3.messageIds().contains(id));
            QueuedMailCrashTest.awaitQueuesEmpty(james, "relaypack-mailbox1", "relaypack-mailbox2", "relaypack-mailbox3");
            assertThat(recipientsOfEachCopy(mailbox1)).containsExactly(ImmutableList.of("alice@example.com"));
            assertThat(recipientsOfEachCopy(mailbox2)).containsExactly(ImmutableList.of("carol@example.com"));
            assertThat(recipientsOfEachCopy(mailbox3)).containsExactly(ImmutableList.of("dave@example.com"));
            assertThat(upstream.transactions()).isEmpty();
            CrashStory.report(String.format("c activemq: one mail split over 3 mailbox servers, the third down, kill -9, restart: "
                + "copies %d/%d/%d, %.0f s", mailbox1.transactions().size(), mailbox2.transactions().size(), mailbox3.transactions().size(),
                (System.nanoTime() - started) / 1e9));
        }
    }

    private static ImmutableList<ImmutableList<String>> recipientsOfEachCopy(RestartablePeer peer) {
        return peer.transactions().stream()
            .map(SmtpPeer.Transaction::recipients)
            .map(ImmutableList::copyOf)
            .collect(ImmutableList.toImmutableList());
    }
}
