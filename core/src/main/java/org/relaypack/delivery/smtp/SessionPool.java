package org.relaypack.delivery.smtp;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.google.common.collect.ImmutableList;

/**
 * The sessions of one next hop to one host address: at most {@code maxConnections} open at once
 * (in use plus idle). The freshest idle session is reused first; the stalest are evicted.
 * Retired when empty, so that pools of hosts no longer used do not accumulate.
 */
public final class SessionPool {
    /** What {@link #acquire} gives: an idle session to check and reuse, or a slot to open a new one. */
    public static final class Lease {
        private final Optional<SmtpSession> idleSession;

        private Lease(Optional<SmtpSession> idleSession) {
            this.idleSession = idleSession;
        }

        public Optional<SmtpSession> idleSession() {
            return idleSession;
        }
    }

    private final int maxConnections;
    private final Duration idleTimeout;
    private final Deque<SmtpSession> idle = new ArrayDeque<>();
    private int open;
    private boolean retired;

    public SessionPool(int maxConnections, Duration idleTimeout) {
        this.maxConnections = maxConnections;
        this.idleTimeout = idleTimeout;
    }

    /**
     * Waits up to maxWait for an idle session or a free slot. Every lease ends with exactly one
     * {@link #release} or {@link #discard}.
     *
     * @return empty when this pool is retired: take a fresh pool from the owner
     * @throws PoolExhaustedException when every connection stayed busy for maxWait
     */
    public synchronized Optional<Lease> acquire(Duration maxWait) throws InterruptedException, PoolExhaustedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!retired && idle.isEmpty() && open >= maxConnections) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new PoolExhaustedException(maxConnections);
            }
            TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
        if (retired) {
            return Optional.empty();
        }
        if (!idle.isEmpty()) {
            return Optional.of(new Lease(Optional.of(idle.pollFirst())));
        }
        open++;
        return Optional.of(new Lease(Optional.empty()));
    }

    /**
     * The session is healthy and idle: keep it for the next transaction.
     *
     * @return false when the pool was retired meanwhile: the slot is freed and the caller QUITs the session
     */
    public synchronized boolean release(SmtpSession session) {
        if (retired) {
            open--;
            notifyAll();
            return false;
        }
        idle.addFirst(session);
        notifyAll();
        return true;
    }

    /** The leased session is gone (or could not be opened): its slot is free. The caller closes it. */
    public synchronized void discard() {
        open--;
        notifyAll();
    }

    public synchronized boolean isExpired(SmtpSession session, Instant now) {
        return !session.lastUsed().plus(idleTimeout).isAfter(now);
    }

    /** Removes the sessions idle for idleTimeout or longer; the caller QUITs them outside the lock. */
    public synchronized List<SmtpSession> evictIdle(Instant now) {
        ImmutableList.Builder<SmtpSession> evicted = ImmutableList.builder();
        Iterator<SmtpSession> sessions = idle.iterator();
        while (sessions.hasNext()) {
            SmtpSession session = sessions.next();
            if (isExpired(session, now)) {
                sessions.remove();
                open--;
                evicted.add(session);
            }
        }
        notifyAll();
        return evicted.build();
    }

    /** Retires the pool when no session is open; a retired pool leases nothing. */
    public synchronized boolean retireIfUnused() {
        if (open == 0) {
            retired = true;
            notifyAll();
        }
        return retired;
    }

    /** Retires the pool and hands back its idle sessions; sessions in use are discarded when released. */
    public synchronized List<SmtpSession> retire() {
        retired = true;
        List<SmtpSession> sessions = ImmutableList.copyOf(idle);
        open -= idle.size();
        idle.clear();
        notifyAll();
        return sessions;
    }

    public synchronized boolean isRetired() {
        return retired;
    }

    public synchronized int openSessions() {
        return open;
    }

    /** Every connection to the host is busy and stayed busy. */
    public static final class PoolExhaustedException extends Exception {
        private static final long serialVersionUID = 1L;

        PoolExhaustedException(int maxConnections) {
            super("all " + maxConnections + " " + SessionPools.BUSY);
        }
    }
}
