package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.runner.RelaypackCli;

import com.google.common.collect.ImmutableList;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;

/**
 * {@code ./relaypack run SAMPLE --free-ports --workdir DIR} as a user runs it: James 3.8.1 and the
 * sample's stand-ins in a JVM of their own, the pack loaded from {@code extensions-jars/}. Gives the
 * closing summary, the ports, and runs the summary's own commands as written: {@code ./relaypack cli}
 * lines in-process (James's own james-cli), {@code curl} lines with the real curl, {@code swaks}
 * lines with {@link SwaksLine} (swaks is not installed on the build machines).
 * Needs the packaged jars: it runs in {@code mvn verify}, after the dist and runner modules.
 */
public final class RunCommand implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private final String sample;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private Process process;
    private Path workdir;
    private Properties ports;

    /**
     * The run of a sample for a test class, as its static {@code @RegisterExtension} field: started in a
     * work folder of its own before the class's first test, stopped and its folder deleted after the last.
     */
    public static RunCommand of(String sample) {
        return new RunCommand(sample);
    }

    private RunCommand(String sample) {
        this.sample = sample;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (context.getRequiredTestClass().isAnnotationPresent(Nested.class)) {
            return; // a @Nested class inherits the extension: the run is the enclosing class's
        }
        workdir = Files.createTempDirectory("relaypack-run-" + sample + "-");
        Path runnerJar = packaged("relaypack.runner.jar");
        Path classpathFile = packaged("relaypack.runner.classpath");
        Path packJar = packaged("relaypack.jar");
        String classpath = runnerJar + java.io.File.pathSeparator + Files.readString(classpathFile).trim();
        process = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Drelaypack.root=" + RelayJames.projectRoot(), "-cp", classpath,
            "org.relaypack.runner.RelaypackRun", sample, "--workdir", workdir.toString(), "--pack", packJar.toString(), "--free-ports")
            .redirectErrorStream(true)
            .start();
        Thread pump = new Thread(() -> pump(process.getInputStream()), "run-command-output");
        pump.setDaemon(true);
        pump.start();
        awaitUp();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (context.getRequiredTestClass().isAnnotationPresent(Nested.class)) {
            return;
        }
        close();
        MoreFiles.deleteRecursively(workdir, RecursiveDeleteOption.ALLOW_INSECURE);
    }

    public static Path packaged(String property) {
        Path path = Paths.get(System.getProperty(property, "<unset>"));
        assertThat(path).as("%s: run 'mvn verify' (or 'mvn package') so the packaged jars exist", property).exists();
        return path;
    }

    private void awaitUp() throws IOException {
        await().atMost(Duration.ofMinutes(4))
            .until(() -> !process.isAlive() || output.stream().anyMatch(line -> line.startsWith("Stop with Ctrl-C.")));
        assertThat(process.isAlive()).as("run command output:\n%s", String.join("\n", output)).isTrue();
        ports = new Properties();
        try (InputStream in = Files.newInputStream(workdir.resolve("ports.properties"))) {
            ports.load(in);
        }
    }

    private void pump(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.add(line);
            }
        } catch (IOException e) {
            output.add("output pump stopped: " + e);
        }
    }

    public List<String> output() {
        return ImmutableList.copyOf(output);
    }

    public Path workdir() {
        return workdir;
    }

    /** The lines of the closing summary, from its title to "Stop with Ctrl-C.". */
    public List<String> summary() {
        int start = -1;
        for (int i = 0; i < output.size(); i++) {
            if (output.get(i).startsWith("=== relaypack: James 3.8.1 is up")) {
                start = i;
            }
            if (start >= 0 && output.get(i).startsWith("Stop with Ctrl-C.")) {
                return ImmutableList.copyOf(output.subList(start, i + 1));
            }
        }
        throw new IllegalStateException("No summary in:\n" + String.join("\n", output));
    }

    /** The commands the summary suggests, in order. */
    public List<String> tryCommands() {
        List<String> summary = summary();
        int start = summary.indexOf("Try:");
        assertThat(start).as("the summary suggests commands:\n%s", String.join("\n", summary)).isPositive();
        List<String> commands = new ArrayList<>();
        for (String line : summary.subList(start + 1, summary.size() - 1)) {
            commands.add(line.trim());
        }
        return commands;
    }

    public int port(String key) {
        String value = ports.getProperty(key);
        assertThat(value).as("%s in ports.properties %s", key, ports).isNotNull();
        return Integer.parseInt(value);
    }

    /**
     * Runs one command as a user types it (after the run's summary printed it) and returns what it
     * printed; fails the test when the command fails.
     */
    public String execute(String commandLine) throws Exception {
        List<String> words = ShellWords.split(commandLine);
        if (words.size() >= 2 && words.get(0).equals("./relaypack") && words.get(1).equals("cli")) {
            return cli(words.subList(2, words.size()));
        }
        if (words.get(0).equals("swaks")) {
            return SwaksLine.parse(words).send().toString();
        }
        if (words.get(0).equals("curl")) {
            return curl(words);
        }
        throw new IllegalArgumentException("Not a command the tests know how to run: " + commandLine);
    }

    /**
     * Runs the summary's commands in order, as a user would: each swaks line must be accepted
     * (250), each curl line of an IMAP mailbox must show the message swaks sent (awaited: delivery
     * is asynchronous), every other line must succeed. Returns what each printed.
     */
    public List<String> walkTheSummary() throws Exception {
        List<String> printed = new ArrayList<>();
        for (String command : tryCommands()) {
            if (command.startsWith("swaks ")) {
                String reply = execute(command);
                assertThat(reply).as(command).startsWith("250");
                printed.add(reply);
            } else if (command.startsWith("curl ") && command.contains("imap://")) {
                String[] fetched = new String[1];
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                    .until(() -> (fetched[0] = execute(command)).contains("X-Mailer: swaks (relaypack tests)"));
                printed.add(fetched[0]);
            } else {
                printed.add(execute(command));
            }
        }
        return printed;
    }

    /** The subjects in a stand-in's INBOX for one recipient, over IMAP. */
    public List<String> subjects(String standIn, String recipient) throws Exception {
        javax.mail.Store store = javax.mail.Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", port("standin." + standIn + ".imap"), recipient, "any");
        try {
            javax.mail.Folder inbox = store.getFolder("INBOX");
            inbox.open(javax.mail.Folder.READ_ONLY);
            List<String> subjects = new ArrayList<>();
            for (javax.mail.Message message : inbox.getMessages()) {
                subjects.add(message.getSubject());
            }
            inbox.close(false);
            return subjects;
        } finally {
            store.close();
        }
    }

    /** {@code ./relaypack cli ARGS}: the run command's CLI class, in this JVM. */
    public String cli(List<String> arguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> withWorkdir = arguments.contains("--workdir") ? arguments
            : ImmutableList.<String>builder().add("--workdir", workdir.toString()).addAll(arguments).build();
        int status = RelaypackCli.run(RelayJames.projectRoot(), withWorkdir,
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(status).as("./relaypack cli %s printed:\n%s", String.join(" ", arguments), printed).isZero();
        return printed;
    }

    private static String curl(List<String> words) throws Exception {
        Process curl = new ProcessBuilder(words).redirectErrorStream(true).start();
        String printed = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as("%s printed:\n%s", words, printed).isZero();
        return printed;
    }

    @Override
    public void close() throws Exception {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
