package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.util.concurrent.ThreadFactoryBuilder;

/**
 * Cuts blocking socket operations that a read timeout cannot bound (a write the server does not
 * read, a TLS handshake): at the deadline it closes the plain socket under the connection, which
 * makes the blocked call throw. One daemon thread, started on first use, for every connection of
 * its {@link SessionPools}; stopped with them.
 */
final class Watchdog implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(Watchdog.class);

    /** One guarded operation; close it (in a finally) when the operation returns. */
    static final class Guard implements AutoCloseable {
        private final ScheduledFuture<?> task;
        private final AtomicBoolean fired;

        private Guard(ScheduledFuture<?> task, AtomicBoolean fired) {
            this.task = task;
            this.fired = fired;
        }

        /** True when the deadline passed and the socket was closed. */
        boolean fired() {
            return fired.get();
        }

        @Override
        public void close() {
            if (task != null) {
                task.cancel(false);
            }
        }
    }

    private final ScheduledThreadPoolExecutor timer;

    Watchdog() {
        timer = new ScheduledThreadPoolExecutor(1,
            new ThreadFactoryBuilder().setNameFormat("relaypack-smtp-watchdog").setDaemon(true).build());
        timer.setRemoveOnCancelPolicy(true);
    }

    Guard arm(Socket plainSocket, Duration deadline) {
        AtomicBoolean fired = new AtomicBoolean();
        try {
            ScheduledFuture<?> task = timer.schedule(() -> {
                fired.set(true);
                try {
                    plainSocket.close();
                } catch (IOException e) {
                    LOGGER.debug("closing a socket past its deadline failed", e);
                }
            }, deadline.toNanos(), TimeUnit.NANOSECONDS);
            return new Guard(task, fired);
        } catch (RejectedExecutionException e) {
            // stopped with the transport: what is still in flight finishes unguarded (reads keep their deadlines)
            return new Guard(null, fired);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
