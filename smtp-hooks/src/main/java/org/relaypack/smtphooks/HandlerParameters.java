package org.relaypack.smtphooks;

import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;

import com.google.common.collect.ImmutableSet;

/**
 * The XML parameters of one {@code <handler class="...">} element, read strictly: unknown
 * parameters, blank values and booleans other than {@code true}/{@code false} stop James at startup
 * with the handler's name, the parameter and the value.
 */
final class HandlerParameters {
    private static final String CLASS_ATTRIBUTE = "[@class]";

    static HandlerParameters of(String handlerName, Configuration configuration, Set<String> knownParameters) throws ConfigurationException {
        Iterator<String> keys = configuration.getKeys();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!key.equals(CLASS_ATTRIBUTE) && !knownParameters.contains(key)) {
                throw new ConfigurationException(handlerName + ": unknown parameter '" + key + "'; known parameters are "
                    + ImmutableSet.copyOf(knownParameters));
            }
        }
        return new HandlerParameters(handlerName, configuration);
    }

    private final String handlerName;
    private final Configuration configuration;

    private HandlerParameters(String handlerName, Configuration configuration) {
        this.handlerName = handlerName;
        this.configuration = configuration;
    }

    Optional<String> string(String parameter) throws ConfigurationException {
        if (!configuration.containsKey(parameter)) {
            return Optional.empty();
        }
        String value = configuration.getString(parameter, "").trim();
        if (value.isEmpty()) {
            throw invalid(parameter, value, "a value is required");
        }
        return Optional.of(value);
    }

    boolean bool(String parameter, boolean defaultValue) throws ConfigurationException {
        Optional<String> value = string(parameter);
        if (value.isEmpty()) {
            return defaultValue;
        }
        switch (value.get()) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw invalid(parameter, value.get(), "expected true or false");
        }
    }

    ConfigurationException invalid(String parameter, String value, String why) {
        return new ConfigurationException(handlerName + ": invalid value '" + value + "' for parameter '" + parameter + "': " + why);
    }
}
