package org.relaypack.it.durability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.utils.GuiceProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.QueueChoice;
import org.relaypack.testing.RestartablePeer;

import com.google.inject.Inject;
import com.google.inject.multibindings.Multibinder;

/**
 * The harness boots James in this JVM on the ActiveMQ queue too: the pack's hop queues are ActiveMQ
 * queues, and mail queued for a down hop is still there when a new James starts on the same
 * working directory.
 */
class InProcessDurabilityTest {
    private static final String TO = "bob@remote.example";

    @TempDir
    Path workdir;

    public static final class QueueFactoryProbe implements GuiceProbe {
        private final MailQueueFactory<? extends ManageableMailQueue> factory;

        @Inject
        QueueFactoryProbe(MailQueueFactory<? extends ManageableMailQueue> factory) {
            this.factory = factory;
        }
    }

    private RelayJames boot(RestartablePeer upstream) throws Exception {
        return RelayJames.sample("demo")
            .substitute(CrashStory.UPSTREAM, "[127.0.0.1]:" + upstream.port())
            .substitute(CrashStory.SHIPPED_RETRY, CrashStory.STORY_RETRY)
            .queue(QueueChoice.ACTIVEMQ)
            .workdir(workdir)
            .overrideWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(QueueFactoryProbe.class))
            .start();
    }

    @Test
    void mailQueuedOnActiveMqShouldBeDeliveredByTheNextJamesOnTheSameWorkingDirectory() throws Exception {
        try (RestartablePeer upstream = RestartablePeer.down()) {
            List<String> accepted;
            try (RelayJames james = boot(upstream)) {
                assertThat(james.server().getProbe(QueueFactoryProbe.class).factory).isInstanceOf(ActiveMQMailQueueFactory.class);
                accepted = CrashStory.sendAll(james.port(25), 5, TO);
                // Every mail has left the spool for the hop's queue before the stop: a mail the spool is
                // processing when James stops can fail to be queued (James stops the broker under it)
                // and go to James's error repository, see docs/durability.md.
                await().atMost(Duration.ofMinutes(1)).until(() -> queueSize(james, "spool") == 0
                    && queueSize(james, "relaypack-upstream") >= accepted.size());
            }
            upstream.up();
            try (RelayJames james = boot(upstream)) {
                await().atMost(Duration.ofMinutes(2)).until(() -> upstream.messageIds().elementSet().containsAll(accepted));
                await().atMost(Duration.ofMinutes(1)).until(() -> queueSize(james, "relaypack-upstream") == 0);
                assertThat(upstream.messageIds()).containsExactlyInAnyOrderElementsOf(accepted);
                assertThat(upstream.messageIds().elementSet()).hasSize(accepted.size());
            }
        }
    }

    private static long queueSize(RelayJames james, String queue) throws Exception {
        return james.server().getProbe(QueueFactoryProbe.class).factory
            .getQueue(org.apache.james.queue.api.MailQueueName.of(queue)).orElseThrow().getSize();
    }
}
