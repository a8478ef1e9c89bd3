package org.relaypack.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

import org.apache.james.server.core.configuration.Configuration;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * The run command: a real James 3.8.1 memory server, from its published artifacts, with the pack
 * loaded by James's own extension class loader from {@code <workdir>/extensions-jars/} (this
 * program's class path does not hold the pack), configured from a conf-sample, on unprivileged
 * ports, with a self-signed certificate and, when the sample declares them, local stand-ins for
 * its peers (the upstream smarthost, the mailbox servers).
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
        Path workdir = arguments.workdir.orElse(root.resolve("run").resolve(arguments.sample)).toAbsolutePath();
        Path pack = arguments.pack.orElseGet(() -> findPackJar(root));
        IntUnaryOperator ports = arguments.freePorts ? port -> freePort() : RelaypackRun::unprivileged;
        // Before anything logs: logback reads its configuration once, on first use.
        Path logback = sampleDir.resolve("logback.xml");
        if (Files.exists(logback) && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", logback.toString());
        }

        List<RunningStandIn> standIns = startStandIns(sampleDir, ports);
        ConfSample sample = new ConfSample(sampleDir);
        // Stand-ins are named as RemoteDelivery gateways (127.0.0.1:port) or as relaypack hosts ([127.0.0.1]:port).
        standIns.forEach(standIn -> {
            sample.substitute("127.0.0.1:" + standIn.shippedSmtpPort, "127.0.0.1:" + standIn.standIn.smtpPort());
            sample.substitute("[127.0.0.1]:" + standIn.shippedSmtpPort, "[127.0.0.1]:" + standIn.standIn.smtpPort());
        });
        Map<Integer, Integer> listeners = prepareWorkdir(sample, workdir, pack, ports);
        writePorts(workdir, listeners, standIns);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> standIns.forEach(standIn -> standIn.standIn.close())));
        System.setProperty(Configuration.WORKING_DIRECTORY, workdir.toString());
        JamesAssembly.startMain(arguments.queue);
        printSummary(arguments.sample, workdir, pack, listeners, standIns);
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

    private static List<RunningStandIn> startStandIns(Path sampleDir, IntUnaryOperator ports) throws IOException {
        Path file = sampleDir.resolve(STANDINS_FILE);
        List<RunningStandIn> standIns = new ArrayList<>();
        if (!Files.exists(file)) {
            return standIns;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        for (String name : new TreeMap<>(properties).keySet().stream().map(Object::toString)
            .filter(key -> key.endsWith(".smtp")).map(key -> key.substring(0, key.length() - ".smtp".length()))
            .toArray(String[]::new)) {
            int smtp = Integer.parseInt(properties.getProperty(name + ".smtp").trim());
            int imap = Integer.parseInt(properties.getProperty(name + ".imap").trim());
            standIns.add(new RunningStandIn(smtp, StandIn.start(name, ports.applyAsInt(smtp), ports.applyAsInt(imap))));
        }
        return standIns;
    }

    private static void writePorts(Path workdir, Map<Integer, Integer> listeners, List<RunningStandIn> standIns) throws IOException {
        Properties properties = new Properties();
        listeners.forEach((shipped, actual) -> properties.setProperty("listener." + shipped, String.valueOf(actual)));
        for (RunningStandIn standIn : standIns) {
            properties.setProperty("standin." + standIn.standIn.name() + ".smtp", String.valueOf(standIn.standIn.smtpPort()));
            properties.setProperty("standin." + standIn.standIn.name() + ".imap", String.valueOf(standIn.standIn.imapPort()));
        }
        try (Writer writer = Files.newBufferedWriter(workdir.resolve(PORTS_FILE), StandardCharsets.UTF_8)) {
            properties.store(writer, "ports of this run: shipped port => bound port");
        }
    }

    private static void printSummary(String sampleName, Path workdir, Path pack, Map<Integer, Integer> listeners, List<RunningStandIn> standIns) {
        StringBuilder summary = new StringBuilder()
            .append("\n=== relaypack: James 3.8.1 is up with conf-sample '").append(sampleName).append("' ===\n")
            .append("working directory : ").append(workdir).append('\n')
            .append("pack loaded from  : ").append(workdir.resolve("extensions-jars").resolve(pack.getFileName())).append('\n');
        listeners.forEach((shipped, actual) -> summary
            .append(String.format("listener          : 127.0.0.1:%d  (port %d in the sample)%n", actual, shipped)));
        for (RunningStandIn standIn : standIns) {
            summary.append(String.format("stand-in %-9s: SMTP 127.0.0.1:%d, read it back over IMAP 127.0.0.1:%d (any user, any password)%n",
                standIn.standIn.name(), standIn.standIn.smtpPort(), standIn.standIn.imapPort()));
        }
        summary.append("Try: swaks --server 127.0.0.1:").append(listeners.getOrDefault(25, 2525))
            .append(" --from alice@lan.example --to bob@remote.example\n")
            .append("     swaks --server 127.0.0.1:").append(listeners.getOrDefault(25, 2525))
            .append(" --from bob@remote.example --to alice@example.com,carol@example.com   (demo: per-user routing)\n")
            .append("Stop with Ctrl-C.\n");
        System.out.println(summary);
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

    /** A stand-in with the SMTP port the sample names it by. */
    private static final class RunningStandIn {
        private final int shippedSmtpPort;
        private final StandIn standIn;

        private RunningStandIn(int shippedSmtpPort, StandIn standIn) {
            this.shippedSmtpPort = shippedSmtpPort;
            this.standIn = standIn;
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
