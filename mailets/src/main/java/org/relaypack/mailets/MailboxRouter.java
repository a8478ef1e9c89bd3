package org.relaypack.mailets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.ProcessingState;
import org.apache.mailet.base.GenericMailet;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.HopShare;
import org.relaypack.delivery.MailCopies;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.smtp.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.routing.RoutingPlan;

/**
 * Routes each recipient to its mailbox server: asks the route directory ({@code relaypack.xml
 * <routing>}) for every recipient, queues in the delivery engine one copy per mailbox server (a
 * next hop of {@code <nexthops>}) carrying exactly its recipients, rewritten where the directory says
 * so, and ghosts the mail. Recipients without route go to the failure policy (a bounce by default).
 *
 * When the directory fails for any recipient, or a route names a next hop that is unknown or is this
 * relay, nothing of the mail is routed: it waits {@code retryDelay} in the James mail queue
 * {@code relaypack-routing-retry-<retryProcessor>} and is sent back to {@code retryProcessor}, at
 * most {@code maxRetries} times; then the mailet throws and James's error handling keeps the mail.
 * See docs/routing.md.
 */
public class MailboxRouter extends GenericMailet {
    private static final Logger LOGGER = LoggerFactory.getLogger(MailboxRouter.class);
    public static final AttributeName RETRIES = AttributeName.of("relaypack.routing.retries");
    public static final String RETRY_QUEUE_PREFIX = "relaypack-routing-retry-";
    static final int RETRY_THREADS = 4;
    static final SmtpReply NO_ROUTE = SmtpReply.of(550, "5.1.1 No mailbox server for this recipient (unknown user)");

    public static MailQueueName retryQueueName(String retryProcessor) {
        return MailQueueName.of(RETRY_QUEUE_PREFIX + retryProcessor);
    }

    private final DeliveryEngine engine;
    private final RouteDirectory directory;
    private final MailQueueFactory<?> queueFactory;
    private MailboxRouterConfiguration configuration;
    private Optional<MailQueue> retryQueue = Optional.empty();
    private Optional<Disposable> retryConsumer = Optional.empty();
    private Optional<Scheduler> retryScheduler = Optional.empty();

    @Inject
    public MailboxRouter(DeliveryEngine engine, RouteDirectory directory, MailQueueFactory<?> queueFactory) {
        this.engine = engine;
        this.directory = directory;
        this.queueFactory = queueFactory;
    }

    @Override
    public void init() throws MessagingException {
        configuration = MailboxRouterConfiguration.from(getMailetConfig());
        MailQueue queue = queueFactory.createQueue(retryQueueName(configuration.retryProcessor()));
        retryQueue = Optional.of(queue);
        // Named threads of its own, ended in destroy(): docs/lifecycle.md counts every relaypack- thread.
        Scheduler scheduler = Schedulers.newBoundedElastic(RETRY_THREADS, Integer.MAX_VALUE, queue.getName().asString());
        retryScheduler = Optional.of(scheduler);
        retryConsumer = Optional.of(Flux.from(queue.deQueue())
            // A JMS queue's deQueue() blocks its subscriber in receive(): one of these threads, not James's init thread.
            .subscribeOn(scheduler)
            .flatMap(item -> Mono.fromRunnable(() -> sendBack(item)).subscribeOn(scheduler))
            .subscribe(any -> { }, e -> LOGGER.error("{}: consumer of queue {} stopped", getMailetName(), queue.getName().asString(), e)));
        LOGGER.info("{}: routed domains {}, {}", getMailetName(), directory.routedDomains(), configuration);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        RoutingPlan plan = RoutingPlan.of(directory, mail.getRecipients());
        List<String> problems = new ArrayList<>();
        plan.failures().forEach((recipient, reason) -> problems.add(recipient.asString() + ": " + reason));
        List<NextHop> hops = new ArrayList<>();
        for (String hopName : plan.recipientsByHop().keySet()) {
            Optional<NextHop> hop = engine.configuration().hop(hopName);
            if (hop.isEmpty()) {
                problems.add("next hop '" + hopName + "' is not defined in relaypack.xml <nexthops>");
                continue;
            }
            try {
                directory.checkNotThisRelay(hop.get());
                hops.add(hop.get());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            defer(mail, problems);
            return;
        }
        engine.deliverShares(mail, hops.stream()
            .map(hop -> new HopShare(hop, plan.recipientsByHop().get(hop.name()), plan.originalRecipientsByHop().get(hop.name()),
                plan.rewrites(hop.name())))
            .collect(ImmutableList.toImmutableList()), configuration.failurePolicy());
        if (!plan.unrouted().isEmpty()) {
            LOGGER.info("Mail {}: no mailbox server for {}", mail.getName(), plan.unrouted());
            engine.fail(mail, plan.unrouted(), NO_ROUTE, configuration.failurePolicy());
        }
        mail.setState(Mail.GHOST);
    }

    private void defer(Mail mail, List<String> problems) throws MessagingException {
        int retries = retries(mail);
        if (retries >= configuration.maxRetries()) {
            throw new MessagingException(String.format("%s: mail %s not routed after %d retries: %s",
                getMailetName(), mail.getName(), retries, problems));
        }
        Mail copy = MailCopies.copy(mail, mail.getName(), mail.getRecipients());
        try {
            copy.setAttribute(new Attribute(RETRIES, AttributeValue.of(retries + 1)));
            retryQueue.orElseThrow(() -> new MessagingException(getMailetName() + " is not initialized"))
                .enQueue(copy, configuration.retryDelay());
        } finally {
            LifecycleUtil.dispose(copy);
        }
        LOGGER.warn("Mail {} not routed, retry {} of {} in {}: {}", mail.getName(), retries + 1, configuration.maxRetries(),
            configuration.retryDelay(), problems);
        mail.setState(Mail.GHOST);
    }

    private void sendBack(MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try {
            getMailetContext().sendMail(mail, configuration.retryProcessor());
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            LOGGER.error("{}: could not send mail {} back to processor {}; will be retried", getMailetName(), mail.getName(),
                configuration.retryProcessor(), e);
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (Exception again) {
                LOGGER.error("{}: could not hand mail {} back to its queue", getMailetName(), mail.getName(), again);
            }
        } finally {
            LifecycleUtil.dispose(mail);
        }
    }

    private static int retries(Mail mail) {
        return mail.getAttribute(RETRIES)
            .map(Attribute::getValue)
            .map(AttributeValue::value)
            .filter(Integer.class::isInstance)
            .map(Integer.class::cast)
            .orElse(0);
    }

    @Override
    public void destroy() {
        retryConsumer.ifPresent(Disposable::dispose);
        retryConsumer = Optional.empty();
        retryScheduler.ifPresent(Scheduler::dispose);
        retryScheduler = Optional.empty();
    }

    @Override
    public Collection<ProcessingState> requiredProcessingState() {
        return ImmutableList.of(new ProcessingState(configuration.failurePolicy().processor()),
            new ProcessingState(configuration.retryProcessor()));
    }

    @Override
    public String getMailetInfo() {
        return "relaypack mailbox-server router";
    }
}
