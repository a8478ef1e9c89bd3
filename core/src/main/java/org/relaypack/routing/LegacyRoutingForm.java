package org.relaypack.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.tree.ImmutableNode;
import org.relaypack.config.SecretNames;

import com.google.common.collect.ImmutableSet;

/**
 * Reads the {@code <routing>} section as it was written before the pack had one configuration style:
 * parameters as child elements ({@code <file><path>...</path></file>}, {@code <domains><domain>...}).
 * It is turned into the attribute form that {@code <nexthops>} uses; the caller logs a WARN that
 * shows the section in the new form, so that the operator can paste it.
 */
final class LegacyRoutingForm {
    /** Elements whose text-only children are parameters; {@code <rrt>} and {@code <placement>} keep their children. */
    private static final ImmutableSet<String> PARAMETER_HOLDERS = ImmutableSet.of(RoutingConfiguration.SECTION,
        RoutingConfiguration.FILE, RoutingConfiguration.LDAP);

    private LegacyRoutingForm() {
    }

    /** The section with every parameter element turned into an attribute (lists joined with ", "); the same node when none is. */
    static ImmutableNode upgrade(ImmutableNode element) {
        Map<String, Object> attributes = new LinkedHashMap<>(element.getAttributes());
        List<ImmutableNode> children = new ArrayList<>();
        boolean holdsParameters = PARAMETER_HOLDERS.contains(element.getNodeName());
        boolean changed = false;
        for (ImmutableNode child : element.getChildren()) {
            if (holdsParameters && isLeaf(child) && !child.getNodeName().equals(RoutingConfiguration.SOURCES)) {
                changed = true;
                addValue(attributes, child.getNodeName(), child.getValue());
            } else if (holdsParameters && isList(child)) {
                changed = true;
                child.getChildren().forEach(item -> addValue(attributes, child.getNodeName(), item.getValue()));
            } else {
                ImmutableNode upgraded = upgrade(child);
                changed |= upgraded != child;
                children.add(upgraded);
            }
        }
        if (!changed) {
            return element;
        }
        return new ImmutableNode.Builder().name(element.getNodeName()).value(element.getValue())
            .addAttributes(attributes).addChildren(children).create();
    }

    private static void addValue(Map<String, Object> attributes, String name, Object value) {
        if (value == null || value.toString().isBlank()) {
            return;
        }
        attributes.merge(name, value.toString().trim(), (previous, added) -> previous + ", " + added);
    }

    /** {@code <path>x</path>}: text, no attribute, no child. */
    private static boolean isLeaf(ImmutableNode node) {
        return node.getAttributes().isEmpty() && node.getChildren().isEmpty();
    }

    /** {@code <domains><domain>a</domain><domain>b</domain></domains>}: a wrapper of leaves (or empty). */
    private static boolean isList(ImmutableNode node) {
        return node.getAttributes().isEmpty() && node.getValue() == null && !node.getNodeName().equals(RoutingConfiguration.SOURCES)
            && !node.getNodeName().equals(LdapRouteSourceConfiguration.HOST_MAP)
            && node.getChildren().stream().allMatch(LegacyRoutingForm::isLeaf);
    }

    /** The element as XML, for the WARN: secrets are written "...". */
    static String toXml(ImmutableNode element) {
        String attributes = element.getAttributes().entrySet().stream()
            .map(LegacyRoutingForm::attribute)
            .collect(Collectors.joining());
        List<ImmutableNode> children = element.getChildren();
        String text = element.getValue() == null ? "" : element.getValue().toString().trim();
        if (children.isEmpty() && text.isEmpty()) {
            return "<" + element.getNodeName() + attributes + "/>";
        }
        return "<" + element.getNodeName() + attributes + ">" + text
            + children.stream().map(LegacyRoutingForm::toXml).collect(Collectors.joining())
            + "</" + element.getNodeName() + ">";
    }

    private static String attribute(Map.Entry<String, Object> entry) {
        String value = SecretNames.isSecret(entry.getKey()) ? "..." : String.valueOf(entry.getValue());
        return " " + entry.getKey() + "=\"" + value.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;") + "\"";
    }
}
