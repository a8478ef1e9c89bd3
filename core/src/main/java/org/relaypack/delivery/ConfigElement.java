package org.relaypack.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.util.DurationParser;

import com.google.common.base.Strings;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.Sets;

/**
 * One element of relaypack.xml, with its path for error messages. Every accessor fails with a
 * {@link ConfigurationException} naming the element, the parameter and the bad value, so that a
 * typo stops James at startup instead of being ignored.
 */
public final class ConfigElement {
    public static final String FILE_NAME = "relaypack.xml";

    public static ConfigElement root(HierarchicalConfiguration<ImmutableNode> configuration) {
        return new ConfigElement(configuration.getNodeModel().getNodeHandler().getRootNode(), FILE_NAME);
    }

    private final ImmutableNode node;
    private final String path;

    private ConfigElement(ImmutableNode node, String path) {
        this.node = node;
        this.path = path;
    }

    public String name() {
        return node.getNodeName();
    }

    /** "relaypack.xml &lt;nexthops&gt;/&lt;nexthop name="upstream"&gt;", for messages. */
    public String path() {
        return path;
    }

    /** Rejects any attribute or child element not listed. */
    public ConfigElement checkAllowed(Set<String> attributes, Set<String> children) throws ConfigurationException {
        Set<String> unknownAttributes = Sets.difference(node.getAttributes().keySet(), attributes);
        if (!unknownAttributes.isEmpty()) {
            String unknown = unknownAttributes.iterator().next();
            throw new ConfigurationException(String.format("%s: unknown attribute %s=%s (allowed: %s)",
                path, unknown, shown(unknown, String.valueOf(node.getAttributes().get(unknown))),
                attributes.isEmpty() ? "none" : String.join(", ", attributes)));
        }
        for (ImmutableNode child : node.getChildren()) {
            if (!children.contains(child.getNodeName())) {
                throw new ConfigurationException(String.format("%s: unknown element <%s> (allowed: %s)",
                    path, child.getNodeName(), children.isEmpty() ? "none" : String.join(", ", children)));
            }
        }
        return this;
    }

    public Optional<String> attribute(String name) {
        return Optional.ofNullable(node.getAttributes().get(name)).map(Object::toString).map(String::trim);
    }

    public String requiredAttribute(String name) throws ConfigurationException {
        Optional<String> value = attribute(name);
        if (value.isEmpty() || value.get().isEmpty()) {
            throw new ConfigurationException(String.format("%s: attribute %s is required", path, name));
        }
        return value.get();
    }

    public Optional<String> text() {
        return Optional.ofNullable(node.getValue()).map(Object::toString).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String requiredText() throws ConfigurationException {
        return text().orElseThrow(() -> new ConfigurationException(String.format("%s: a value is required", path)));
    }

    public ImmutableList<ConfigElement> children(String name) {
        ImmutableList.Builder<ConfigElement> result = ImmutableList.builder();
        for (ImmutableNode child : node.getChildren()) {
            if (child.getNodeName().equals(name)) {
                result.add(new ConfigElement(child, path + "/" + describe(child)));
            }
        }
        return result.build();
    }

    public Optional<ConfigElement> child(String name) throws ConfigurationException {
        List<ConfigElement> children = children(name);
        if (children.size() > 1) {
            throw new ConfigurationException(String.format("%s: element <%s> is given %d times, at most once allowed", path, name, children.size()));
        }
        return children.stream().findFirst();
    }

    public Optional<Boolean> booleanAttribute(String name) throws ConfigurationException {
        Optional<String> value = attribute(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        switch (value.get()) {
            case "true":
                return Optional.of(true);
            case "false":
                return Optional.of(false);
            default:
                throw error(name, value.get(), "must be true or false");
        }
    }

    public Optional<Integer> intAttribute(String name, int min, int max) throws ConfigurationException {
        Optional<String> value = attribute(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed < min || parsed > max) {
                throw error(name, value.get(), String.format("out of range %d-%d", min, max));
            }
            return Optional.of(parsed);
        } catch (NumberFormatException e) {
            throw error(name, value.get(), "is not a whole number");
        }
    }

    /** A duration as James writes them ("30s", "5m", "1h"); a unit is required. */
    public Optional<Duration> durationAttribute(String name) throws ConfigurationException {
        Optional<String> value = attribute(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parseDuration(name, value.get()));
    }

    public Duration parseDuration(String name, String value) throws ConfigurationException {
        if (!value.matches("\\s*\\d+\\s*[a-zA-Z]+\\s*")) {
            throw error(name, value, "is not a duration with a unit such as 30s, 5m, 1h, 2d");
        }
        try {
            return DurationParser.parse(value);
        } catch (IllegalArgumentException e) {
            throw error(name, value, "is not a duration with a unit such as 30s, 5m, 1h, 2d (" + e.getMessage() + ")");
        }
    }

    /** An error about one parameter of this element, naming its value (unless the parameter {@link #isSecret holds a secret}). */
    public ConfigurationException error(String parameter, String value, String problem) {
        return new ConfigurationException(String.format("%s: %s %s %s", path, parameter, shown(parameter, value), problem));
    }

    /**
     * True for a parameter whose value may be a secret (pas*, *passw*, *pwd*, *secret*, *credential*, in
     * any case): errors name it and say "(value not shown)", so that a misspelt {@code pasword="..."}
     * never writes the password into James's log.
     */
    public static boolean isSecret(String parameter) {
        String name = parameter.toLowerCase(Locale.ROOT);
        // "pas" rather than "pass": a misspelt "pasword" is as secret as the real one
        return name.startsWith("pas") || name.contains("passw") || name.contains("pwd") || name.contains("secret")
            || name.contains("credential");
    }

    private static String shown(String parameter, String value) {
        if (isSecret(parameter) && !Secrets.NAMES_NOT_SECRETS.contains(parameter)) {
            return "(value not shown)";
        }
        return "'" + value + "'";
    }

    public ConfigurationException error(String problem) {
        return new ConfigurationException(String.format("%s: %s", path, problem));
    }

    private static String describe(ImmutableNode child) {
        Map<String, Object> attributes = child.getAttributes();
        Object name = attributes.get("name");
        if (!Strings.isNullOrEmpty(name == null ? null : name.toString())) {
            return "<" + child.getNodeName() + " name=\"" + name + "\">";
        }
        return "<" + child.getNodeName() + ">";
    }
}
