package org.relaypack.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.relaypack.runner.Certificates;
import org.relaypack.runner.ConfSample;
import org.relaypack.runner.JamesAssembly;
import org.relaypack.runner.QueueChoice;
import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.LoopbackPorts;
import org.relaypack.testing.SmtpTestClient;

import com.google.common.collect.ImmutableList;
import com.google.inject.Module;

/**
 * A real James 3.8.1 memory server booted in this JVM from a conf-sample folder exactly as shipped,
 * except for what a test must change: each {@code <bind>} (and the WebAdmin/JMX ports) moves to a
 * free loopback port, literal peer addresses are substituted, the keystore the sample names is
 * generated, and DNS is James's {@link InMemoryDNSService}. Boots cost seconds: share one per class.
 */
public final class RelayJames implements AutoCloseable {
    public static Path projectRoot() {
        return Paths.get(System.getProperty("relaypack.root", "..")).toAbsolutePath().normalize();
    }

    public static Builder sample(String name) {
        return new Builder(projectRoot().resolve("conf-samples").resolve(name));
    }

    public static final class Builder {
        private final ConfSample sample;
        private final List<Module> overrides = new ArrayList<>();
        private InMemoryDNSService dns = new DnsJavaShapedDns();
        private Optional<Path> extraConf = Optional.empty();
        private final List<Path> overlays = new ArrayList<>();
        private QueueChoice queue = QueueChoice.MEMORY;
        private Optional<Path> workdir = Optional.empty();

        private Builder(Path sampleDir) {
            this.sample = new ConfSample(sampleDir);
        }

        /** Replaces a literal peer address of the sample (e.g. "[smtp.provider.example]:587") everywhere. */
        public Builder substitute(String from, String to) {
            sample.substitute(from, to);
            return this;
        }

        public Builder dns(InMemoryDNSService dns) {
            this.dns = dns;
            return this;
        }

        /** The mail queues James runs on: James's memory queue unless told otherwise. */
        public Builder queue(QueueChoice queue) {
            this.queue = queue;
            return this;
        }

        /** Boots on this working directory (a durable queue's store survives there) instead of a new one. */
        public Builder workdir(Path workdir) {
            this.workdir = Optional.of(workdir);
            return this;
        }

        /** James's own dnsjava-based DNSService, configured by the sample's dnsservice.xml (no DNS double). */
        public Builder jamesDnsService() {
            this.dns = null;
            return this;
        }

        public Builder overrideWith(Module module) {
            overrides.add(module);
            return this;
        }

        /**
         * Files copied into conf/ after the sample: secrets and trust stores a test made, replacing
         * the placeholders a sample ships (as its docs tell a postmaster to).
         */
        public Builder extraConf(Path folder) {
            this.extraConf = Optional.of(folder);
            return this;
        }

        /**
         * Test-only configuration files (a test resource folder) laid over the sample before the
         * substitutions, for a story that needs what no shipped sample may contain (probe
         * components, several mailets on one engine).
         */
        public Builder overlay(String resourceFolder) {
            try {
                overlays.add(Paths.get(RelayJames.class.getResource("/" + resourceFolder).toURI()));
            } catch (java.net.URISyntaxException | NullPointerException e) {
                throw new IllegalArgumentException("No test resource folder " + resourceFolder, e);
            }
            return this;
        }

        public RelayJames start() throws Exception {
            Path workdir = this.workdir.isPresent() ? Files.createDirectories(this.workdir.get()) : Files.createTempDirectory("relaypack-james-");
            Path conf = workdir.resolve("conf");
            Map<Integer, Integer> ports = sample.writeTo(conf, overlays, shipped -> freePort());
            if (!sample.unusedSubstitutions().isEmpty()) {
                // a story whose text no longer matches the sample would run on the sample unchanged
                throw new IllegalStateException("No file of the sample contains " + sample.unusedSubstitutions());
            }
            Optional<String> secret = ConfSample.keystoreSecret(conf);
            if (secret.isPresent() && !Files.exists(conf.resolve("keystore"))) {
                Certificates.selfSigned(conf.resolve("keystore"), secret.get(), "localhost",
                    ImmutableList.of("dns:localhost", "ip:127.0.0.1"));
            }
            if (extraConf.isPresent()) {
                try (java.util.stream.Stream<Path> files = Files.list(extraConf.get())) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Files.copy(file, conf.resolve(file.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
                .workingDirectory(workdir.toFile())
                .build();
            InMemoryDNSService dnsService = dns;
            GuiceJamesServer server = JamesAssembly.server(configuration, queue);
            if (dnsService != null) {
                server = server.overrideWith(binder -> binder.bind(DNSService.class).toInstance(dnsService));
            }
            server = server.overrideWith(overrides);
            try {
                server.start();
            } catch (Exception e) {
                // A failed boot must not leave its MBeans and threads to the next test's James.
                server.stop();
                throw e;
            }
            return new RelayJames(server, workdir, ports, dnsService);
        }
    }

    public static int freePort() {
        return LoopbackPorts.free();
    }

    private final GuiceJamesServer server;
    private final Path workdir;
    private final Map<Integer, Integer> ports;
    private final InMemoryDNSService dns;

    private RelayJames(GuiceJamesServer server, Path workdir, Map<Integer, Integer> ports, InMemoryDNSService dns) {
        this.server = server;
        this.workdir = workdir;
        this.ports = ports;
        this.dns = dns;
    }

    /** The loopback port James bound for the listener the sample declares on {@code shippedPort}. */
    public int port(int shippedPort) {
        Integer port = ports.get(shippedPort);
        if (port == null) {
            throw new IllegalArgumentException("The sample has no listener on port " + shippedPort + "; it has " + ports.keySet());
        }
        return port;
    }

    /**
     * One mail from a LAN host (EHLO printer.lan.example) in plaintext on the sample's port-25
     * listener: the reply to the end of DATA, or the first refusal.
     */
    public SmtpTestClient.Reply sendFromLan(String sender, String recipient, String subject) throws IOException {
        try (SmtpTestClient client = SmtpTestClient.plain(port(25))) {
            client.greeting();
            client.ehlo("printer.lan.example");
            return client.send(sender, List.of(recipient), SmtpTestClient.message(sender, recipient, subject, "hello"));
        }
    }

    public int webAdminPort() {
        return server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue();
    }

    public DataProbeImpl.FluentDataProbe data() {
        return server.getProbe(DataProbeImpl.class).fluent();
    }

    public GuiceJamesServer server() {
        return server;
    }

    public InMemoryDNSService dns() {
        if (dns == null) {
            throw new IllegalStateException("This James uses its own DNSService (jamesDnsService()), not a double");
        }
        return dns;
    }

    public Path confDir() {
        return workdir.resolve("conf");
    }

    @Override
    public void close() {
        server.stop();
    }
}
