package org.relaypack.delivery;

import org.apache.james.queue.api.MailQueueFactory;

/** The queue contract on a double with James's RabbitMQ queue semantics: delays ignored, prefetch 5, nack requeued at once. */
class RabbitMqSemanticsQueueContractTest implements EngineQueueContract {
    @Override
    public QueueUnderTest queueUnderTest() {
        RabbitMqSemanticsQueueFactory factory = new RabbitMqSemanticsQueueFactory();
        return new QueueUnderTest() {
            @Override
            public MailQueueFactory<?> factory() {
                return factory;
            }

            @Override
            public boolean survivesCrash() {
                return true;
            }

            @Override
            public MailQueueFactory<?> crashAndRestart() {
                factory.crash();
                return factory;
            }
        };
    }
}
