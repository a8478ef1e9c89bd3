package org.relaypack.delivery;

import static org.relaypack.delivery.TestConfigurations.relaypackXml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.relaypack.testing.TestCertificates;

/**
 * A James home in a test's temporary folder: the files a test writes under conf/ are what
 * relaypack.xml names as file://conf/NAME, read through the FileSystem James would give.
 */
public final class JamesHome {
    private final Path root;
    private final FileSystem fileSystem;

    public static JamesHome in(Path root) {
        try {
            Files.createDirectories(root.resolve("conf"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new JamesHome(root);
    }

    private JamesHome(Path root) {
        this.root = root;
        this.fileSystem = new FileSystemImpl(new JamesServerResourceLoader(root.toString()));
    }

    public JamesHome conf(String name, String text) throws IOException {
        Files.writeString(conf(name), text, StandardCharsets.UTF_8);
        return this;
    }

    /** conf/NAME as a copy of the shared test trust store (password changeit). */
    public JamesHome trustStore(String name) throws IOException {
        Files.copy(TestCertificates.get().trustStorePath(), conf(name));
        return this;
    }

    public Path conf(String name) {
        return root.resolve("conf").resolve(name);
    }

    public FileSystem fileSystem() {
        return fileSystem;
    }

    public NextHopsConfiguration nexthops(String relaypackXmlBody, Function<String, String> environment) throws ConfigurationException {
        return NextHopsConfiguration.from(relaypackXml(relaypackXmlBody), fileSystem, environment);
    }

    /** The next hop "internet" of the given type, its element's body given (no environment variables). */
    public NextHop internetHop(String type, String body) throws ConfigurationException {
        return nexthops("<nexthops><nexthop name=\"internet\" type=\"" + type + "\">" + body + "</nexthop></nexthops>", Map.<String, String>of()::get)
            .hop("internet").orElseThrow();
    }
}
