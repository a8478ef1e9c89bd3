package org.relaypack.delivery;

import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Mail;

import reactor.core.publisher.Flux;

/** James queues with a fault, for the queue contract: an enqueue that fails once, a node that dies as it acknowledges. */
final class QueueFaults {
    private QueueFaults() {
    }

    /** Queues whose next enqueue with a delay (a retry, or early mail queued again) fails once {@code failNext} is set. */
    static MailQueueFactory<?> failingNextEnqueue(MailQueueFactory<?> factory, AtomicBoolean failNext) {
        return wrapQueues(factory, queue -> proxy(queue, (method, args) -> {
            boolean retryOrRequeue = args != null && args.length == 2;
            if (method.equals("enQueue") && retryOrRequeue && failNext.compareAndSet(true, false)) {
                throw new MailQueue.MailQueueException("queue refuses the enqueue");
            }
            return null;
        }));
    }

    /**
     * Queues of a node that dies ({@code kill -9}) at its first acknowledgement ({@code done(SUCCESS)}):
     * that item is never acknowledged, nor is any after it; the thread acknowledging waits until
     * interrupted. {@code died} counts down at that moment.
     */
    static MailQueueFactory<?> dyingAtFirstAcknowledgement(MailQueueFactory<?> factory, CountDownLatch died) {
        return wrapQueues(factory, queue -> proxy(queue, (method, args) -> {
            if (method.equals("deQueue")) {
                return Flux.from(queue.deQueue()).map(item -> dying(item, died));
            }
            return null;
        }));
    }

    private static MailQueue.MailQueueItem dying(MailQueue.MailQueueItem item, CountDownLatch died) {
        return new MailQueue.MailQueueItem() {
            @Override
            public Mail getMail() {
                return item.getMail();
            }

            @Override
            public void done(CompletionStatus status) throws MailQueue.MailQueueException {
                if (died.getCount() > 0 && status != CompletionStatus.SUCCESS) {
                    item.done(status);
                    return;
                }
                died.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /** What a queue method does instead of the queue's own: a result, or null to call the queue. */
    private interface Instead {
        Object call(String method, Object[] args) throws Exception;
    }

    private static MailQueue proxy(MailQueue queue, Instead instead) {
        return (MailQueue) Proxy.newProxyInstance(QueueFaults.class.getClassLoader(), new Class<?>[] {MailQueue.class},
            (proxy, method, args) -> {
                Object result = instead.call(method.getName(), args);
                return result != null ? result : method.invoke(queue, args);
            });
    }

    private static MailQueueFactory<?> wrapQueues(MailQueueFactory<?> factory, UnaryOperator<MailQueue> wrap) {
        return (MailQueueFactory<?>) Proxy.newProxyInstance(QueueFaults.class.getClassLoader(), new Class<?>[] {MailQueueFactory.class},
            (proxy, method, args) -> {
                Object result = method.invoke(factory, args);
                return result instanceof MailQueue ? wrap.apply((MailQueue) result) : result;
            });
    }
}
