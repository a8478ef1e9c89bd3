package org.relaypack.mailets;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.util.DurationParser;
import org.apache.mailet.MailetConfig;
import org.relaypack.delivery.FailurePolicy;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/** The parameters of {@link MailboxRouter}, parsed once. */
public final class MailboxRouterConfiguration {
    public static final String BOUNCE_PROCESSOR = "bounceProcessor";
    public static final String ERROR_PROCESSOR = "errorProcessor";
    public static final String RETRY_PROCESSOR = "retryProcessor";
    public static final String RETRY_DELAY = "retryDelay";
    public static final String MAX_RETRIES = "maxRetries";
    public static final ImmutableSet<String> PARAMETERS = ImmutableSet.of(BOUNCE_PROCESSOR, ERROR_PROCESSOR, RETRY_PROCESSOR,
        RETRY_DELAY, MAX_RETRIES);
    public static final String DEFAULT_RETRY_PROCESSOR = "transport";
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_RETRIES = 288;

    public static MailboxRouterConfiguration from(MailetConfig config) throws MessagingException {
        String mailet = config.getMailetName();
        Optional<String> bounceProcessor = processor(config, BOUNCE_PROCESSOR);
        Optional<String> errorProcessor = processor(config, ERROR_PROCESSOR);
        if (bounceProcessor.isPresent() && errorProcessor.isPresent()) {
            throw new MessagingException(String.format("%s: give %s ('%s') or %s ('%s'), not both",
                mailet, BOUNCE_PROCESSOR, bounceProcessor.get(), ERROR_PROCESSOR, errorProcessor.get()));
        }
        FailurePolicy failurePolicy = errorProcessor.map(FailurePolicy::errorTo)
            .orElse(FailurePolicy.bounceTo(bounceProcessor.orElse(FailurePolicy.DEFAULT_BOUNCE_PROCESSOR)));
        String retryProcessor = processor(config, RETRY_PROCESSOR).orElse(DEFAULT_RETRY_PROCESSOR);
        Duration retryDelay = Optional.ofNullable(config.getInitParameter(RETRY_DELAY))
            .map(value -> parseDelay(mailet, value))
            .orElse(DEFAULT_RETRY_DELAY);
        if (retryDelay.isNegative() || retryDelay.isZero()) {
            throw new IllegalArgumentException(String.format("%s: %s '%s' must be positive", mailet, RETRY_DELAY, config.getInitParameter(RETRY_DELAY)));
        }
        int maxRetries = Optional.ofNullable(config.getInitParameter(MAX_RETRIES))
            .map(value -> parseMaxRetries(mailet, value))
            .orElse(DEFAULT_MAX_RETRIES);
        return new MailboxRouterConfiguration(failurePolicy, retryProcessor, retryDelay, maxRetries);
    }

    private static Optional<String> processor(MailetConfig config, String name) throws MessagingException {
        String value = config.getInitParameter(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value.isBlank()) {
            throw new MessagingException(String.format("%s: %s '%s' is empty", config.getMailetName(), name, value));
        }
        return Optional.of(value.trim());
    }

    private static Duration parseDelay(String mailet, String value) {
        try {
            return DurationParser.parse(value.trim(), ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(String.format("%s: %s '%s' is not a duration (examples: 30s, 5m)", mailet, RETRY_DELAY, value), e);
        }
    }

    private static int parseMaxRetries(String mailet, String value) {
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < 0) {
                throw new IllegalArgumentException(String.format("%s: %s '%s' must not be negative", mailet, MAX_RETRIES, value));
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format("%s: %s '%s' is not a number", mailet, MAX_RETRIES, value), e);
        }
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
