package org.relaypack.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.server.core.configuration.Configuration;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * The run command: a real James 3.8.1 memory server, from its published artifacts, with the pack
 * loaded by James's own extension class loader from {@code <workdir>/extensions-jars/} (this
 * program's class path does not hold the pack), configured from a conf-sample, on unprivileged
 * ports, with a self-signed certificate and, when the sample declares them in its
 * {@code standins.properties} ({@link StandInsFile}), local stand-ins for its peers (the upstream
 * smarthost, the provider, the partner, the mailbox servers) with the TLS and AUTH the sample asks for.
 *
 * <pre>java org.relaypack.runner.RelaypackRun [sample] [--workdir DIR] [--pack JAR] [--free-ports] [--queue activemq|memory]</pre>
 */
public final class RelaypackRun {
    /** Privileged ports of the samples and where a local run puts them. */
    private static final Map<Integer, Integer> UNPRIVILEGED = ImmutableMap.of(25, 2525, 465, 4465, 587, 4587, 143, 1143, 993, 1993, 110, 1110);
    public static final String STANDINS_FILE = "standins.properties";
    public static final String PORTS_FILE = "ports.properties";
    private static final String DEFAULT_SAMPLE = "demo";

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse(args);
        Path root = Paths.get(System.getProperty("relaypack.root", ".")).toAbsolutePath().normalize();
        Path sampleDir = root.resolve("conf-samples").resolve(arguments.sample);
        Path defaultWorkdir = root.resolve("run").resolve(arguments.sample).toAbsolutePath();
        Path workdir = arguments.workdir.orElse(defaultWorkdir).toAbsolutePath();
        Path pack = arguments.pack.orElseGet(() -> findPackJar(root));
        IntUnaryOperator ports = arguments.freePorts ? port -> freePort() : RelaypackRun::unprivileged;
        // Before anything logs: logback reads its configuration once, on first use.
        Path logback = sampleDir.resolve("logback.xml");
        if (Files.exists(logback) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", logback.toString());
        }

        // Stand-ins first, each bound as soon as its port is chosen; the sample then names their ports.
        StandInsFile standInsFile = StandInsFile.read(sampleDir);
        StandIns standIns = StandIns.start(standInsFile, sampleDir, workdir, ports, arguments.freePorts);
        ConfSample sample = new ConfSample(sampleDir);
        for (StandIn standIn : standIns.running()) {
            standIn.spec().replacements().forEach(replacement -> sample.substitute(replacement.from(), replacement.to(standIn.smtpPort())));
        }
        standInsFile.replacements().forEach(replacement -> sample.substitute(replacement.from(), replacement.to(0)));
        Map<Integer, Integer> listeners = prepareWorkdir(sample, workdir, pack, ports);
        standIns.writeTrustStore(workdir.resolve("conf"));
        writePorts(workdir, listeners, standIns.running());
        RelaypackCli.recordWorkdir(root, workdir);

