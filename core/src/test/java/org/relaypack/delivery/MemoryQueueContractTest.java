package org.relaypack.delivery;

import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;

/** The queue contract on James's memory queue: delays honoured, nothing survives a crash. */
class MemoryQueueContractTest implements EngineQueueContract {
    @Override
    public QueueUnderTest queueUnderTest() {
        return QueueUnderTest.lostOnCrash(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()));
    }
}
