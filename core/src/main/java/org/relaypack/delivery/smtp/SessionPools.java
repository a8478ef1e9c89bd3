package org.relaypack.delivery.smtp;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection reuse, as Postfix's smtp_reuse.c: one {@link SessionPool} per next hop and target
 * (host, address, TLS policy, credentials); sessions are shared only within one. Thread-safe.
 */
public final class SessionPools implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SessionPools.class);

    /** How many sessions a pool holds, how long they idle, how long a delivery waits for one. */
    public static final class Limits {
        private final int maxConnections;
        private final Duration idleTimeout;
        private final Duration maxWait;

        public Limits(int maxConnections, Duration idleTimeout, Duration maxWait) {
            this.maxConnections = maxConnections;
            this.idleTimeout = Objects.requireNonNull(idleTimeout);
            this.maxWait = Objects.requireNonNull(maxWait);
        }
    }

    private static final class Key {
        private final String hop;
        private final Target target;

        private Key(String hop, Target target) {
            this.hop = hop;
            this.target = target;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof Key) {
                Key that = (Key) o;
                return hop.equals(that.hop) && target.equals(that.target);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(hop, target);
        }
    }

    /** A session leased from a pool, to be given back exactly once. */
    public final class Lease {
        private final SessionPool pool;
        private final SmtpSession session;

        private Lease(SessionPool pool, SmtpSession session) {
            this.pool = pool;
            this.session = session;
        }

        public SmtpSession session() {
            return session;
        }

        public void giveBack(boolean reusable) {
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
        public void abandon() {
            pool.discard();
            session.abort();
        }
    }

    /** Part of the reply of a pool whose sessions are all busy. */
    static final String BUSY = "connections are busy";

    /** The reply of a pool whose sessions all stayed busy: nothing was sent to the host. */
    public static boolean isBusy(SmtpReply reply) {
        return reply.code() == 451 && reply.text().startsWith("4.4.5 ") && reply.text().contains(BUSY);
    }

    private final Clock clock;
    private final TlsSockets tlsSockets = new TlsSockets();
    private final Watchdog watchdog = new Watchdog();
    private final Map<Key, SessionPool> pools = new ConcurrentHashMap<>();

    public SessionPools(Clock clock) {
        this.clock = clock;
    }

    /**
     * A session to the target: an idle pooled one, or a new one. A pooled session is checked with
     * RSET: sent with the next transaction to a server that offers PIPELINING (the transaction then
     * reports a stale session), else, or when {@code checkBeforeUse}, as a round trip of its own here.
     */
    public Lease obtain(String hop, Target target, Limits limits, boolean checkBeforeUse) throws HostFailure {
        Key key = new Key(hop, target);
        while (true) {
            SessionPool pool = pools.computeIfAbsent(key, any -> new SessionPool(limits.maxConnections, limits.idleTimeout));
            Optional<SessionPool.Lease> lease = lease(pool, hop, target, limits.maxWait);
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
                        return new Lease(pool, session);
                    }
                    if (session.reset()) {
                        return new Lease(pool, session);
                    }
                }
                LOGGER.debug("Pooled session to {} for next hop {} is stale, opening a new one", target.describe(), hop);
                pool.discard();
                session.quit();
                continue;
            }
            try {
                return new Lease(pool, SmtpSession.open(target, tlsSockets, watchdog, clock.instant()));
            } catch (HostFailure e) {
                pool.discard();
                throw e;
            }
        }
    }

    private static Optional<SessionPool.Lease> lease(SessionPool pool, String hop, Target target, Duration maxWait) throws HostFailure {
        try {
            return pool.acquire(maxWait);
        } catch (SessionPool.PoolExhaustedException e) {
            throw new HostFailure(HostFailure.localReply("4.4.5", "next hop " + hop + ": " + e.getMessage() + " to " + target.describe()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostFailure(HostFailure.localReply("4.4.5", "interrupted while waiting for a connection to " + target.describe()), e);
        }
    }

    /** QUITs the sessions idle for longer than their pool's idle timeout, and forgets unused pools. */
    public void closeIdleSessions() {
        pools.forEach((key, pool) -> {
            pool.evictIdle(clock.instant()).forEach(SmtpSession::quit);
            if (pool.retireIfUnused()) {
                pools.remove(key, pool);
            }
        });
    }

    /** Open sessions (in use or idle) over every pool. */
    public int openSessions() {
        return pools.values().stream().mapToInt(SessionPool::openSessions).sum();
    }

    /** QUITs every idle session, then stops the watchdog; sessions in use are closed when given back. */
    @Override
    public void close() {
        pools.forEach((key, pool) -> {
            pools.remove(key, pool);
            pool.retire().forEach(SmtpSession::quit);
        });
        watchdog.close();
    }
}
