package org.relaypack.delivery;

import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;

/** The queue contract on James's memory queue: delays honoured, nothing survives a crash. */
class MemoryQueueContractTest implements EngineQueueContract {
    @Override
    public QueueUnderTest queueUnderTest() {
        MemoryMailQueueFactory factory = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        return new QueueUnderTest() {
            @Override
            public MailQueueFactory<?> factory() {
                return factory;
            }

            @Override
            public boolean survivesCrash() {
                return false;
            }

            @Override
            public MailQueueFactory<?> crashAndRestart() {
                throw new UnsupportedOperationException("James's memory queue does not survive a crash");
            }
        };
    }
}