        Runtime.getRuntime().addShutdownHook(new Thread(standIns::close));
        System.setProperty(Configuration.WORKING_DIRECTORY, workdir.toString());
        JamesAssembly.startMain(arguments.queue, standInsFile.loopbackDns()
            ? ImmutableList.of(binder -> binder.bind(DNSService.class).toInstance(new LoopbackDns()))
            : ImmutableList.of());
        String cli = workdir.equals(defaultWorkdir) ? "./relaypack cli" : "./relaypack cli --workdir " + workdir;
        List<String> commands = standInsFile.tryCommands().stream()
            .map(template -> Summary.command(template, listeners, standIns.running(), cli))
            .collect(ImmutableList.toImmutableList());
        System.out.println(Summary.render(arguments.sample, workdir, workdir.resolve("extensions-jars").resolve(pack.getFileName()),
            Summary.listeners(workdir.resolve("conf"), listeners), standIns.running(), commands));
    }

    static Map<Integer, Integer> prepareWorkdir(ConfSample sample, Path workdir, Path pack, IntUnaryOperator ports) throws IOException {
        Path conf = workdir.resolve("conf");
        Path extensions = workdir.resolve("extensions-jars");
        Files.createDirectories(extensions);
        try (Stream<Path> old = Files.list(extensions)) {
            for (Path jar : (Iterable<Path>) old::iterator) {
                Files.delete(jar);
            }
        }
        Files.copy(pack, extensions.resolve(pack.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Map<Integer, Integer> listeners = sample.writeTo(conf, ports);
        Optional<String> secret = ConfSample.keystoreSecret(conf);
        if (secret.isPresent()) {
            // Made once per working directory, then kept: clients can pin it between runs.
            Path keystore = workdir.resolve("keystore.p12");
            if (!Files.exists(keystore)) {
                Certificates.selfSigned(keystore, secret.get(), "localhost", ImmutableList.of("dns:localhost", "ip:127.0.0.1"));
            }
            Files.copy(keystore, conf.resolve("keystore"), StandardCopyOption.REPLACE_EXISTING);
        }
        return listeners;
    }

    private static void writePorts(Path workdir, Map<Integer, Integer> listeners, List<StandIn> standIns) throws IOException {
        Properties properties = new Properties();
        listeners.forEach((shipped, actual) -> properties.setProperty("listener." + shipped, String.valueOf(actual)));
        for (StandIn standIn : standIns) {
            properties.setProperty("standin." + standIn.name() + ".smtp", String.valueOf(standIn.smtpPort()));
            properties.setProperty("standin." + standIn.name() + ".imap", String.valueOf(standIn.imapPort()));
        }
        try (Writer writer = Files.newBufferedWriter(workdir.resolve(PORTS_FILE), StandardCharsets.UTF_8)) {
            properties.store(writer, "ports of this run: shipped port => bound port");
        }
    }

    static int unprivileged(int port) {
        return UNPRIVILEGED.getOrDefault(port, port < 1024 ? port + 10000 : port);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path findPackJar(Path root) {
        Path target = root.resolve("dist").resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(file -> file.getFileName().toString().matches("relaypack-.*\\.jar"))
                .filter(file -> !file.getFileName().toString().startsWith("original-"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No relaypack jar in " + target + ": run 'mvn package' first"));
        } catch (IOException e) {
            throw new IllegalStateException("No " + target + ": run 'mvn package' first", e);
        }
    }

    private static final class Arguments {
        private final String sample;
        private final Optional<Path> workdir;
        private final Optional<Path> pack;
        private final boolean freePorts;
        private final QueueChoice queue;

        private Arguments(String sample, Optional<Path> workdir, Optional<Path> pack, boolean freePorts, QueueChoice queue) {
            this.sample = sample;
            this.workdir = workdir;
            this.pack = pack;
            this.freePorts = freePorts;
            this.queue = queue;
        }

        static Arguments parse(String[] args) {
            String sample = DEFAULT_SAMPLE;
            Optional<Path> workdir = Optional.empty();
            Optional<Path> pack = Optional.empty();
            boolean freePorts = false;
            QueueChoice queue = QueueChoice.DEFAULT;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--workdir":
                        workdir = Optional.of(Paths.get(value(args, ++i, "--workdir")));
                        break;
                    case "--pack":
                        pack = Optional.of(Paths.get(value(args, ++i, "--pack")));
                        break;
                    case "--free-ports":
                        freePorts = true;
                        break;
                    case "--queue":
                        queue = QueueChoice.parse(value(args, ++i, "--queue"));
                        break;
                    default:
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("Unknown option " + args[i]
                                + "; usage: [sample] [--workdir DIR] [--pack JAR] [--free-ports] [--queue activemq|memory]");
                        }
                        sample = args[i];
                }
            }
            return new Arguments(sample, workdir, pack, freePorts, queue);
        }

        private static String value(String[] args, int index, String option) {
            if (index >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[index];
        }
    }
}
