package org.relaypack.delivery;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.relaypack.delivery.smtp.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.collect.ImmutableSet;

/**
 * The destination lanes of the {@code type="mx"} next hops (Postfix's per-destination concurrency
 * and dead host cache): each destination (recipient domain) of a hop has a lane, and
 * <ul>
 *   <li>a destination that delivered recently runs at most {@link LaneLimits#destinationConcurrency()}
 *       deliveries at once;</li>
 *   <li>a destination not known to work yet (new, or back from dead) runs one delivery at once, and all
 *       such destinations of a hop together at most the hop's concurrency minus one, on threads of their
 *       own: the hop's threads are left to destinations that deliver, whatever the others do;</li>
 *   <li>a destination whose every host failed at the connection level (connect refused or timed out,
 *       a 421, a deadline, a lost connection) is dead for {@link LaneLimits#deadFor()}: its mail is
 *       deferred without a connection; a delivery clears it.</li>
 * </ul>
 * A mail whose lane is full is not attempted: the consumer queues it again for a moment (its
 * pending state stays in James's queue). Lanes are this node's counters, not pending mail.
 */
final class DestinationLanes {
    private static final Logger LOGGER = LoggerFactory.getLogger(DestinationLanes.class);
    /** Lanes kept per hop; beyond it, idle lanes that are not dead are dropped (a dropped lane starts again unproven). */
    static final int MAX_IDLE_LANES = 10_000;

    /** The lanes a mail entered; closed exactly once, when its delivery is over. */
    final class Ticket implements AutoCloseable {
        private final HopLanes hop;
        private final ImmutableSet<String> destinations;
        private final int unproven;
        private boolean closed;

        private Ticket(HopLanes hop, ImmutableSet<String> destinations, int unproven) {
            this.hop = hop;
            this.destinations = destinations;
            this.unproven = unproven;
        }

        /** True when the mail entered a lane not known to work yet: it runs on the hop's threads for such lanes. */
        boolean holdsUnproven() {
            return unproven > 0;
        }

        @Override
        public void close() {
            synchronized (hop) {
                if (closed) {
                    return;
                }
                closed = true;
                hop.leave(destinations, unproven);
            }
        }
    }

    /** Why a destination gets no connection now. */
    static final class Dead {
        private final Instant until;
        private final SmtpReply reason;

        private Dead(Instant until, SmtpReply reason) {
            this.until = until;
            this.reason = reason;
        }

        Instant until() {
            return until;
        }

        SmtpReply reason() {
            return reason;
        }
    }

    private final Map<String, HopLanes> hops = new ConcurrentHashMap<>();

    /**
     * Enters the lanes of every destination of the mail, or none.
     *
     * @return empty when one of the lanes is full: queue the mail again for a moment
     */
    Optional<Ticket> tryEnter(NextHop hop, Collection<String> destinations, Instant now) {
        HopLanes lanes = lanes(hop);
        synchronized (lanes) {
            return lanes.tryEnter(hop, ImmutableSet.copyOf(destinations), now).map(unproven -> new Ticket(lanes, ImmutableSet.copyOf(destinations), unproven));
        }
    }

    /** When the destination is dead: until when, and why. */
    Optional<Dead> dead(NextHop hop, String destination, Instant now) {
        HopLanes lanes = lanes(hop);
        synchronized (lanes) {
            Lane lane = lanes.lanes.get(destination);
            if (lane == null || lane.deadReason == null || !now.isBefore(lane.deadUntil)) {
                return Optional.empty();
            }
            return Optional.of(new Dead(lane.deadUntil, lane.deadReason));
        }
    }

    /** The destination answered (a delivery, or a final refusal): it is alive, and proven. */
    void alive(NextHop hop, String destination) {
        HopLanes lanes = lanes(hop);
        synchronized (lanes) {
            Lane lane = lanes.lane(destination);
            if (lane.deadReason != null) {
                LOGGER.info("Destination {} of next hop {} answers again", destination, hop.name());
            }
            lane.deadReason = null;
            lane.proven = true;
        }
    }

