package org.relaypack.routing;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.util.DurationParser;

import com.google.common.collect.ImmutableList;

/**
 * Reads one element of {@code relaypack.xml} and fails with a message naming the element, the
 * parameter and the bad value. Parameters are child elements; unknown children are errors.
 */
final class ConfigReader {
    private final String path;
    private final HierarchicalConfiguration<ImmutableNode> configuration;

    ConfigReader(String path, HierarchicalConfiguration<ImmutableNode> configuration) {
        this.path = path;
        this.configuration = configuration;
    }

    String path() {
        return path;
    }

    HierarchicalConfiguration<ImmutableNode> configuration() {
        return configuration;
    }

    ConfigurationException error(String parameter, String value, String reason) {
        return new ConfigurationException(path + ": parameter '" + parameter + "' has bad value '" + value + "': " + reason);
    }

    ConfigurationException error(String reason) {
        return new ConfigurationException(path + ": " + reason);
    }

    void checkKnownChildren(Set<String> known) throws ConfigurationException {
        for (ImmutableNode child : configuration.getNodeModel().getNodeHandler().getRootNode().getChildren()) {
            if (!known.contains(child.getNodeName())) {
                throw new ConfigurationException(path + ": unknown parameter '" + child.getNodeName() + "' (known: " + known + ")");
            }
        }
        if (!configuration.getNodeModel().getNodeHandler().getRootNode().getAttributes().isEmpty()) {
            throw new ConfigurationException(path + ": unexpected attributes "
                + configuration.getNodeModel().getNodeHandler().getRootNode().getAttributes().keySet()
                + " (parameters are child elements)");
        }
    }

    Optional<String> optionalString(String name) {
        return Optional.ofNullable(configuration.getString(name, null))
            .map(String::trim);
    }

    String requiredString(String name) throws ConfigurationException {
        Optional<String> value = optionalString(name);
        if (value.isEmpty() || value.get().isEmpty()) {
            throw new ConfigurationException(path + ": missing parameter '" + name + "'");
        }
        return value.get();
    }

    List<String> strings(String name) {
        return configuration.getList(String.class, name, ImmutableList.of()).stream()
            .map(String::trim)
            .collect(ImmutableList.toImmutableList());
    }

    /** A duration at least zero (or more than zero) and at most {@code max}, which the errors write as {@code maxText}. */
    Duration duration(String name, Duration defaultValue, boolean zeroAllowed, Duration max, String maxText) throws ConfigurationException {
        Optional<String> value = optionalString(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        Duration duration;
        try {
            duration = DurationParser.parse(value.get(), ChronoUnit.SECONDS);
        } catch (IllegalArgumentException e) {
            throw error(name, value.get(), "not a duration (examples: 30s, 5m, 1h)");
        }
        if (duration.isNegative() || (duration.isZero() && !zeroAllowed)) {
            throw error(name, value.get(), zeroAllowed ? "must not be negative" : "must be positive");
        }
        if (duration.compareTo(max) > 0) {
            throw error(name, value.get(), "must be at most " + maxText);
        }
        return duration;
    }

    int positiveInt(String name, int defaultValue) throws ConfigurationException {
        Optional<String> value = optionalString(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed < 1) {
                throw error(name, value.get(), "must be at least 1");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw error(name, value.get(), "not a number");
        }
    }

    boolean bool(String name, boolean defaultValue) throws ConfigurationException {
        Optional<String> value = optionalString(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        switch (value.get()) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw error(name, value.get(), "must be exactly 'true' or 'false'");
        }
    }
}
