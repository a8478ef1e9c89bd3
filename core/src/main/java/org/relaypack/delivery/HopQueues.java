package org.relaypack.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableMap;
import com.google.common.util.concurrent.ThreadFactoryBuilder;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The James {@link MailQueue} of each next hop, named {@code relaypack-<hop>}, and their consumers
 * (the role of James's {@code DeliveryRunnable}): each hop's items are handed to the
 * {@link QueueConsumer} on a scheduler of the hop's concurrency (a {@code type="mx"} hop has a second one
 * for the destinations not known to work yet, see {@link DestinationLanes}). The queues stay open once opened
 * (James owns their lifecycle): queued mail waits there for the next start.
 */
final class HopQueues {
    private static final Logger LOGGER = LoggerFactory.getLogger(HopQueues.class);
    static final String QUEUE_PREFIX = "relaypack-";
    /** Deliveries in flight are bounded by the hop's threads; this bounds the items taken from the queue and not settled yet. */
    static final int MAX_IN_FLIGHT = 256;
    /** How long a stop waits for the deliveries it interrupted to end. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    static MailQueueName queueName(String hop) {
        return MailQueueName.of(QUEUE_PREFIX + hop);
    }

    private final MailQueueFactory<?> queueFactory;
    private final NextHopsConfiguration configuration;
    private ImmutableMap<String, MailQueue> queues = ImmutableMap.of();
    private final List<Disposable> consumers = new ArrayList<>();
    private final List<Scheduler> schedulers = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    HopQueues(MailQueueFactory<?> queueFactory, NextHopsConfiguration configuration) {
        this.queueFactory = queueFactory;
        this.configuration = configuration;
    }

    /** Opens the queues (once) and starts a consumer per hop. */
    synchronized void start(QueueConsumer consumer) {
        if (queues.isEmpty()) {
            queues = configuration.hops().keySet().stream()
                .collect(ImmutableMap.toImmutableMap(hop -> hop, hop -> queueFactory.createQueue(queueName(hop))));
        }
        for (NextHop hop : configuration.hops().values()) {
            MailQueue queue = queues.get(hop.name());
            // One queue of tasks for all the hop's threads: a free thread takes the next delivery. (Reactor's
            // bounded elastic scheduler pins a task to a worker, which may be held by a hanging session.)
            Scheduler scheduler = threads(hop.scheduling().concurrency(), QUEUE_PREFIX + hop.name());
            // Destinations not known to work yet (hostile ones among them, holding a thread until their
            // deadline) run on threads of their own: they never take one from the destinations that deliver.
            Scheduler unproven = hop.hasLanes() ? threads(DestinationLanes.unprovenLimit(hop), QUEUE_PREFIX + hop.name() + "-new") : scheduler;
            // A JMS queue's deQueue() blocks its subscriber in receive(): dequeue on a thread of its own,
            // not on the caller's (James's mailet init) nor on a delivery thread.
            Scheduler dequeuer = Schedulers.newSingle(QUEUE_PREFIX + hop.name() + "-dequeue");
            schedulers.add(dequeuer);
            consumers.add(Flux.from(queue.deQueue())
                .subscribeOn(dequeuer)
                .flatMap(item -> consumer.handle(hop, queue, item, scheduler, unproven)
                    .onErrorResume(e -> {
                        LOGGER.error("Unexpected error delivering mail {} to next hop {}", item.getMail().getName(), hop.name(), e);
                        return Mono.empty();
                    }), MAX_IN_FLIGHT)
                .subscribe(any -> { }, e -> LOGGER.error("Consumer of queue {} stopped", queue.getName().asString(), e)));
            LOGGER.info("Delivering from queue {} to next hop {} with {} concurrent deliveries{}",
                queue.getName().asString(), hop.name(), hop.scheduling().concurrency(),
                hop.hasLanes() ? ", and " + DestinationLanes.unprovenLimit(hop) + " more to destinations not known to work yet" : "");
        }
    }

    private Scheduler threads(int count, String name) {
        ExecutorService threads = Executors.newFixedThreadPool(count,
            new ThreadFactoryBuilder().setNameFormat(name + "-%d").setDaemon(true).build());
        Scheduler scheduler = Schedulers.fromExecutorService(threads, name);
        schedulers.add(scheduler);
        executors.add(threads);
        return scheduler;
    }

    /** Ends the consumers; the queues stay open. */
    void stop() {
        List<ExecutorService> stopped;
        synchronized (this) {
            consumers.forEach(Disposable::dispose);
            consumers.clear();
            schedulers.forEach(Scheduler::dispose);
            schedulers.clear();
            executors.forEach(ExecutorService::shutdownNow);
            stopped = new ArrayList<>(executors);
            executors.clear();
        }
        // outside the lock (a delivery that ends now may queue its retry): it still records itself in the
        // delivered ledger, which the engine closes next
        stopped.forEach(HopQueues::awaitEnd);
    }

    private static void awaitEnd(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOGGER.warn("Delivery threads still running {} after the stop; their deliveries may not be recorded", STOP_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized MailQueue queue(String hop) {
        MailQueue queue = queues.get(hop);
        Preconditions.checkState(queue != null, "next hop '%s' is unknown or the delivery engine is not started (known: %s)",
            hop, configuration.hops().keySet());
        return queue;
    }

    /** The hop's queue; empty for an unknown hop or before the engine started. */
    synchronized Optional<MailQueue> find(String hop) {
        return Optional.ofNullable(queues.get(hop));
    }

    /** What the hop's queue tells of its mail, when it can be browsed (James's memory, ActiveMQ and RabbitMQ queues can). */
    Optional<HopHealthTracker.QueueFacts> facts(String hop, Instant now) {
        MailQueue queue;
        synchronized (this) {
            queue = queues.get(hop);
        }
        if (!(queue instanceof ManageableMailQueue)) {
            return Optional.empty();
        }
        ManageableMailQueue manageable = (ManageableMailQueue) queue;
        try {
            ManageableMailQueue.MailQueueIterator items = manageable.browse();
            Optional<Instant> oldest = Optional.empty();
            Optional<Instant> next = Optional.empty();
            try {
                while (items.hasNext()) {
                    ManageableMailQueue.MailQueueItemView item = items.next();
                    oldest = earliest(oldest, DeliveryAttributes.acceptedAt(item.getMail()));
                    next = earliest(next, item.getNextDelivery().map(ZonedDateTime::toInstant).filter(due -> due.isAfter(now)));
                }
            } finally {
                items.close();
            }
            return Optional.of(new HopHealthTracker.QueueFacts(manageable.getSize(), oldest, next));
        } catch (Exception e) {
            LOGGER.warn("Could not browse queue {} for the health of next hop {}", queue.getName().asString(), hop, e);
            return Optional.empty();
        }
    }

    private static Optional<Instant> earliest(Optional<Instant> current, Optional<Instant> candidate) {
        if (candidate.isEmpty()) {
            return current;
        }
        return current.filter(instant -> instant.isBefore(candidate.get())).or(() -> candidate);
    }
}
