package org.relaypack.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;

/**
 * Bounds the inline first attempts of a hop to its pool's connections, and queues them for a
 * while after the hop failed one, so that James's spool threads do not wait on a hop that is down.
 */
final class InlineGate {
    /** Longest pause of inline attempts after a failure; a delivery from the queue ends it sooner. */
    static final Duration MAX_PAUSE = Duration.ofMinutes(1);

    private final Semaphore permits;
    private volatile Instant pausedUntil = Instant.MIN;

    InlineGate(int permits) {
        this.permits = new Semaphore(permits);
    }

    boolean tryEnter(Instant now) {
        return now.isAfter(pausedUntil) && permits.tryAcquire();
    }

    void exit() {
        permits.release();
    }

    Instant pause(Instant now, Duration retryDelay) {
        Instant until = now.plus(retryDelay.compareTo(MAX_PAUSE) < 0 ? retryDelay : MAX_PAUSE);
        pausedUntil = until;
        return until;
    }

    void resume() {
        pausedUntil = Instant.MIN;
    }
}