    /** Every host of the destination failed at the connection level: no connection to it for a while. */
    void failed(NextHop hop, String destination, SmtpReply reason, Instant now) {
        HopLanes lanes = lanes(hop);
        synchronized (lanes) {
            Lane lane = lanes.lane(destination);
            lane.proven = false;
            lane.deadReason = reason;
            lane.deadUntil = now.plus(hop.scheduling().lanes().deadFor());
            LOGGER.info("Destination {} of next hop {} is dead until {}: {}", destination, hop.name(), lane.deadUntil, reason.asString());
        }
    }

    /** Deliveries in flight to the destination (for tests and health). */
    int inFlight(NextHop hop, String destination) {
        HopLanes lanes = lanes(hop);
        synchronized (lanes) {
            Lane lane = lanes.lanes.get(destination);
            return lane == null ? 0 : lane.inFlight;
        }
    }

    /**
     * A failure that says nothing answers at the destination: no connection, a 421, a deadline or a
     * lost connection (the local replies 4.4.1 and 4.4.2). A refusal of a recipient or of TLS is not one.
     */
    static boolean isConnectionLevel(SmtpReply reply) {
        if (reply.code() == 421) {
            return true;
        }
        String text = reply.text();
        return reply.isTransient() && (text.startsWith("4.4.1 ") || text.startsWith("4.4.2 "));
    }

    /** Deliveries to destinations not known to work yet, all together, in a hop: its concurrency minus one, at least one. */
    static int unprovenLimit(NextHop hop) {
        return Math.max(1, hop.scheduling().concurrency() - 1);
    }

    private HopLanes lanes(NextHop hop) {
        return hops.computeIfAbsent(hop.name(), any -> new HopLanes());
    }

    private static final class Lane {
        private int inFlight;
        private boolean proven;
        private Instant deadUntil = Instant.MIN;
        private SmtpReply deadReason;

        private boolean isIdle(Instant now) {
            return inFlight == 0 && (deadReason == null || !now.isBefore(deadUntil));
        }
    }

    /** The lanes of one hop; guarded by its own monitor. */
    private static final class HopLanes {
        private final Map<String, Lane> lanes = new HashMap<>();
        private int unprovenInFlight;

        private Lane lane(String destination) {
            return lanes.computeIfAbsent(destination, any -> new Lane());
        }

        /** @return the number of unproven lanes entered, or empty when a lane is full */
        private Optional<Integer> tryEnter(NextHop hop, ImmutableSet<String> destinations, Instant now) {
            int unproven = 0;
            for (String destination : destinations) {
                Lane lane = lanes.get(destination);
                boolean dead = lane != null && lane.deadReason != null && now.isBefore(lane.deadUntil);
                if (dead) {
                    // its mail is deferred without a connection: no slot to hold
                    continue;
                }
                if (lane != null && lane.proven) {
                    if (lane.inFlight >= hop.scheduling().lanes().destinationConcurrency()) {
                        return Optional.empty();
                    }
                } else {
                    if (lane != null && lane.inFlight >= 1) {
                        return Optional.empty();
                    }
                    unproven++;
                }
            }
            if (unproven > 0 && unprovenInFlight + unproven > unprovenLimit(hop)) {
                return Optional.empty();
            }
            if (lanes.size() > MAX_IDLE_LANES) {
                dropIdle(now);
            }
            destinations.forEach(destination -> lane(destination).inFlight++);
            unprovenInFlight += unproven;
            return Optional.of(unproven);
        }

        private void leave(ImmutableSet<String> destinations, int unproven) {
            destinations.forEach(destination -> {
                Lane lane = lanes.get(destination);
                if (lane != null) {
                    lane.inFlight--;
                }
            });
            unprovenInFlight -= unproven;
        }

        private void dropIdle(Instant now) {
            Iterator<Lane> all = lanes.values().iterator();
            while (all.hasNext()) {
                if (all.next().isIdle(now)) {
                    all.remove();
                }
            }
        }
    }
}
