package org.relaypack.delivery;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.reactivestreams.Publisher;

import com.google.common.collect.ImmutableSet;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * Queues with the semantics of James 3.8.1's RabbitMQ queue that matter to the engine: the delay
 * of an enqueue is ignored; a consumer gets at most {@value #PREFETCH} unacknowledged items (the
 * default prefetch); a nack ({@code done(RETRY)}) puts the message back at the head of the queue at
 * once; the message redelivered is the original as enqueued (a serialized copy), whatever the
 * consumer changed on its mail. A {@link #crash()} is a {@code kill -9} of the consuming node: its
 * unacknowledged items go back to the queue, and nothing the dead node still does reaches the broker.
 */
final class RabbitMqSemanticsQueueFactory implements MailQueueFactory<MailQueue> {
    static final int PREFETCH = 5;

    private final ConcurrentMap<MailQueueName, Broker> brokers = new ConcurrentHashMap<>();
    private volatile int generation;

    /** Kills the node: handles given out so far go dead, their unacknowledged items are requeued. */
    void crash() {
        generation++;
        brokers.values().forEach(Broker::requeueUnacknowledged);
    }

    int enqueues(MailQueueName name) {
        return broker(name).enqueues;
    }

    /** Items waiting or delivered and not acknowledged. */
    int size(MailQueueName name) {
        Broker broker = broker(name);
        synchronized (broker) {
            return broker.ready.size() + broker.unacked.size();
        }
    }

    @Override
    public Optional<MailQueue> getQueue(MailQueueName name, PrefetchCount count) {
        return Optional.ofNullable(brokers.get(name)).map(broker -> new Handle(broker, generation));
    }

    @Override
    public MailQueue createQueue(MailQueueName name, PrefetchCount count) {
        return new Handle(broker(name), generation);
    }

    @Override
    public Set<MailQueueName> listCreatedMailQueues() {
        return ImmutableSet.copyOf(brokers.keySet());
    }

    private Broker broker(MailQueueName name) {
        return brokers.computeIfAbsent(name, Broker::new);
    }

    private static Mail serialized(Mail mail) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        copy.setName(mail.getName());
        copy.setState(mail.getState());
        copy.addAllSpecificHeaderForRecipient(mail.getPerRecipientSpecificHeaders());
        copy.setMessage(new MimeMessage(mail.getMessage()));
        return copy;
    }

    /** The queue on the broker: messages ready, and those delivered and not acknowledged by delivery tag. */
    private final class Broker {
        private final MailQueueName name;
        private final Deque<Mail> ready = new ArrayDeque<>();
        private final Map<Long, Delivery> unacked = new LinkedHashMap<>();
        private final List<Subscriber> subscribers = new ArrayList<>();
        private long nextTag;
        private volatile int enqueues;

        private Broker(MailQueueName name) {
            this.name = name;
        }

        void publish(Mail original) {
            synchronized (this) {
                enqueues++;
                ready.addLast(original);
            }
            pump();
        }

        void settle(long tag, MailQueue.MailQueueItem.CompletionStatus status) {
            synchronized (this) {
                Delivery delivery = unacked.remove(tag);
                if (delivery == null) {
                    return;
                }
                delivery.subscriber.unacked--;
                if (status == MailQueue.MailQueueItem.CompletionStatus.RETRY) {
                    ready.addFirst(delivery.original);
                } else {
                    LifecycleUtil.dispose(delivery.original);
                }
            }
            pump();
        }

        void requeueUnacknowledged() {
            synchronized (this) {
                List<Delivery> deliveries = new ArrayList<>(unacked.values());
                unacked.clear();
                for (int i = deliveries.size() - 1; i >= 0; i--) {
                    ready.addFirst(deliveries.get(i).original);
                }
                subscribers.forEach(subscriber -> subscriber.dead = true);
                subscribers.clear();
            }
        }

        void subscribe(Subscriber subscriber) {
            synchronized (this) {
                subscribers.add(subscriber);
            }
            pump();
        }

        void cancel(Subscriber subscriber) {
            synchronized (this) {
                if (subscribers.remove(subscriber)) {
                    // A consumer that goes away cleanly: the broker requeues what it had not acknowledged.
                    unacked.entrySet().removeIf(entry -> {
                        if (entry.getValue().subscriber == subscriber) {
                            ready.addFirst(entry.getValue().original);
                            return true;
                        }
                        return false;
                    });
                }
            }
        }

        void pump() {
            while (true) {
                Subscriber target;
                Mail original;
                long tag;
                synchronized (this) {
                    target = subscribers.stream()
                        .filter(subscriber -> subscriber.requested > 0 && subscriber.unacked < PREFETCH)
                        .findFirst().orElse(null);
                    if (target == null || ready.isEmpty()) {
                        return;
                    }
                    original = ready.pollFirst();
                    tag = nextTag++;
                    unacked.put(tag, new Delivery(original, target));
                    target.unacked++;
                    target.requested--;
                }
                try {
                    target.sink.next(new Item(this, tag, target, serialized(original)));
                } catch (MessagingException e) {
                    target.sink.error(e);
                    return;
                }
            }
        }
    }

    private static final class Delivery {
        private final Mail original;
        private final Subscriber subscriber;

        private Delivery(Mail original, Subscriber subscriber) {
            this.original = original;
            this.subscriber = subscriber;
        }
    }

    private static final class Subscriber {
        private final FluxSink<MailQueue.MailQueueItem> sink;
        private long requested;
        private int unacked;
        private volatile boolean dead;

        private Subscriber(FluxSink<MailQueue.MailQueueItem> sink) {
            this.sink = sink;
        }
    }

    private static final class Item implements MailQueue.MailQueueItem {
        private final Broker broker;
        private final long tag;
        private final Subscriber subscriber;
        private final Mail mail;

        private Item(Broker broker, long tag, Subscriber subscriber, Mail mail) {
            this.broker = broker;
            this.tag = tag;
            this.subscriber = subscriber;
            this.mail = mail;
        }

        @Override
        public Mail getMail() {
            return mail;
        }

        @Override
        public void done(CompletionStatus status) {
            if (!subscriber.dead) {
                broker.settle(tag, status);
            }
        }
    }

    /** A node's connection to one queue; dead after a {@link #crash()}. */
    private final class Handle implements MailQueue {
        private final Broker broker;
        private final int handleGeneration;

        private Handle(Broker broker, int handleGeneration) {
            this.broker = broker;
            this.handleGeneration = handleGeneration;
        }

        private boolean alive() {
            return handleGeneration == generation;
        }

        @Override
        public MailQueueName getName() {
            return broker.name;
        }

        @Override
        public void enQueue(Mail mail, Duration delay) throws MailQueueException {
            enQueue(mail);
        }

        @Override
        public void enQueue(Mail mail) throws MailQueueException {
            if (!alive()) {
                return;
            }
            try {
                broker.publish(serialized(mail));
            } catch (MessagingException e) {
                throw new MailQueueException("could not serialize " + mail.getName(), e);
            }
        }

        @Override
        public Publisher<Void> enqueueReactive(Mail mail) {
            return Mono.fromRunnable(() -> {
                try {
                    enQueue(mail);
                } catch (MailQueueException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        @Override
        public Publisher<MailQueueItem> deQueue() {
            if (!alive()) {
                return Flux.never();
            }
            return Flux.create(sink -> {
                Subscriber subscriber = new Subscriber(sink);
                sink.onRequest(n -> {
                    synchronized (broker) {
                        subscriber.requested = n == Long.MAX_VALUE ? Long.MAX_VALUE : Math.min(Long.MAX_VALUE - 1, subscriber.requested + n);
                    }
                    broker.pump();
                });
                sink.onDispose(() -> broker.cancel(subscriber));
                broker.subscribe(subscriber);
            });
        }

        @Override
        public void close() throws IOException {
        }
    }
}
