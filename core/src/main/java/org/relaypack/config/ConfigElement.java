package org.relaypack.config;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.mailet.MailetConfig;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Sets;

/**
 * The one configuration reader of the pack: an element of relaypack.xml (parameters are its
 * attributes, structure its child elements), the init parameters of a mailet, or the parameters of
 * an SMTP handler in smtpserver.xml. Every accessor applies the same rules (docs/relaypack-xml.md,
 * "Configuration rules") and fails with a {@link ConfigurationException} in one format:
 * {@code <component>: <parameter> '<value>' <what is allowed>}; the value of a password-like
 * parameter is never shown.
 */
public final class ConfigElement {
    public static final String FILE_NAME = "relaypack.xml";
    private static final String HANDLER_CLASS_KEY = "[@class]";

    /** The root element of relaypack.xml. */
    public static ConfigElement root(HierarchicalConfiguration<ImmutableNode> configuration) {
        return ofNode(configuration.getNodeModel().getNodeHandler().getRootNode(), FILE_NAME);
    }

    /** The init parameters of a mailet, under the component name given (e.g. "HopLimit mailet 'loop'"). */
    public static ConfigElement ofMailet(String component, MailetConfig config) {
        Map<String, String> parameters = new LinkedHashMap<>();
        config.getInitParameterNames().forEachRemaining(name -> parameters.put(name, config.getInitParameter(name)));
        return new ConfigElement(component, Kind.PARAMETERS, parameters, Optional.empty());
    }

