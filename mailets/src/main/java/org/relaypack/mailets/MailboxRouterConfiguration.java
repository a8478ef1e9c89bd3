package org.relaypack.mailets;

import java.time.Duration;
import java.util.Objects;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;
import org.relaypack.config.DurationRange;
import org.relaypack.config.MailetParameters;
import org.relaypack.delivery.FailurePolicy;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/** The parameters of {@link MailboxRouter}, parsed once. */
public final class MailboxRouterConfiguration {
    public static final String BOUNCE_PROCESSOR = FailurePolicy.BOUNCE_PROCESSOR;
    public static final String ERROR_PROCESSOR = FailurePolicy.ERROR_PROCESSOR;
    public static final String RETRY_PROCESSOR = "retryProcessor";
    public static final String RETRY_DELAY = "retryDelay";
    public static final String MAX_RETRIES = "maxRetries";
    public static final ImmutableSet<String> PARAMETERS = ImmutableSet.of(BOUNCE_PROCESSOR, ERROR_PROCESSOR, RETRY_PROCESSOR,
        RETRY_DELAY, MAX_RETRIES);
    public static final String DEFAULT_RETRY_PROCESSOR = "transport";
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_RETRIES = 288;
    static final DurationRange RETRY_DELAY_RANGE = DurationRange.positiveUpTo(Duration.ofDays(1));
    static final int MAX_RETRIES_LIMIT = 100_000;

    public static MailboxRouterConfiguration from(MailetConfig config) throws MessagingException {
        return MailetParameters.read(config.getMailetName(), config, PARAMETERS, parameters -> new MailboxRouterConfiguration(
            FailurePolicy.from(parameters),
            parameters.value(RETRY_PROCESSOR).orElse(DEFAULT_RETRY_PROCESSOR),
            parameters.duration(RETRY_DELAY, RETRY_DELAY_RANGE).orElse(DEFAULT_RETRY_DELAY),
            parameters.integer(MAX_RETRIES, 0, MAX_RETRIES_LIMIT).orElse(DEFAULT_MAX_RETRIES)));
    }

    private final FailurePolicy failurePolicy;
    private final String retryProcessor;
    private final Duration retryDelay;
    private final int maxRetries;

    MailboxRouterConfiguration(FailurePolicy failurePolicy, String retryProcessor, Duration retryDelay, int maxRetries) {
        this.failurePolicy = failurePolicy;
        this.retryProcessor = retryProcessor;
        this.retryDelay = retryDelay;
        this.maxRetries = maxRetries;
    }

    /** Where recipients without route and failed deliveries go. */
    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    /** The processor a mail deferred by a directory failure is sent back to. */
    public String retryProcessor() {
        return retryProcessor;
    }

    public Duration retryDelay() {
        return retryDelay;
    }

    public int maxRetries() {
        return maxRetries;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof MailboxRouterConfiguration) {
            MailboxRouterConfiguration that = (MailboxRouterConfiguration) o;
            return maxRetries == that.maxRetries && failurePolicy.equals(that.failurePolicy)
                && retryProcessor.equals(that.retryProcessor) && retryDelay.equals(that.retryDelay);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(failurePolicy, retryProcessor, retryDelay, maxRetries);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("failurePolicy", failurePolicy)
            .add("retryProcessor", retryProcessor)
            .add("retryDelay", retryDelay)
            .add("maxRetries", maxRetries)
            .toString();
    }
}
