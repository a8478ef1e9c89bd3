package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import com.google.common.collect.ImmutableList;

/**
 * A transport for crash stories: one recipient fails temporarily at its first attempt, and its
 * attempt number {@code blockedAttempt} waits until released (the transaction in flight at a
 * crash), then is delivered. Counts the deliveries of each recipient, the ones in flight included.
 */
final class BlockingTransport implements HopTransport {
    private final MailAddress blocked;
    private final int blockedAttempt;
    private final CountDownLatch blockedStarted = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger attemptsOfBlocked = new AtomicInteger();
    private final ConcurrentMap<MailAddress, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    BlockingTransport(MailAddress blocked, int blockedAttempt) {
        this.blocked = blocked;
        this.blockedAttempt = blockedAttempt;
    }

    void awaitBlocked(Duration patience) throws InterruptedException {
        assertThat(blockedStarted.await(patience.toMillis(), TimeUnit.MILLISECONDS)).as("attempt %s of %s started", blockedAttempt, blocked).isTrue();
    }

    void release() {
        release.countDown();
    }

    int deliveries(MailAddress recipient) {
        return Optional.ofNullable(deliveries.get(recipient)).map(AtomicInteger::get).orElse(0);
    }

    @Override
    public DeliveryResult deliver(NextHop hop, Mail mail) {
        ImmutableList.Builder<RecipientOutcome> outcomes = ImmutableList.builder();
        for (MailAddress recipient : mail.getRecipients()) {
            if (recipient.equals(blocked)) {
                int attempt = attemptsOfBlocked.incrementAndGet();
                if (attempt == 1) {
                    outcomes.add(RecipientOutcome.temporaryFailure(recipient, ScriptedTransport.GREYLISTED));
                    continue;
                }
                if (attempt == blockedAttempt) {
                    blockedStarted.countDown();
                    awaitRelease();
                }
            }
            deliveries.computeIfAbsent(recipient, any -> new AtomicInteger()).incrementAndGet();
            outcomes.add(RecipientOutcome.delivered(recipient, ScriptedTransport.OK));
        }
        return DeliveryResult.of(outcomes.build(), Optional.of(hop.name() + ".example:25"), Optional.empty(), Optional.empty());
    }

    private void awaitRelease() {
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
    }
}