    /** The parameters of an SMTP handler: the child elements of its {@code <handler class="...">}. */
    public static ConfigElement ofHandler(String component, Configuration configuration) {
        Map<String, String> parameters = new LinkedHashMap<>();
        Iterator<String> keys = configuration.getKeys();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!key.equals(HANDLER_CLASS_KEY)) {
                parameters.put(key, String.join(",", configuration.getList(String.class, key, ImmutableList.of())));
            }
        }
        return new ConfigElement(component, Kind.PARAMETERS, parameters, Optional.empty());
    }

    /** An XML element at the path given (for messages): parameters are its attributes. */
    public static ConfigElement ofNode(ImmutableNode node, String path) {
        Map<String, String> attributes = new LinkedHashMap<>();
        node.getAttributes().forEach((name, value) -> attributes.put(name, String.valueOf(value)));
        return new ConfigElement(path, Kind.ATTRIBUTES, attributes, Optional.of(node));
    }

    private enum Kind {
        ATTRIBUTES("attribute"),
        PARAMETERS("parameter");

        private final String noun;

        Kind(String noun) {
            this.noun = noun;
        }
    }

    private final String path;
    private final Kind kind;
    private final ImmutableMap<String, String> parameters;
    private final Optional<ImmutableNode> node;

    private ConfigElement(String path, Kind kind, Map<String, String> parameters, Optional<ImmutableNode> node) {
        this.path = path;
        this.kind = kind;
        this.parameters = ImmutableMap.copyOf(parameters);
        this.node = node;
    }

    /** Where the element is, for messages: {@code relaypack.xml/<nexthops>/<nexthop name="upstream">}, a mailet, a handler. */
    public String path() {
        return path;
    }

    public ImmutableList<String> parameterNames() {
        return parameters.keySet().asList();
    }

    /** Rejects any parameter or child element not listed: a misspelt name never goes unnoticed. */
    public ConfigElement checkAllowed(Set<String> allowedParameters, Set<String> allowedChildren) throws ConfigurationException {
        Set<String> unknown = Sets.difference(parameters.keySet(), allowedParameters);
        if (!unknown.isEmpty()) {
            String name = unknown.iterator().next();
            throw new ConfigurationException(String.format("%s: unknown %s %s=%s (allowed: %s)", path, kind.noun, name,
                SecretNames.shown(name, parameters.get(name)), allowedParameters.isEmpty() ? "none" : String.join(", ", allowedParameters)));
        }
        for (ImmutableNode child : childNodes()) {
            if (!allowedChildren.contains(child.getNodeName())) {
                throw new ConfigurationException(String.format("%s: unknown element <%s> (allowed: %s)",
                    path, child.getNodeName(), allowedChildren.isEmpty() ? "none" : String.join(", ", allowedChildren)));
            }
        }
        return this;
    }

    /** The parameter's value, trimmed; a parameter given with a blank value is an error. */
    public Optional<String> value(String name) throws ConfigurationException {
        String value = parameters.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value.isBlank()) {
            throw error(name, value, "is empty");
        }
        return Optional.of(value.trim());
    }

    public String required(String name) throws ConfigurationException {
        return value(name).orElseThrow(() -> new ConfigurationException(String.format("%s: %s %s is required", path, kind.noun, name)));
    }

    /** A comma-separated list; empty entries are skipped. */
    public ImmutableList<String> list(String name) throws ConfigurationException {
        Optional<String> value = value(name);
        if (value.isEmpty()) {
            return ImmutableList.of();
        }
        return ImmutableList.copyOf(Splitter.on(',').trimResults().omitEmptyStrings().split(value.get()));
    }

    /** Exactly {@code true} or {@code false}. */
    public Optional<Boolean> bool(String name) throws ConfigurationException {
        Optional<String> value = value(name);
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

    public Optional<Integer> integer(String name, int min, int max) throws ConfigurationException {
        Optional<String> value = value(name);
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

    /** A duration with a unit, within the range. */
    public Optional<Duration> duration(String name, DurationRange range) throws ConfigurationException {
        Optional<String> value = value(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Duration duration = parseDuration(name, value.get());
        Optional<String> problem = range.problem(duration);
        if (problem.isPresent()) {
            throw error(name, value.get(), problem.get());
        }
        return Optional.of(duration);
    }

    /** One duration of a list (the caller checks its bounds): the syntax only. */
    public Duration parseDuration(String name, String text) throws ConfigurationException {
        try {
            return DurationRange.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(name, text, e.getMessage());
        }
    }

    public Optional<String> text() {
        return node.map(ImmutableNode::getValue).map(Object::toString).map(String::trim).filter(value -> !value.isEmpty());
    }

    public String requiredText() throws ConfigurationException {
        return text().orElseThrow(() -> error("a value is required"));
    }

    public ImmutableList<ConfigElement> children(String name) {
        return childNodes().stream()
            .filter(child -> child.getNodeName().equals(name))
            .map(child -> ofNode(child, path + "/" + describe(child)))
            .collect(ImmutableList.toImmutableList());
    }

    public Optional<ConfigElement> child(String name) throws ConfigurationException {
        List<ConfigElement> children = children(name);
        if (children.size() > 1) {
            throw error(String.format("element <%s> is given %d times, at most once allowed", name, children.size()));
        }
        return children.stream().findFirst();
    }

    /** The names of the child elements, in the order of the file. */
    public ImmutableList<String> childNames() {
        return childNodes().stream().map(ImmutableNode::getNodeName).collect(ImmutableList.toImmutableList());
    }

    /** The XML element itself; empty for mailet and handler parameters. */
    public Optional<ImmutableNode> node() {
        return node;
    }

    private List<ImmutableNode> childNodes() {
        return node.map(ImmutableNode::getChildren).orElse(ImmutableList.of());
    }

    /** An error about one parameter: the component, the parameter, its value (unless password-like) and what is allowed. */
    public ConfigurationException error(String parameter, String value, String problem) {
        return new ConfigurationException(String.format("%s: %s %s %s", path, parameter, SecretNames.shown(parameter, value), problem));
    }

    public ConfigurationException error(String problem) {
        return new ConfigurationException(String.format("%s: %s", path, problem));
    }

    private static String describe(ImmutableNode child) {
        Object name = child.getAttributes().get("name");
        if (name != null && !name.toString().isBlank()) {
            return "<" + child.getNodeName() + " name=\"" + name + "\">";
        }
        return "<" + child.getNodeName() + ">";
    }

    @Override
    public String toString() {
        return path;
    }
}
