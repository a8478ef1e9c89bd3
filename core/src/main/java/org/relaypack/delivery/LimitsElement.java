package org.relaypack.delivery;

import java.time.Duration;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.DurationRange;
import org.relaypack.delivery.smtp.SessionDeadlines;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/** The timeouts and limits of a {@code <nexthop>}: {@code <timeouts>}, {@code <pool>}, {@code <lanes>} and {@code <retry>}. */
final class LimitsElement {
    static final String TIMEOUTS = "timeouts";
    static final String TIMEOUT_CONNECT = "connect";
    static final String TIMEOUT_READ = "read";
    static final String TIMEOUT_HELO = "helo";
    static final String TIMEOUT_MAIL = "mail";
    static final String TIMEOUT_RCPT = "rcpt";
    static final String TIMEOUT_DATA_INIT = "dataInit";
    static final String TIMEOUT_DATA_TRANSFER = "dataTransfer";
    static final String TIMEOUT_DATA_DONE = "dataDone";
    static final String TIMEOUT_RSET = "rset";
    static final ImmutableSet<String> TIMEOUT_ATTRIBUTES = ImmutableSet.of(TIMEOUT_CONNECT, TIMEOUT_READ, TIMEOUT_HELO, TIMEOUT_MAIL,
        TIMEOUT_RCPT, TIMEOUT_DATA_INIT, TIMEOUT_DATA_TRANSFER, TIMEOUT_DATA_DONE, TIMEOUT_RSET);
    /** No step of a session may be given more than an hour. */
    static final DurationRange TIMEOUT_RANGE = DurationRange.positiveUpTo(Duration.ofHours(1));
    static final DurationRange IDLE_TIMEOUT_RANGE = DurationRange.positiveUpTo(Duration.ofHours(1));
    static final DurationRange DEAD_FOR_RANGE = DurationRange.between(LaneLimits.MIN_DEAD_FOR, LaneLimits.MAX_DEAD_FOR);
    /** A longer wait between two attempts would outlive any sensible bounce deadline (Postfix's maximal_backoff_time is 4000s). */
    static final Duration MAX_RETRY_DELAY = Duration.ofDays(1);
    static final int MAX_ATTEMPTS_LIMIT = 1000;
    static final String POOL = "pool";
    static final String POOL_MAX_CONNECTIONS = "maxConnections";
    static final String POOL_IDLE_TIMEOUT = "idleTimeout";
    static final String POOL_MAX_MESSAGES = "maxMessagesPerConnection";
    static final String LANES = "lanes";
    static final String LANES_DESTINATION_CONCURRENCY = "destinationConcurrency";
    static final String LANES_DEAD_FOR = "deadFor";
    static final String RETRY = "retry";
    static final String RETRY_DELAYS = "delays";
    static final String RETRY_MAX_ATTEMPTS = "maxAttempts";

    private LimitsElement() {
    }

    /** The {@code <retry>} child of a {@code <nexthops>} or a {@code <nexthop>}; attributes it omits come from {@code defaults}. */
    static RetryPolicy retry(ConfigElement parent, RetryPolicy defaults) throws ConfigurationException {
        Optional<ConfigElement> retry = parent.child(RETRY);
        if (retry.isEmpty()) {
            return defaults;
        }
        ConfigElement element = retry.get().checkAllowed(ImmutableSet.of(RETRY_DELAYS, RETRY_MAX_ATTEMPTS), ImmutableSet.of());
        ImmutableList<Duration> delays = defaults.delays();
        Optional<String> delaysText = element.value(RETRY_DELAYS);
        if (delaysText.isPresent()) {
            ImmutableList.Builder<Duration> parsed = ImmutableList.builder();
            for (String delay : Splitter.on(',').trimResults().split(delaysText.get())) {
                if (delay.isEmpty()) {
                    throw element.error(RETRY_DELAYS, delaysText.get(), "has an empty entry");
                }
                Duration duration = element.parseDuration(RETRY_DELAYS, delay);
                if (duration.isZero()) {
                    throw element.error(RETRY_DELAYS, delaysText.get(), "has a zero delay");
                }
                if (duration.compareTo(MAX_RETRY_DELAY) > 0) {
                    throw element.error(RETRY_DELAYS, delaysText.get(), "has a delay longer than 1d (" + delay + ")");
                }
                parsed.add(duration);
            }
            delays = parsed.build();
        }
        int maxAttempts = element.integer(RETRY_MAX_ATTEMPTS, 1, MAX_ATTEMPTS_LIMIT).orElse(defaults.maxAttempts());
        return RetryPolicy.of(delays, maxAttempts);
    }

