package org.relaypack.delivery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.mailet.Mail;
import org.relaypack.delivery.HostResolver.ResolvedHost;
import org.relaypack.delivery.smtp.Envelope;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.MessageContent;
import org.relaypack.delivery.smtp.SessionPool;
import org.relaypack.delivery.smtp.SmtpSession;
import org.relaypack.delivery.smtp.TlsSockets;
import org.relaypack.delivery.smtp.TransactionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.ThreadFactoryBuilder;

/**
 * The SMTP client side of the delivery engine: delivers one mail to one next hop, trying its
 * hosts in order (ordered failover), under the hop's TLS policy and credentials, over pooled
 * sessions. Thread-safe: queue consumers call it concurrently.
 */
public class SmtpTransport implements HopTransport {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpTransport.class);
    static final int SMTP_PORT = 25;
    private static final Duration CLEANUP_PERIOD = Duration.ofSeconds(1);
    private static final String FALLBACK_HELO_NAME = "localhost";

    /** Sessions are shared only between deliveries to the same hop (same TLS policy, same credentials) and the same host. */
    private static final class PoolKey {
        private final NextHop hop;
        private final String hostName;
        private final InetSocketAddress address;

        private PoolKey(NextHop hop, ResolvedHost host) {
            this.hop = hop;
            this.hostName = host.name();
            this.address = host.address();
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof PoolKey) {
                PoolKey that = (PoolKey) o;
                return hop.equals(that.hop) && hostName.equals(that.hostName) && address.equals(that.address);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(hop, hostName, address);
        }
    }

    private final HostResolver resolver;
    private final TlsSockets tlsSockets = new TlsSockets();
    private final Clock clock;
    private final int recipientMxPort;
    private final String localHostName;
    private final Map<PoolKey, SessionPool> pools = new ConcurrentHashMap<>();
    private final Optional<ScheduledExecutorService> cleaner;

    @Inject
    public SmtpTransport(DNSService dns) {
        this(dns, Clock.systemUTC(), SMTP_PORT, true);
    }

    /**
     * @param recipientMxPort the port of recipient-domain MX hosts (25; tests use a free port)
     * @param scheduleCleanup false when the test calls {@link #closeIdleSessions()} itself
     */
    SmtpTransport(DNSService dns, Clock clock, int recipientMxPort, boolean scheduleCleanup) {
        this.resolver = new HostResolver(dns);
        this.clock = clock;
        this.recipientMxPort = recipientMxPort;
        this.localHostName = localHostName(dns);
        this.cleaner = scheduleCleanup ? Optional.of(startCleaner()) : Optional.empty();
    }

    private static String localHostName(DNSService dns) {
        try {
            return HostName.of(dns.getHostName(dns.getLocalHost())).asString();
        } catch (Exception e) {
            LOGGER.warn("Cannot find the local host name, EHLO will say '{}' unless the next hop sets heloName", FALLBACK_HELO_NAME, e);
            return FALLBACK_HELO_NAME;
        }
    }

    private ScheduledExecutorService startCleaner() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
            new ThreadFactoryBuilder().setNameFormat("relaypack-smtp-pool-cleaner").setDaemon(true).build());
        executor.scheduleWithFixedDelay(this::closeIdleSessions, CLEANUP_PERIOD.toMillis(), CLEANUP_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        return executor;
    }

    @Override
    public DeliveryResult deliver(NextHop hop, Mail mail) {
        ImmutableList<MailAddress> recipients = ImmutableList.copyOf(mail.getRecipients());
        MessageContent content;
        try {
            content = MessageContent.of(mail.getMessage());
        } catch (IOException | MessagingException e) {
            LOGGER.error("Cannot read mail {} for delivery to next hop {}", mail.getName(), hop.name(), e);
            return DeliveryResult.allTemporary(recipients, HostFailure.localReply("4.3.0", "cannot read the message: " + e), Optional.empty());
        }
        if (hop.kind() == NextHop.Kind.HOSTS) {
            return deliverToHosts(hop, mail, recipients, content, resolver.resolve(hop)).toResult(recipients);
        }
        Map<String, List<MailAddress>> byDomain = new LinkedHashMap<>();
        recipients.forEach(recipient -> byDomain.computeIfAbsent(recipient.getDomain().asString(), domain -> new ArrayList<>()).add(recipient));
        Attempts attempts = new Attempts();
        byDomain.forEach((domain, domainRecipients) ->
            attempts.merge(deliverToHosts(hop, mail, domainRecipients, content, resolver.resolveMx(hop, domain, hop.mxPort().orElse(recipientMxPort)))));
        return attempts.toResult(recipients);
    }

    /** Ordered failover: the recipients without a final reply go to the next host. */
    private Attempts deliverToHosts(NextHop hop, Mail mail, List<MailAddress> recipients, MessageContent content,
                                    HostResolver.Resolution resolution) {
        Attempts attempts = new Attempts();
        Optional<SmtpReply> dnsAnswer = resolution.permanentFailure();
        if (dnsAnswer.isPresent()) {
            recipients.forEach(recipient -> attempts.outcomes.put(recipient, RecipientOutcome.permanentFailure(recipient, dnsAnswer.get())));
            return attempts;
        }
        List<MailAddress> pending = new ArrayList<>(recipients);
        SmtpReply lastReason = resolution.problem()
            .orElse(HostFailure.localReply("4.4.4", "no host to deliver to for next hop " + hop.name()));
        for (ResolvedHost host : resolution.hosts()) {
            if (pending.isEmpty()) {
                break;
            }
            Optional<SmtpReply> interruption = attempt(hop, mail, host, pending, content, attempts);
            if (interruption.isEmpty()) {
                break;
            }
            lastReason = interruption.get();
        }
        for (MailAddress recipient : pending) {
            attempts.outcomes.put(recipient, RecipientOutcome.temporaryFailure(recipient, lastReason));
        }
        return attempts;
    }

    /** One host: returns the reason to try the next host, or empty when every pending recipient got a final reply. */
    private Optional<SmtpReply> attempt(NextHop hop, Mail mail, ResolvedHost host, List<MailAddress> pending,
                                        MessageContent content, Attempts attempts) {
        SmtpSession.Target target = new SmtpSession.Target(host.name(), host.address(), hop.tls(), hop.credentials(),
            hop.heloName().orElse(localHostName), hop.connectTimeout(), hop.readTimeout());
        Envelope envelope = Envelope.of(mail.getMaybeSender(), pending, mail.dsnParameters());
        PooledSession pooled;
        SmtpSession session;
        TransactionResult result;
        boolean checkBeforeUse = false;
        while (true) {
            try {
                pooled = obtain(hop, host, target, checkBeforeUse);
            } catch (HostFailure e) {
                LOGGER.info("Delivery attempt failed: mail={} hop={} host={} tls=none reply=\"{}\", trying the next host",
                    mail.getName(), hop.name(), target.describe(), e.reason().asString());
                return Optional.of(e.reason());
            }
            session = pooled.session;
            try {
                result = session.send(envelope, content);
            } catch (RuntimeException e) {
                LOGGER.error("Unexpected failure delivering mail {} to next hop {} at {}", mail.getName(), hop.name(), session.describe(), e);
                pooled.abandon();
                return Optional.of(HostFailure.localReply("4.3.0", "local error during the transaction with " + session.describe() + ": " + e));
            }
            if (!result.staleSession()) {
                break;
            }
            // Nothing took place on it: run the transaction on another session, checking pooled ones first from now on.
            LOGGER.debug("Pooled session to {} for next hop {} is stale ({}), taking another one", target.describe(), hop.name(),
                result.interruption().map(SmtpReply::asString).orElse(""));
            pooled.abandon();
            checkBeforeUse = true;
        }
        pooled.giveBack(result.sessionReusable() && session.transactions() < hop.maxMessagesPerConnection());

        result.finalReplies().forEach((recipient, reply) -> attempts.outcomes.put(recipient, outcome(recipient, reply)));
        pending.removeAll(result.finalReplies().keySet());
        attempts.host = Optional.of(session.describe());
        attempts.tlsProtocol = session.tlsProtocol();
        attempts.tlsCipher = session.tlsCipher();

        if (result.interruption().isPresent()) {
            if (LOGGER.isInfoEnabled()) {
                LOGGER.info("Delivery attempt interrupted: mail={} hop={} host={} tls={} reply=\"{}\" final={}, {} recipient(s) to the next host",
                    mail.getName(), hop.name(), session.describe(), describeTls(session), result.interruption().get().asString(),
                    describe(result), pending.size());
            }
            return result.interruption();
        }
        if (LOGGER.isInfoEnabled()) {
            LOGGER.info("Delivery attempt: mail={} hop={} host={} tls={} replies={}",
                mail.getName(), hop.name(), session.describe(), describeTls(session), describe(result));
        }
        return Optional.empty();
    }

    private static String describeTls(SmtpSession session) {
        return session.tlsProtocol().map(protocol -> protocol + " " + session.tlsCipher().orElse("")).orElse("plaintext");
    }

    private static String describe(TransactionResult result) {
        StringBuilder text = new StringBuilder("{");
        result.finalReplies().forEach((recipient, reply) -> text.append(text.length() > 1 ? ", " : "")
            .append(recipient.asString()).append("=\"").append(reply.asString()).append('"'));
        return text.append('}').toString();
    }

    private static RecipientOutcome outcome(MailAddress recipient, SmtpReply reply) {
        if (reply.code() >= 200 && reply.code() < 300) {
            return RecipientOutcome.delivered(recipient, reply);
        }
        if (reply.isPermanent()) {
            return RecipientOutcome.permanentFailure(recipient, reply);
        }
        return RecipientOutcome.temporaryFailure(recipient, reply);
    }

    /** A session leased from a pool, to be given back exactly once. */
    private final class PooledSession {
        private final SessionPool pool;
        private final SmtpSession session;

        private PooledSession(SessionPool pool, SmtpSession session) {
            this.pool = pool;
            this.session = session;
        }

        void giveBack(boolean reusable) {
            if (reusable && session.isOpen()) {
                session.markUsed(clock.instant());
                if (pool.release(session)) {
                    return;
                }
            } else {
                pool.discard();
            }
            session.quit();
        }

        /** Out of step with the server (the transaction broke off locally): close without a word. */
        void abandon() {
            pool.discard();
            session.abort();
        }
    }

    /**
     * A session to the host: an idle pooled one, or a new one. A pooled session is checked with
     * RSET: sent with the next transaction to a server that offers PIPELINING (the transaction then
     * reports a stale session), else, or when {@code checkBeforeUse}, as a round trip of its own here.
     */
    private PooledSession obtain(NextHop hop, ResolvedHost host, SmtpSession.Target target, boolean checkBeforeUse) throws HostFailure {
        PoolKey key = new PoolKey(hop, host);
        while (true) {
            SessionPool pool = pools.computeIfAbsent(key, any -> new SessionPool(hop.maxConnections(), hop.idleTimeout()));
            Optional<SessionPool.Lease> lease = lease(pool, hop, target);
            if (lease.isEmpty()) {
                pools.remove(key, pool);
                continue;
            }
            Optional<SmtpSession> idle = lease.get().idleSession();
            if (idle.isPresent()) {
                SmtpSession session = idle.get();
                if (!pool.isExpired(session, clock.instant())) {
                    if (!checkBeforeUse && session.capabilities().pipelining()) {
                        session.resetWithNextTransaction();
                        return new PooledSession(pool, session);
                    }
                    if (session.reset()) {
                        return new PooledSession(pool, session);
                    }
                }
                LOGGER.debug("Pooled session to {} for next hop {} is stale, opening a new one", target.describe(), hop.name());
                pool.discard();
                session.quit();
                continue;
            }
            try {
                return new PooledSession(pool, SmtpSession.open(target, tlsSockets, clock.instant()));
            } catch (HostFailure e) {
                pool.discard();
                throw e;
            }
        }
    }

    private Optional<SessionPool.Lease> lease(SessionPool pool, NextHop hop, SmtpSession.Target target) throws HostFailure {
        try {
            return pool.acquire(hop.connectTimeout());
        } catch (SessionPool.PoolExhaustedException e) {
            throw new HostFailure(HostFailure.localReply("4.4.5", "next hop " + hop.name() + ": " + e.getMessage()
                + " to " + target.describe()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostFailure(HostFailure.localReply("4.4.5", "interrupted while waiting for a connection to " + target.describe()), e);
        }
    }

    /** QUITs the sessions idle for longer than their hop's idle timeout, and forgets unused pools. */
    void closeIdleSessions() {
        pools.forEach((key, pool) -> {
            pool.evictIdle(clock.instant()).forEach(SmtpSession::quit);
            if (pool.retireIfUnused()) {
                pools.remove(key, pool);
            }
        });
    }

    /** Open sessions (in use or idle) over every pool; for tests. */
    int openSessions() {
        return pools.values().stream().mapToInt(SessionPool::openSessions).sum();
    }

    @Override
    public void close() {
        cleaner.ifPresent(ScheduledExecutorService::shutdownNow);
        pools.forEach((key, pool) -> {
            pools.remove(key, pool);
            pool.retire().forEach(SmtpSession::quit);
        });
    }

    /** The outcomes of one delivery so far, and the facts of the last host that ran a transaction. */
    private static final class Attempts {
        private final Map<MailAddress, RecipientOutcome> outcomes = new LinkedHashMap<>();
        private Optional<String> host = Optional.empty();
        private Optional<String> tlsProtocol = Optional.empty();
        private Optional<String> tlsCipher = Optional.empty();

        void merge(Attempts other) {
            outcomes.putAll(other.outcomes);
            if (other.host.isPresent()) {
                host = other.host;
                tlsProtocol = other.tlsProtocol;
                tlsCipher = other.tlsCipher;
            }
        }

        DeliveryResult toResult(List<MailAddress> recipients) {
            ImmutableList<RecipientOutcome> ordered = recipients.stream()
                .map(outcomes::get)
                .filter(Objects::nonNull)
                .collect(ImmutableList.toImmutableList());
            return DeliveryResult.of(ordered, host, tlsProtocol, tlsCipher);
        }
    }
}
