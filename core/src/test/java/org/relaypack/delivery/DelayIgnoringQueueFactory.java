package org.relaypack.delivery;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

/**
 * Memory queues that enqueue every mail at once whatever the delay asked, as James 3.8.1's
 * RabbitMQ queue does ("Ignored delay upon enqueue"), and count the enqueues.
 */
final class DelayIgnoringQueueFactory implements MailQueueFactory<MailQueue> {
    private final MemoryMailQueueFactory memory;
    private final AtomicInteger enqueues = new AtomicInteger();

    DelayIgnoringQueueFactory(MemoryMailQueueFactory memory) {
        this.memory = memory;
    }

    int enqueues() {
        return enqueues.get();
    }

    @Override
    public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        return memory.getQueue(name, count).map(this::ignoringDelays);
    }

    @Override
    public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return ignoringDelays(memory.createQueue(name, count));
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return memory.listCreatedMailQueues();
    }

    private MailQueue ignoringDelays(MailQueue queue) {
        return new MailQueue() {
            @Override
            public MailQueueName getName() {
                return queue.getName();
            }

            @Override
            public void enQueue(Mail mail, Duration delay) throws MailQueueException {
                enQueue(mail);
            }

            @Override
            public void enQueue(Mail mail) throws MailQueueException {
                enqueues.incrementAndGet();
                queue.enQueue(mail);
            }

            @Override
            public Publisher<Void> enqueueReactive(Mail mail) {
                enqueues.incrementAndGet();
                return queue.enqueueReactive(mail);
            }

            @Override
            public Publisher<MailQueueItem> deQueue() {
                return queue.deQueue();
            }

            @Override
            public void close() throws IOException {
                queue.close();
            }
        };
    }
}
