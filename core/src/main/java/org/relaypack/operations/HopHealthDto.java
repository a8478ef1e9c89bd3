package org.relaypack.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.relaypack.delivery.HopHealth;
import org.relaypack.delivery.smtp.SmtpReply;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A next hop's {@link HopHealth} as WebAdmin answers it: instants in ISO-8601, ages in seconds. */
@JsonPropertyOrder({"hop", "failing", "consecutiveFailures", "failingSince", "failingForSeconds", "lastSuccess", "lastError", "lastErrorAt",
    "nextRetry", "queueSize", "oldestMailAgeSeconds"})
public final class HopHealthDto {
    private final HopHealth health;
    private final Instant now;

    HopHealthDto(HopHealth health, Instant now) {
        this.health = health;
        this.now = now;
    }

    public String getHop() {
        return health.hop();
    }

    public boolean isFailing() {
        return health.isFailing();
    }

    public int getConsecutiveFailures() {
        return health.consecutiveFailures();
    }

    public Optional<String> getFailingSince() {
        return health.failingSince().map(Instant::toString);
    }

    public Optional<Long> getFailingForSeconds() {
        return health.failingFor(now).map(Duration::getSeconds);
    }

    public Optional<String> getLastSuccess() {
        return health.lastSuccess().map(Instant::toString);
    }

    public Optional<String> getLastError() {
        return health.lastError().map(SmtpReply::asString);
    }

    public Optional<String> getLastErrorAt() {
        return health.lastErrorAt().map(Instant::toString);
    }

    public Optional<String> getNextRetry() {
        return health.nextRetry().map(Instant::toString);
    }

    public Optional<Long> getQueueSize() {
        return health.queueSize();
    }

    public Optional<Long> getOldestMailAgeSeconds() {
        return health.oldestMailAge().map(Duration::getSeconds);
    }
}
