package org.relaypack.benchmarks.relay;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One James 3.8.1 memory server in its own JVM, on James's memory queue or its embedded ActiveMQ
 * (the runner's {@code --queue}), started by the relaypack runner (the pack loaded by James from
 * {@code <workdir>/extensions-jars/}) from a benchmark configuration folder, on free ports.
 * Reads the process's CPU time and peak RSS from {@code /proc}, and the spool queue's size from WebAdmin.
 */
final class JamesProcess implements Relay {
    /** The sink as the shipped configurations name it: RemoteDelivery's gateway, relaypack's next hop. */
    static final int SHIPPED_SINK_PORT = 10025;
    private static final String UP_LINE = "James 3.8.1 is up";
    private static final Pattern QUEUE_SIZE = Pattern.compile("\"size\"\\s*:\\s*(\\d+)");
    private static final long CLOCK_TICKS = clockTicks();

    private final String name;
    private final Process process;
    private final Path log;
    private final int smtpPort;
    private final int webadminPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private JamesProcess(String name, Process process, Path log, int smtpPort, int webadminPort) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.smtpPort = smtpPort;
        this.webadminPort = webadminPort;
    }

    /**
     * Copies {@code confSource} to {@code workdir/sample} with the sinks' ports in place of the shipped
     * ones ({@code 127.0.0.1:10025} or {@code [127.0.0.1]:10025} ...), then starts the runner on it and
     * waits until James says it is up.
     */
    static JamesProcess start(String name, Path confSource, Path workdir, Map<Integer, Integer> sinkPorts, Launch launch) throws IOException, InterruptedException {
        return start(name, confSource, workdir, sinkPorts, launch, "memory");
    }

    /** As above, on the runner's {@code --queue} {@code queue}: {@code memory} or {@code activemq}. */
    static JamesProcess start(String name, Path confSource, Path workdir, Map<Integer, Integer> sinkPorts, Launch launch, String queue)
        throws IOException, InterruptedException {
        Path sample = workdir.resolve("sample");
        Files.createDirectories(sample);
        try (Stream<Path> files = Files.list(confSource)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    String content = Files.readString(file, StandardCharsets.UTF_8);
                    for (Map.Entry<Integer, Integer> port : sinkPorts.entrySet()) {
                        content = content.replace("[127.0.0.1]:" + port.getKey(), "[127.0.0.1]:" + port.getValue())
                            .replace("127.0.0.1:" + port.getKey(), "127.0.0.1:" + port.getValue());
                    }
                    Files.writeString(sample.resolve(file.getFileName().toString()), content, StandardCharsets.UTF_8);
                }
            }
        }
        Path log = workdir.resolve("james.log");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launch.jvmOptions);
        if (launch.gcLog) {
            command.add("-Xlog:gc:file=" + gcLog(workdir));
        }
        command.add("-Drelaypack.root=" + launch.root);
        command.add("-cp");
        command.add(launch.classpath);
        command.add("org.relaypack.runner.RelaypackRun");
        // An absolute sample path: the runner resolves it as is.
        command.add(sample.toAbsolutePath().toString());
        command.add("--workdir");
        command.add(workdir.toAbsolutePath().toString());
        command.add("--pack");
        command.add(launch.pack.toString());
        command.add("--free-ports");
        // Explicit: the run command's default is ActiveMQ, and the memory-queue figures stay on the memory queue.
        command.add("--queue");
        command.add(queue);
        Process process = new ProcessBuilder(command)
            .directory(workdir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.readString(log, StandardCharsets.ISO_8859_1).contains(UP_LINE)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String status = process.isAlive() ? "no start-up line within 5 minutes" : "exit status " + process.waitFor();
                process.destroyForcibly();
                throw new IOException("James '" + name + "' did not start (" + status + "); see " + log + ":\n" + tail(log));
            }
            Thread.sleep(200);
        }
        Properties ports = new Properties();
        try (InputStream in = Files.newInputStream(workdir.resolve("ports.properties"))) {
            ports.load(in);
        }
        return new JamesProcess(name, process, log, Integer.parseInt(ports.getProperty("listener.25")),
            Integer.parseInt(ports.getProperty("listener.8000")));
    }

    static Path gcLog(Path workdir) {
        return workdir.toAbsolutePath().resolve("gc.log");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int smtpPort() {
        return smtpPort;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** utime + stime of the James JVM, in seconds. */
    @Override
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Paths.get("/proc", String.valueOf(pid()), "stat"), StandardCharsets.US_ASCII);
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / (double) CLOCK_TICKS;
    }

    /** Peak resident set size (VmHWM), in MiB. */
    @Override
    public java.util.OptionalDouble peakRssMib() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc", String.valueOf(pid()), "status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("VmHWM:")) {
                return java.util.OptionalDouble.of(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0);
            }
        }
        throw new IOException("no VmHWM in /proc/" + pid() + "/status");
    }

    /** Mails waiting in James's spool queue (not counting those a spool thread holds). */
    long spoolSize() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webadminPort + "/mailQueues/spool"))
            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        Matcher matcher = QUEUE_SIZE.matcher(response.body());
        if (response.statusCode() != 200 || !matcher.find()) {
            throw new IOException("WebAdmin /mailQueues/spool answered " + response.statusCode() + ": " + response.body());
        }
        return Long.parseLong(matcher.group(1));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /** How to start the runner: project root, runner class path, pack jar, JVM options. */
    static final class Launch {
        final Path root;
        final String classpath;
        final Path pack;
        final List<String> jvmOptions;
        /** Whether the JVM writes its GC log ({@code -Xlog:gc}) to {@code <workdir>/gc.log}. */
        final boolean gcLog;

        Launch(Path root, String classpath, Path pack, List<String> jvmOptions) {
            this(root, classpath, pack, jvmOptions, false);
        }

        Launch(Path root, String classpath, Path pack, List<String> jvmOptions, boolean gcLog) {
            this.root = root;
            this.classpath = classpath;
            this.pack = pack;
            this.jvmOptions = jvmOptions;
            this.gcLog = gcLog;
        }
    }
}
