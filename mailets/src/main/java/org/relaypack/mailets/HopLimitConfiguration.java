package org.relaypack.mailets;

import java.util.Objects;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/** The parsed parameters of {@link HopLimit}. */
public final class HopLimitConfiguration {
    public static final String MAX_HOPS = "maxHops";
    public static final String PROCESSOR = "processor";
    public static final ImmutableSet<String> PARAMETERS = ImmutableSet.of(MAX_HOPS, PROCESSOR);
    /** Postfix's hopcount_limit. */
    public static final int DEFAULT_MAX_HOPS = 50;
    public static final String DEFAULT_PROCESSOR = "error";

    public static HopLimitConfiguration from(MailetConfig config) throws MessagingException {
        String component = "HopLimit mailet '" + config.getMailetName() + "'";
        for (String name : (Iterable<String>) config::getInitParameterNames) {
            if (!PARAMETERS.contains(name)) {
                throw new MessagingException(component + ": unknown parameter '" + name + "' (known: " + PARAMETERS + ")");
            }
        }
        int maxHops = parseMaxHops(component, Optional.ofNullable(config.getInitParameter(MAX_HOPS)));
        String processor = Optional.ofNullable(config.getInitParameter(PROCESSOR)).map(String::trim).orElse(DEFAULT_PROCESSOR);
        if (processor.isEmpty()) {
            throw new MessagingException(component + ": parameter '" + PROCESSOR + "' is empty");
        }
        return new HopLimitConfiguration(maxHops, processor);
    }

    private static int parseMaxHops(String component, Optional<String> value) throws MessagingException {
        if (value.isEmpty()) {
            return DEFAULT_MAX_HOPS;
        }
        try {
            int maxHops = Integer.parseInt(value.get().trim());
            if (maxHops < 1) {
                throw new MessagingException(component + ": parameter '" + MAX_HOPS + "' must be at least 1, got '" + value.get() + "'");
            }
            return maxHops;
        } catch (NumberFormatException e) {
            throw new MessagingException(component + ": parameter '" + MAX_HOPS + "' is not a number: '" + value.get() + "'");
        }
    }

    private final int maxHops;
    private final String processor;

    HopLimitConfiguration(int maxHops, String processor) {
        this.maxHops = maxHops;
        this.processor = processor;
    }

    public int maxHops() {
        return maxHops;
    }

    public String processor() {
        return processor;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof HopLimitConfiguration) {
            HopLimitConfiguration that = (HopLimitConfiguration) o;
            return maxHops == that.maxHops && processor.equals(that.processor);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxHops, processor);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("maxHops", maxHops).add("processor", processor).toString();
    }
}
