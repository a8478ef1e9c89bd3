package org.relaypack.delivery;

/** The queue contract on a double with James's RabbitMQ queue semantics: delays ignored, prefetch 5, nack requeued at once. */
class RabbitMqSemanticsQueueContractTest implements EngineQueueContract {
    @Override
    public QueueUnderTest queueUnderTest() {
        RabbitMqSemanticsQueueFactory factory = new RabbitMqSemanticsQueueFactory();
        return QueueUnderTest.survivingCrash(factory, factory::crash);
    }
}
