package org.relaypack.delivery;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.server.core.configuration.FileConfigurationProvider;

/** relaypack.xml text to the configuration James's ConfigurationProvider would give. */
public final class TestConfigurations {
    public static HierarchicalConfiguration<ImmutableNode> relaypackXml(String body) {
        try {
            return FileConfigurationProvider.getConfig(new ByteArrayInputStream(
                ("<?xml version=\"1.0\"?>\n<relaypack>\n" + body + "\n</relaypack>").getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private TestConfigurations() {
    }
}