    static void timeouts(ConfigElement hop, NextHopBuilder builder) throws ConfigurationException {
        Optional<ConfigElement> timeouts = hop.child(TIMEOUTS);
        if (timeouts.isEmpty()) {
            return;
        }
        ConfigElement element = timeouts.get().checkAllowed(TIMEOUT_ATTRIBUTES, ImmutableSet.of());
        SessionDeadlines.Builder deadlines = SessionDeadlines.builder();
        // "read" is every reply deadline at once; the named steps below override it
        element.duration(TIMEOUT_READ, TIMEOUT_RANGE).ifPresent(deadlines::replies);
        element.duration(TIMEOUT_CONNECT, TIMEOUT_RANGE).ifPresent(deadlines::connect);
        element.duration(TIMEOUT_HELO, TIMEOUT_RANGE).ifPresent(deadlines::helo);
        element.duration(TIMEOUT_MAIL, TIMEOUT_RANGE).ifPresent(deadlines::mail);
        element.duration(TIMEOUT_RCPT, TIMEOUT_RANGE).ifPresent(deadlines::rcpt);
        element.duration(TIMEOUT_DATA_INIT, TIMEOUT_RANGE).ifPresent(deadlines::dataInit);
        element.duration(TIMEOUT_DATA_TRANSFER, TIMEOUT_RANGE).ifPresent(deadlines::dataTransfer);
        element.duration(TIMEOUT_DATA_DONE, TIMEOUT_RANGE).ifPresent(deadlines::dataDone);
        element.duration(TIMEOUT_RSET, TIMEOUT_RANGE).ifPresent(deadlines::rset);
        builder.deadlines(deadlines.build());
    }

    static void pool(ConfigElement hop, NextHopBuilder builder) throws ConfigurationException {
        Optional<ConfigElement> pool = hop.child(POOL);
        if (pool.isEmpty()) {
            return;
        }
        ConfigElement element = pool.get().checkAllowed(
            ImmutableSet.of(POOL_MAX_CONNECTIONS, POOL_IDLE_TIMEOUT, POOL_MAX_MESSAGES), ImmutableSet.of());
        builder.maxConnections(element.integer(POOL_MAX_CONNECTIONS, 1, 1000).orElse(PoolLimits.DEFAULT_MAX_CONNECTIONS));
        builder.idleTimeout(element.duration(POOL_IDLE_TIMEOUT, IDLE_TIMEOUT_RANGE).orElse(PoolLimits.DEFAULT_IDLE_TIMEOUT));
        builder.maxMessagesPerConnection(element.integer(POOL_MAX_MESSAGES, 1, 100_000).orElse(PoolLimits.DEFAULT_MAX_MESSAGES_PER_CONNECTION));
    }

    static LaneLimits lanes(ConfigElement hop, NextHop nextHop) throws ConfigurationException {
        Optional<ConfigElement> lanes = hop.child(LANES);
        if (lanes.isEmpty()) {
            return LaneLimits.DEFAULTS;
        }
        ConfigElement element = lanes.get().checkAllowed(ImmutableSet.of(LANES_DESTINATION_CONCURRENCY, LANES_DEAD_FOR), ImmutableSet.of());
        if (nextHop.kind() != NextHop.Kind.RECIPIENT_MX) {
            throw element.error("is only for type=\"mx\": a hop with <host> entries has one destination");
        }
        int destinationConcurrency = element.integer(LANES_DESTINATION_CONCURRENCY, 1, LaneLimits.MAX_DESTINATION_CONCURRENCY)
            .orElse(LaneLimits.DEFAULT_DESTINATION_CONCURRENCY);
        Duration deadFor = element.duration(LANES_DEAD_FOR, DEAD_FOR_RANGE).orElse(LaneLimits.DEFAULT_DEAD_FOR);
        return LaneLimits.of(destinationConcurrency, deadFor);
    }
}
