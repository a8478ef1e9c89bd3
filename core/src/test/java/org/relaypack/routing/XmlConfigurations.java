package org.relaypack.routing;

import java.io.StringReader;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.commons.configuration2.tree.ImmutableNode;

final class XmlConfigurations {
    static HierarchicalConfiguration<ImmutableNode> parse(String xml) {
        try {
            XMLConfiguration configuration = new XMLConfiguration();
            new FileHandler(configuration).load(new StringReader(xml));
            return configuration;
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static HierarchicalConfiguration<ImmutableNode> empty() {
        return new BaseHierarchicalConfiguration();
    }

    private XmlConfigurations() {
    }
}
