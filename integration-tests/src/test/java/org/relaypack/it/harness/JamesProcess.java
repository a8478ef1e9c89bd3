package org.relaypack.it.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.relaypack.runner.QueueChoice;
import org.relaypack.testing.SmtpTestClient;

/**
 * James 3.8.1 started by the run command ({@code RelaypackRun}) in a JVM of its own, the pack
 * loaded from {@code extensions-jars/}, on a working directory that outlives the process: it can be
 * killed ({@code kill -9}: {@link Process#destroyForcibly()}), stopped ({@code SIGTERM}) and started
 * again on the same directory. The conf-sample is a copy the test may edit (point a next hop at a
 * peer of the test, change the retry schedule); the sample's stand-ins are not started.
 * Needs the packaged jars ({@code mvn verify}).
 */
public final class JamesProcess implements AutoCloseable {
    private static final Pattern WEBADMIN_SIZE = Pattern.compile("\"size\"\\s*:\\s*(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path root;
    private final String sample;
    private final Path workdir;
    private final QueueChoice queue;
    private final List<Path> logs = new ArrayList<>();
    private Process process;
    private Properties ports = new Properties();

    private JamesProcess(Path root, String sample, Path workdir, QueueChoice queue) {
        this.root = root;
        this.sample = sample;
        this.workdir = workdir;
        this.queue = queue;
    }

    /**
     * A copy of the conf-sample under {@code base} (the stand-ins file left out), to edit with
     * {@link #edit} before the first {@link #start()}.
     */
    public static JamesProcess of(String sample, Path base, QueueChoice queue) throws IOException {
        Path root = base.resolve("root");
        Path copy = root.resolve("conf-samples").resolve(sample);
        Files.createDirectories(copy);
        try (java.util.stream.Stream<Path> files = Files.list(RelayJames.projectRoot().resolve("conf-samples").resolve(sample))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!file.getFileName().toString().equals("standins.properties")) {
                    Files.copy(file, copy.resolve(file.getFileName()));
                }
            }
        }
        return new JamesProcess(root, sample, base.resolve("workdir"), queue);
    }

    /** Replaces text in a file of the sample's copy; fails when the text is not there. */
    public JamesProcess edit(String file, String from, String to) throws IOException {
        Path path = root.resolve("conf-samples").resolve(sample).resolve(file);
        String text = Files.readString(path);
        if (!text.contains(from)) {
            throw new IllegalArgumentException(file + " of the sample has no '" + from + "'");
        }
        Files.writeString(path, text.replace(from, to));
        return this;
    }

    /** Appends to a file of the sample's copy. */
    public JamesProcess append(String file, String text) throws IOException {
        Files.writeString(root.resolve("conf-samples").resolve(sample).resolve(file), text, StandardOpenOption.APPEND);
        return this;
    }

    public Path workdir() {
        return workdir;
    }

    /** Starts the run command on the working directory and waits until SMTP and WebAdmin answer. */
    public JamesProcess start() throws Exception {
        Files.createDirectories(workdir);
        Files.deleteIfExists(workdir.resolve("ports.properties"));
        Path runnerJar = packaged("relaypack.runner.jar");
        String classpath = runnerJar + java.io.File.pathSeparator + Files.readString(packaged("relaypack.runner.classpath")).trim();
        Path log = workdir.getParent().resolve("james-" + (logs.size() + 1) + ".log");
        logs.add(log);
        process = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx768m", "-Drelaypack.root=" + root, "-cp", classpath,
            "org.relaypack.runner.RelaypackRun", sample, "--workdir", workdir.toString(),
            "--pack", packaged("relaypack.jar").toString(), "--free-ports", "--queue", queue.optionValue())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
            .until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("James exited with " + process.exitValue() + "; see " + log);
                }
                return isUp();
            });
        return this;
    }

    private boolean isUp() {
        Path file = workdir.resolve("ports.properties");
        if (!Files.exists(file)) {
            return false;
        }
        try {
            Properties read = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                read.load(in);
            }
            ports = read;
            try (SmtpTestClient client = SmtpTestClient.plain(port("listener.25"))) {
                if (client.greeting().code() != 220) {
                    return false;
                }
            }
            return webAdmin("/healthcheck").statusCode() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** kill -9: no shutdown hook runs, nothing is flushed or acknowledged. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Ctrl-C or a service manager stops James: its shutdown hook stops the server. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The bound port of a key of {@code ports.properties}, e.g. {@code listener.25}. */
    public int port(String key) {
        String value = ports.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("No " + key + " in " + ports);
        }
        return Integer.parseInt(value);
    }

    /** The size of a James mail queue as WebAdmin tells it. */
    public long queueSize(String queueName) throws IOException, InterruptedException {
        HttpResponse<String> response = webAdmin("/mailQueues/" + queueName);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /mailQueues/" + queueName + ": " + response.statusCode() + " " + response.body());
        }
        Matcher size = WEBADMIN_SIZE.matcher(response.body());
        if (!size.find()) {
            throw new IllegalStateException("No size in " + response.body());
        }
        return Long.parseLong(size.group(1));
    }

    private HttpResponse<String> webAdmin(String path) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port("listener.8000") + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** How many lines of the output of every start contain {@code text}. */
    public long logLinesWith(String text) {
        long count = 0;
        for (Path log : logs) {
            try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
                count += reader.lines().filter(line -> line.contains(text)).count();
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new IllegalStateException("cannot read " + log, e);
            }
        }
        return count;
    }

    /** The output of every start, for a failure message. */
    public String logTail(int lines) {
        StringBuilder tail = new StringBuilder();
        for (Path log : logs) {
            try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
                List<String> all = new ArrayList<>();
                reader.lines().forEach(all::add);
                tail.append("--- ").append(log).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size()).forEach(line -> tail.append(line).append('\n'));
            } catch (IOException | java.io.UncheckedIOException e) {
                tail.append("--- ").append(log).append(": ").append(e).append('\n');
            }
        }
        return tail.toString();
    }

    private static Path packaged(String property) {
        Path path = Paths.get(System.getProperty(property, "<unset>"));
        if (!Files.exists(path)) {
            throw new IllegalStateException(property + ": run 'mvn verify' (or 'mvn package') so the packaged jars exist: " + path);
        }
        return path;
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            kill();
        }
    }
}
