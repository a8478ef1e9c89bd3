package org.relaypack.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.relaypack.delivery.smtp.SmtpReply;
import org.relaypack.lifecycle.NotInstalled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.inject.ProvidedBy;

/**
 * Queues, delivers, retries and bounces mail for the configured next hops: the façade of the
 * delivery package, whose parts follow the seams of James's RemoteDelivery. {@link HopQueues}
 * holds one James {@link MailQueue} per next hop ({@code relaypack-<hop>}) and runs their
 * consumers; a {@link QueueConsumer} handles each item; {@link FallbackChain} makes one attempt
 * through a hop and its fallbacks; {@link Settlement} bounces what failed for good and queues the
 * retry of what failed temporarily; {@link Handover} and {@link InlineFirstAttempt} take the mail
 * from the mailets, making the first attempt in the caller's thread for the hops that want it.
 * Every attempt writes {@link DeliveryLog} lines and {@link DeliveryMetrics}, and feeds each hop's
 * {@link HopHealth}.
 *
 * Every pending delivery lives in the hop's queue: on James's distributed server that queue is
 * RabbitMQ, so pending mail survives a restart and is shared by the nodes. A queue item is
 * acknowledged only once its recipients are settled (delivered, bounced, or in a fresh queued
 * copy that carries only them): a crash means the item is delivered again (at least once), never
 * lost, and a retry never sends again to the recipients already delivered.
 *
 * One instance per James, made, started and stopped by the pack's Guice module
 * ({@code org.relaypack.wiring.SharedParts}, docs/lifecycle.md); a James without that module gets
 * the {@link NotInstalled} error at startup instead of an engine.
 */
@ProvidedBy(DeliveryEngine.NotInstalledProvider.class)
public class DeliveryEngine {
    /** Guice's answer for an engine when the pack's module is not installed: a startup error saying what to add. */
    public static final class NotInstalledProvider extends NotInstalled<DeliveryEngine> {
        public NotInstalledProvider() {
            super(DeliveryEngine.class);
        }
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryEngine.class);
    /** Slot kept after queueing an early mail again, and first wait before handing an item back to a failing queue. */
    static final Duration PAUSE = Duration.ofSeconds(1);

    public static MailQueueName queueName(String hop) {
        return HopQueues.queueName(hop);
    }

    private final HopTransport transport;
    private final NextHopsConfiguration configuration;
    private final Clock clock;
    private final FailureHandler failureHandler;
    private final HopHealthTracker health;
    private final HopQueues queues;
    private final Handover handover;
    private final QueueConsumer consumer;
    private final DeliveredLedger ledger;
    private boolean started;
    private boolean stopped;

