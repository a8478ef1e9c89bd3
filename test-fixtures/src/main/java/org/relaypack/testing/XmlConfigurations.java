package org.relaypack.testing;

import java.io.StringReader;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;

/** Commons-configuration trees from XML text, as James hands them to components. */
public final class XmlConfigurations {
    public static XMLConfiguration parse(String xml) {
        try {
            XMLConfiguration configuration = new XMLConfiguration();
            new FileHandler(configuration).load(new StringReader(xml));
            return configuration;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static HierarchicalConfiguration<ImmutableNode> empty() {
        return new BaseHierarchicalConfiguration();
    }

    /** The {@code <handler>} element of a handlerchain, as James hands it to a hook's init(). */
    public static XMLConfiguration handler(String className, String parameters) {
        return parse("<handler class=\"" + className + "\">" + parameters + "</handler>");
    }

    private XmlConfigurations() {
    }
}
