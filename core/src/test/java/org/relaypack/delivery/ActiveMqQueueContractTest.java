package org.relaypack.delivery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.activemq.store.PersistenceAdapter;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.NoopGaugeRegistry;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.EmbeddedActiveMQ;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollector;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorNoop;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Scopes;

/**
 * The queue contract on James 3.8.1's own durable queue, as its single-node server runs it: an
 * embedded ActiveMQ broker whose KahaDB journal lives in the working directory (here a
 * {@code @TempDir}), each queue a persistent JMS queue. A crash stops the broker with the node's
 * dequeue transactions open, then starts a broker on the same directory: what the node had not
 * acknowledged comes back, what it had acknowledged does not.
 *
 * Two ways in which ActiveMQ differs from the other queues, both James's and neither a defect of the
 * engine (docs/durability.md):
 * <ul>
 *   <li>Delays are honoured late, never early: a JMS consumer selects the mails due at the moment it
 *       is made and then waits up to 10 s in {@code receive()}, so a mail queued with a delay is seen
 *       up to 10 s after its time. The contract waits up to {@link #PATIENCE} here.</li>
 *   <li>{@code deQueue()} blocks its subscriber in {@code receive()}: the engine dequeues on a thread
 *       of its own ({@link HopQueues}).</li>
 * </ul>
 */
class ActiveMqQueueContractTest implements EngineQueueContract {
    /** JMSCacheableMailQueue's receive timeout (10 s) twice over, and the engine's own backoffs. */
    static final Duration PATIENCE = Duration.ofSeconds(40);

    @TempDir
    Path workingDirectory;

    private final List<EmbeddedActiveMQ> brokers = new ArrayList<>();

    @AfterEach
    void stopBrokers() throws Exception {
        for (EmbeddedActiveMQ broker : brokers) {
            broker.stop();
        }
    }

    /** A node's queues: a broker on the working directory (its data, if any, recovered) and James's factory over it. */
    private MailQueueFactory<?> startNode() {
        FileSystem fileSystem = new FileSystemImpl(new JamesServerResourceLoader(workingDirectory.toString()));
        Injector injector = Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(FileSystem.class).toInstance(fileSystem);
                bind(PersistenceAdapter.class).to(KahaDBPersistenceAdapter.class);
                bind(KahaDBPersistenceAdapter.class).in(Scopes.SINGLETON);
                bind(EmbeddedActiveMQ.class).in(Scopes.SINGLETON);
                bind(MetricFactory.class).toInstance(new RecordingMetricFactory());
                bind(GaugeRegistry.class).toInstance(new NoopGaugeRegistry());
                bind(MailQueueItemDecoratorFactory.class).to(RawMailQueueItemDecoratorFactory.class);
                bind(ActiveMQMetricCollector.class).to(ActiveMQMetricCollectorNoop.class);
            }
        });
        brokers.add(injector.getInstance(EmbeddedActiveMQ.class));
        ActiveMQMailQueueFactory factory = injector.getInstance(ActiveMQMailQueueFactory.class);
        factory.setUseJMX(false);
        factory.init();
        return factory;
    }

    @Override
    public QueueUnderTest queueUnderTest() {
        MailQueueFactory<?> firstNode = startNode();
        return new QueueUnderTest() {
            @Override
            public MailQueueFactory<?> factory() {
                return firstNode;
            }

            @Override
            public boolean survivesCrash() {
                return true;
            }

            @Override
            public MailQueueFactory<?> crashAndRestart() throws Exception {
                // The node dies with its dequeue transactions open: nothing it had not acknowledged is committed.
                EmbeddedActiveMQ broker = brokers.remove(brokers.size() - 1);
                broker.stop();
                return startNode();
            }

            @Override
            public Duration patience() {
                return PATIENCE;
            }
        };
    }
}