    /**
     * @param spoolThreads James's spool threads ({@link SpoolShare#spoolThreads}): the inline first
     *     attempts of all hops stay below it
     * @param ledger the deliveries made, so that no copy of a mail is delivered twice (see
     *     {@link DeliveredLedger}); the engine closes it when it stops
     */
    public DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, HopTransport transport,
                          MailetContext mailetContext, NextHopsConfiguration configuration, int spoolThreads, DeliveredLedger ledger) {
        this(queueFactory, metricFactory, transport, mailetContext, configuration, Clock.systemUTC(), PAUSE, spoolThreads, ledger);
    }

    /** For tests: a ledger in memory, with the default settings. */
    public DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, HopTransport transport,
                          MailetContext mailetContext, NextHopsConfiguration configuration, int spoolThreads) {
        this(queueFactory, metricFactory, transport, mailetContext, configuration, spoolThreads, inMemoryLedger(configuration));
    }

    /** For tests: James's default spool threads. */
    public DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, HopTransport transport,
                          MailetContext mailetContext, NextHopsConfiguration configuration) {
        this(queueFactory, metricFactory, transport, mailetContext, configuration, SpoolShare.JAMES_DEFAULT_SPOOL_THREADS);
    }

    @VisibleForTesting
    DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, HopTransport transport,
                   MailetContext mailetContext, NextHopsConfiguration configuration, Clock clock, Duration pause) {
        this(queueFactory, metricFactory, transport, mailetContext, configuration, clock, pause, SpoolShare.JAMES_DEFAULT_SPOOL_THREADS,
            inMemoryLedger(configuration));
    }

    private static DeliveredLedger inMemoryLedger(NextHopsConfiguration configuration) {
        return DeliveredLedger.inMemory(LedgerConfiguration.DEFAULT.retention(configuration), LedgerConfiguration.DEFAULT_MAX_ENTRIES,
            Clock.systemUTC());
    }

    /** @param pause see {@link #PAUSE}; handing items back waits up to 60 times as long */
    @VisibleForTesting
    DeliveryEngine(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, HopTransport transport,
                   MailetContext mailetContext, NextHopsConfiguration configuration, Clock clock, Duration pause, int spoolThreads,
                   DeliveredLedger ledger) {
        this.transport = transport;
        this.ledger = ledger;
        this.configuration = configuration;
        this.clock = clock;
        DeliveryMetrics metrics = new DeliveryMetrics(metricFactory);
        this.failureHandler = new FailureHandler(mailetContext, clock);
        this.health = new HopHealthTracker(clock);
        this.queues = new HopQueues(queueFactory, configuration);
        DestinationLanes lanes = new DestinationLanes();
        DeliveredOnce chain = new DeliveredOnce(new FallbackChain(transport, configuration, metrics, health, lanes, clock), ledger, metrics);
        Settlement settlement = new Settlement(queues, failureHandler, metrics, health, clock);
        InlineFirstAttempt inline = new InlineFirstAttempt(configuration, SpoolShare.of(spoolThreads), lanes, chain, settlement, metrics, clock);
        this.handover = new Handover(queues, inline, metrics, clock);
        this.consumer = new QueueConsumer(chain, lanes, settlement, new Redeliveries(pause, pause.multipliedBy(60)), metrics,
            inline::hopDelivered, clock, pause);
    }

    public NextHopsConfiguration configuration() {
        return configuration;
    }

    /** Opens the hop queues and starts their consumers; once (a second call does nothing). */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        queues.start(consumer);
    }

    /** True between {@link #start()} and {@link #stop()}: the hop queues are being consumed. */
    public synchronized boolean isStarted() {
        return started && !stopped;
    }

    /**
     * Ends the consumers and closes the transport's pooled connections, once. The queues stay open
     * (James owns their lifecycle): queued mail waits there for the next James.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        queues.stop();
        transport.close();
        try {
            ledger.close();
        } catch (IOException e) {
            LOGGER.warn("Could not close the delivered ledger", e);
        }
    }

    /**
     * Queues the mail, for the recipients it carries, for delivery to the hop. The caller hands over
     * the mail: pass a copy if you keep using it.
     */
    public void enqueue(Mail mail, NextHop hop, FailurePolicy failurePolicy) throws MessagingException {
        handover.enqueue(mail, hop, failurePolicy);
    }

    /** Queues the mail for the hop; its failures follow the policy it carries (default: bounce to "bounces"). */
    public void enqueue(Mail mail, NextHop hop) throws MessagingException {
        enqueue(mail, hop, FailurePolicy.of(mail));
    }

    /**
     * Hands the engine one copy of the mail per share, named after the hop. A hop whose first
     * attempt is {@link HopScheduling.FirstAttempt#INLINE inline} gets it now, in this thread, when
     * one of its connections is free and it has not just failed; then only what failed
     * temporarily is queued for the retry, and what failed for good is bounced, as from the queue.
     * Every other share is queued.
     *
     * If handing over fails part way, the mail is left carrying only the recipients not handed over
     * yet and a MessagingException tells James, so that its error processor keeps exactly what is
     * still to do: nothing lost, nothing queued twice. (Where a route rewrote addresses and an inline
     * attempt had delivered some of them, the mail keeps every recipient of that share: they may be
     * delivered twice, never lost.)
     */
    public void deliverShares(Mail mail, List<HopShare> shares, FailurePolicy failurePolicy) throws MessagingException {
        handover.deliverShares(mail, shares, failurePolicy);
    }

    /** Sends recipients that have no next hop to the mail's failure policy. */
    public ImmutableList<MailAddress> fail(Mail mail, Collection<MailAddress> recipients, SmtpReply reply, FailurePolicy failurePolicy)
        throws MessagingException {
        Mail copy = MailCopies.copy(mail, mail.getName(), recipients);
        try {
            failurePolicy.writeTo(copy);
            return failureHandler.handle(copy,
                recipients.stream().map(recipient -> RecipientOutcome.permanentFailure(recipient, reply)).collect(ImmutableList.toImmutableList()),
                Optional.empty(), 0, Optional.empty());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }

    /**
     * The health of every configured next hop, in configuration order: see {@link HopHealth}. The
     * attempt facts are this node's since it started; the queue facts are read from each hop's
     * queue now (a browse of the queue: call it on demand, not per mail).
     */
    public ImmutableMap<String, HopHealth> health() {
        return configuration.hops().keySet().stream()
            .collect(ImmutableMap.toImmutableMap(hop -> hop, hop -> health(hop).orElseThrow()));
    }

    /**
     * The James queue of a next hop ({@code relaypack-<hop>}), to browse what waits there (a
     * {@code ManageableMailQueue} on James's memory, ActiveMQ and RabbitMQ queues); empty for an
     * unknown hop or before the engine started. Do not consume from it.
     */
    public Optional<MailQueue> hopQueue(String hop) {
        return queues.find(hop);
    }

    /** The health of one next hop; empty for a name that is not a configured next hop. */
    public Optional<HopHealth> health(String hop) {
        if (configuration.hop(hop).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(health.health(hop, queues.facts(hop, clock.instant())));
    }
}
