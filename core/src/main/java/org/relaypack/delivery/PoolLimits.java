package org.relaypack.delivery;

import java.time.Duration;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;

/**
 * How the SMTP client keeps connections to the hosts of one next hop (Postfix's connection cache):
 * at most {@code maxConnections} at once per host, an idle connection closed (QUIT) after
 * {@code idleTimeout}, and a connection used for {@code maxMessagesPerConnection} mails at most.
 */
public final class PoolLimits {
    public static final int DEFAULT_MAX_CONNECTIONS = 10;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_MESSAGES_PER_CONNECTION = 100;
    public static final PoolLimits DEFAULTS = of(DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_MESSAGES_PER_CONNECTION);

    public static PoolLimits of(int maxConnections, Duration idleTimeout, int maxMessagesPerConnection) {
        Preconditions.checkArgument(maxConnections >= 1, "maxConnections must be at least 1");
        Preconditions.checkArgument(maxMessagesPerConnection >= 1, "maxMessagesPerConnection must be at least 1");
        return new PoolLimits(maxConnections, Objects.requireNonNull(idleTimeout), maxMessagesPerConnection);
    }

    private final int maxConnections;
    private final Duration idleTimeout;
    private final int maxMessagesPerConnection;

    private PoolLimits(int maxConnections, Duration idleTimeout, int maxMessagesPerConnection) {
        this.maxConnections = maxConnections;
        this.idleTimeout = idleTimeout;
        this.maxMessagesPerConnection = maxMessagesPerConnection;
    }

    /** Upper bound of simultaneous connections to one host of the hop. */
    public int maxConnections() {
        return maxConnections;
    }

    /** An idle pooled connection is closed (QUIT) after this long. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Mails sent over one connection before it is closed. */
    public int maxMessagesPerConnection() {
        return maxMessagesPerConnection;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof PoolLimits) {
            PoolLimits that = (PoolLimits) o;
            return maxConnections == that.maxConnections && idleTimeout.equals(that.idleTimeout)
                && maxMessagesPerConnection == that.maxMessagesPerConnection;
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxConnections, idleTimeout, maxMessagesPerConnection);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("maxConnections", maxConnections).add("idleTimeout", idleTimeout)
            .add("maxMessagesPerConnection", maxMessagesPerConnection).toString();
    }
}
