package org.relaypack.config;

import java.util.Set;

import javax.mail.MessagingException;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.mailet.MailetConfig;

import com.google.common.collect.ImmutableSet;

/**
 * How the pack's mailets read their init parameters: through {@link ConfigElement}, only the
 * parameters listed, a bad one failing {@code init()} with the {@link MessagingException} James
 * expects, in the reader's one error format.
 */
public final class MailetParameters {
    /** Makes a mailet's configuration of its parameters. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(ConfigElement parameters) throws ConfigurationException;
    }

    private MailetParameters() {
    }

    /** The init parameters of the mailet, under the component name given, only {@code allowed}, read by {@code reader}. */
    public static <T> T read(String component, MailetConfig config, Set<String> allowed, Reader<T> reader) throws MessagingException {
        try {
            return reader.read(ConfigElement.ofMailet(component, config).checkAllowed(allowed, ImmutableSet.of()));
        } catch (ConfigurationException e) {
            throw new MessagingException(e.getMessage(), e);
        }
    }
}
