package org.relaypack.mailets;

import java.util.Objects;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;
import org.relaypack.config.MailetParameters;

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
    static final int MAX_HOPS_LIMIT = 1000;

    public static HopLimitConfiguration from(MailetConfig config) throws MessagingException {
        return MailetParameters.read("HopLimit mailet '" + config.getMailetName() + "'", config, PARAMETERS,
            parameters -> new HopLimitConfiguration(parameters.integer(MAX_HOPS, 1, MAX_HOPS_LIMIT).orElse(DEFAULT_MAX_HOPS),
                parameters.value(PROCESSOR).orElse(DEFAULT_PROCESSOR)));
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
