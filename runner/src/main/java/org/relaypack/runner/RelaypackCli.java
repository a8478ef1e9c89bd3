package org.relaypack.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.apache.james.cli.ServerCmd;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * {@code ./relaypack cli COMMAND...}: James 3.8.1's own admin CLI ({@link ServerCmd}, artifact
 * james-server-cli) against the James the run command started, with the JMX address and port of
 * its {@code conf/jmx.properties} and the credentials James wrote at first start into
 * {@code conf/jmxremote.password} (user {@code james-admin}). The credentials are handed over
 * in-process, never on a command line.
 *
 * <pre>java org.relaypack.runner.RelaypackCli [--workdir DIR] COMMAND [ARGUMENT...]</pre>
 *
 * The working directory is {@code --workdir}, else the one the last run command recorded in
 * {@code run/last-workdir}, else {@code run/demo}.
 */
public final class RelaypackCli {
    public static final String LAST_WORKDIR_FILE = "last-workdir";
    private static final String JMX_PROPERTIES = "conf/jmx.properties";
    private static final String JMX_PASSWORD = "conf/jmxremote.password";

    public static void main(String[] args) {
        System.exit(run(root(), ImmutableList.copyOf(args), System.out, System.err));
    }

    private static Path root() {
        return Paths.get(System.getProperty("relaypack.root", ".")).toAbsolutePath().normalize();
    }

    /** Runs one CLI command; returns the exit status (0: the command succeeded). */
    public static int run(Path root, List<String> args, PrintStream out, PrintStream err) {
        Optional<Path> workdirOption = Optional.empty();
        List<String> command = args;
        if (!args.isEmpty() && args.get(0).equals("--workdir")) {
            if (args.size() < 2) {
                err.println("relaypack cli: --workdir needs a value");
                return 2;
            }
            workdirOption = Optional.of(Paths.get(args.get(1)));
            command = args.subList(2, args.size());
        }
        if (command.isEmpty()) {
            err.println("usage: ./relaypack cli [--workdir DIR] COMMAND [ARGUMENT...]   (James 3.8.1's james-cli commands: "
                + "AddDomain, ListDomains, AddUser, ListUsers, AddAddressMapping, AddRegexMapping, ListMappings, ...)");
            return 2;
        }
        Path workdir = workdirOption.orElseGet(() -> lastWorkdir(root)).toAbsolutePath();
        try {
            Properties jmx = properties(workdir.resolve(JMX_PROPERTIES));
            if (!"true".equals(jmx.getProperty("jmx.enabled", "true").trim())) {
                err.println("relaypack cli: JMX is disabled in " + workdir.resolve(JMX_PROPERTIES) + " (jmx.enabled)");
                return 1;
            }
            String host = jmx.getProperty("jmx.address", "127.0.0.1").trim();
            String port = jmx.getProperty("jmx.port", "9999").trim();
            List<String> credentials = credentials(workdir.resolve(JMX_PASSWORD));
            ServerCmd.executeAndOutputToStream(ImmutableList.<String>builder()
                .add("-h", host, "-p", port, "-username", credentials.get(0), "-password", credentials.get(1))
                .addAll(command)
                .build()
                .toArray(String[]::new), out);
            return 0;
        } catch (Exception e) {
            String hint = String.valueOf(e.getMessage()).contains("Connection refused")
                ? " (nothing listens on its JMX port: is that ./relaypack run still running?)" : "";
            err.println("relaypack cli: " + String.join(" ", command) + " failed against the James of " + workdir + hint + ": " + e);
            return 1;
        }
    }

    static Path lastWorkdir(Path root) {
        Path recorded = root.resolve("run").resolve(LAST_WORKDIR_FILE);
        try {
            if (Files.exists(recorded)) {
                return Paths.get(Files.readString(recorded, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + recorded, e);
        }
        return root.resolve("run").resolve("demo");
    }

    /** Records the working directory of a run, for the next {@code ./relaypack cli}. */
    static void recordWorkdir(Path root, Path workdir) throws IOException {
        Path run = Files.createDirectories(root.resolve("run"));
        Files.writeString(run.resolve(LAST_WORKDIR_FILE), workdir.toAbsolutePath() + "\n", StandardCharsets.UTF_8);
    }

    private static Properties properties(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("no " + file + ": is this the working directory of a run? (./relaypack run NAME, or --workdir DIR)");
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        return properties;
    }

    /** James 3.8.1 writes "james-admin PASSWORD" on the first line at its first start. */
    private static List<String> credentials(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("no " + file + ": James writes it when it first starts with JMX enabled");
        }
        List<String> fields = Splitter.on(' ').omitEmptyStrings().trimResults()
            .splitToList(Files.readAllLines(file, StandardCharsets.US_ASCII).get(0));
        if (fields.size() < 2) {
            throw new IOException("the first line of " + file + " is not 'USERNAME PASSWORD'");
        }
        return fields;
    }

    private RelaypackCli() {
    }
}
