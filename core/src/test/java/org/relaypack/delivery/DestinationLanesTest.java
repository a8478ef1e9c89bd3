package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.smtp.HostFailure;
import org.relaypack.delivery.smtp.SmtpReply;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

class DestinationLanesTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final SmtpReply TIMED_OUT = HostFailure.localReply("4.4.2",
        "conversation with mx.slow.example[192.0.2.1]:25 timed out while setting up the session");
    private static final NextHop MX = NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).build().withScheduling(
        HopScheduling.of(RetryPolicy.defaults(), 4, Optional.empty(), HopScheduling.FirstAttempt.QUEUE).withLanes(LaneLimits.of(2, Duration.ofMinutes(1))));

    private final DestinationLanes testee = new DestinationLanes();

    private Optional<DestinationLanes.Ticket> enter(String... destinations) {
        return testee.tryEnter(MX, ImmutableList.copyOf(destinations), NOW);
    }

    @Nested
    class Concurrency {
        @Test
        void destinationsShouldBeTheRecipientDomains() throws Exception {
            assertThat(QueueConsumer.destinations(TestMails.mail("mail1", "a@one.example", "b@two.example", "c@one.example")))
                .isEqualTo(ImmutableSet.of("one.example", "two.example"));
        }

        @Test
        void unknownDestinationShouldRunOneDeliveryAtOnce() {
            assertThat(enter("a.example")).isPresent();

            assertThat(enter("a.example")).isEmpty();
        }

        @Test
        void destinationThatDeliveredShouldRunUpToItsLimit() {
            testee.alive(MX, "a.example");

            assertThat(enter("a.example")).isPresent();
            assertThat(enter("a.example")).isPresent();
            assertThat(enter("a.example")).isEmpty();
        }

        @Test
        void closedTicketShouldFreeItsLane() {
            DestinationLanes.Ticket ticket = enter("a.example").orElseThrow();

            ticket.close();
            ticket.close();

            assertThat(testee.inFlight(MX, "a.example")).isZero();
            assertThat(enter("a.example")).isPresent();
        }

        @Test
        void unknownDestinationsShouldLeaveOneThreadOfTheHopToDestinationsThatDeliver() {
            assertThat(enter("slow1.example")).isPresent();
            assertThat(enter("slow2.example")).isPresent();
            assertThat(enter("slow3.example")).isPresent();

            assertThat(enter("slow4.example")).as("a fourth unknown destination, with the hop's concurrency at 4").isEmpty();
            testee.alive(MX, "fast.example");
            assertThat(enter("fast.example")).as("a destination that delivered").isPresent();
        }

        @Test
        void mailOfSeveralDestinationsShouldEnterAllOrNone() {
            assertThat(enter("a.example")).isPresent();

            assertThat(enter("b.example", "a.example")).isEmpty();
            assertThat(testee.inFlight(MX, "b.example")).isZero();
        }
    }

    @Nested
    class DeadDestinations {
        @Test
        void destinationShouldBeDeadForItsPeriodAfterAConnectionLevelFailure() {
            testee.failed(MX, "slow.example", TIMED_OUT, NOW);

            assertThat(testee.dead(MX, "slow.example", NOW.plusSeconds(59))).hasValueSatisfying(dead -> {
                assertThat(dead.until()).isEqualTo(NOW.plusSeconds(60));
                assertThat(dead.reason()).isEqualTo(TIMED_OUT);
            });
            assertThat(testee.dead(MX, "slow.example", NOW.plusSeconds(60))).isEmpty();
            assertThat(testee.dead(MX, "other.example", NOW)).isEmpty();
        }

        @Test
        void deliveryShouldClearIt() {
            testee.failed(MX, "slow.example", TIMED_OUT, NOW);

            testee.alive(MX, "slow.example");

            assertThat(testee.dead(MX, "slow.example", NOW)).isEmpty();
        }

        @Test
        void deadDestinationShouldHoldNoSlotOfTheHop() {
            testee.failed(MX, "dead1.example", TIMED_OUT, NOW);
            for (int i = 0; i < 5; i++) {
                assertThat(enter("dead1.example")).as("mail %s to the dead destination", i).isPresent();
            }

            assertThat(enter("a.example")).isPresent();
        }

        @Test
        void connectionLevelFailuresShouldBeTheOnesThatSayNothingAnswers() {
            assertThat(DestinationLanes.isConnectionLevel(HostFailure.localReply("4.4.1", "connect to x failed: refused"))).isTrue();
            assertThat(DestinationLanes.isConnectionLevel(TIMED_OUT)).isTrue();
            assertThat(DestinationLanes.isConnectionLevel(SmtpReply.of(421, "4.3.2 Service shutting down"))).isTrue();

            assertThat(DestinationLanes.isConnectionLevel(ScriptedTransport.GREYLISTED)).isFalse();
            assertThat(DestinationLanes.isConnectionLevel(HostFailure.localReply("4.7.5", "TLS handshake failed"))).isFalse();
            assertThat(DestinationLanes.isConnectionLevel(HostFailure.localReply("4.4.3", "MX lookup failed temporarily"))).isFalse();
            assertThat(DestinationLanes.isConnectionLevel(HostFailure.localReply("4.4.5", "next hop internet: all 2 connections are busy")))
                .isFalse();
        }
    }
}
