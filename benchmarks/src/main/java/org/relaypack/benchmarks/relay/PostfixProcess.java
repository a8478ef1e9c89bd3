package org.relaypack.benchmarks.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Postfix instance of its own as the benchmark's reference relay: its own {@code config_directory},
 * {@code queue_directory} and {@code data_directory} under a temporary directory, one {@code smtpd}
 * on a free loopback port, {@code relayhost = [127.0.0.1]:SINKPORT}, no TLS, no local delivery,
 * Postfix's defaults otherwise (its queue on disk, fsync included). Started and stopped with
 * {@code postfix -c DIR start|stop}, never as the system's service. Needs root (Postfix's master runs
 * as root and its daemons as {@code mail_owner}).
 *
 * <p>CPU: Postfix runs many short-lived processes, so the figure is the master's process tree: the
 * utime + stime + cutime + cstime of the master (cutime/cstime hold the CPU of every child it has
 * reaped) plus the same four of each of its living descendants, read from {@code /proc}. The
 * difference of two readings is the CPU all of Postfix's processes used in between (a child that
 * exits between the reads of one sampling is missed or counted twice: one process in thousands).
 */
final class PostfixProcess implements Relay {
    static final String MAIL_OWNER = "postfix";
    private static final List<String> SBIN = Arrays.asList("/usr/sbin", "/usr/local/sbin", "/sbin");
    private static final long CLOCK_TICKS = JamesProcess.clockTicks();

    private final Path command;
    private final Path dir;
    private final int smtpPort;
    private final long masterPid;

    private PostfixProcess(Path command, Path dir, int smtpPort, long masterPid) {
        this.command = command;
        this.dir = dir;
        this.smtpPort = smtpPort;
        this.masterPid = masterPid;
    }

    /** Why Postfix cannot run here (not installed, not root, no mail_owner), or empty when it can. */
    static Optional<String> unavailable() {
        if (command().isEmpty()) {
            return Optional.of("no `postfix` command on this machine (Debian: `DEBIAN_FRONTEND=noninteractive apt-get install -y postfix`)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("Postfix's master must run as root, and the benchmark runs as " + System.getProperty("user.name"));
        }
        try {
            mailOwner();
        } catch (IOException e) {
            return Optional.of("no user '" + MAIL_OWNER + "' (Postfix's mail_owner) on this machine");
        }
        return Optional.empty();
    }

    static Optional<Path> command() {
        List<String> dirs = new ArrayList<>(SBIN);
        dirs.addAll(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Paths.get(d, "postfix")).filter(Files::isExecutable).findFirst();
    }

    /** Writes the instance's configuration under {@code dir} (created world-readable: Postfix's daemons run as mail_owner), starts it. */
    static PostfixProcess start(Path dir, int sinkPort) throws IOException, InterruptedException {
        Path command = command().orElseThrow(() -> new IOException("Postfix: " + unavailable().orElse("no postfix command")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("queue"));
        Files.setOwner(data, mailOwner());
        int port = freePort();
        Files.writeString(conf.resolve("main.cf"), PostfixConfig.mainCf(dir, sinkPort), StandardCharsets.US_ASCII);
        Files.writeString(conf.resolve("master.cf"), PostfixConfig.masterCf(port), StandardCharsets.US_ASCII);
        run(command, conf, "start");
        Path pidFile = dir.resolve("queue").resolve("pid").resolve("master.pid");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!accepts(port) || !Files.exists(pidFile)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("Postfix in " + dir + " did not listen on 127.0.0.1:" + port + " within 60 s; see " + dir.resolve("maillog"));
            }
            Thread.sleep(100);
        }
        long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
        return new PostfixProcess(command, dir, port, pid);
    }

    @Override
    public String name() {
        return Configuration.POSTFIX.name;
    }

    @Override
    public int smtpPort() {
        return smtpPort;
    }

    /** CPU of the master's process tree (see the class comment), in seconds. */
    @Override
    public double cpuSeconds() throws IOException {
        Map<Long, List<Long>> children = new HashMap<>();
        try (Stream<Path> processes = Files.list(Paths.get("/proc"))) {
            processes.filter(p -> p.getFileName().toString().matches("\\d+")).forEach(p -> {
                long[] stat = stat(p);
                if (stat != null) {
                    children.computeIfAbsent(stat[0], k -> new ArrayList<>()).add(Long.parseLong(p.getFileName().toString()));
                }
            });
        }
        long ticks = 0;
        List<Long> pending = new ArrayList<>(children.getOrDefault(masterPid, new ArrayList<>()));
        while (!pending.isEmpty()) {
            long pid = pending.remove(pending.size() - 1);
            long[] stat = stat(Paths.get("/proc", String.valueOf(pid)));
            ticks += stat == null ? 0 : stat[1];
            pending.addAll(children.getOrDefault(pid, new ArrayList<>()));
        }
        long[] master = stat(Paths.get("/proc", String.valueOf(masterPid)));
        if (master == null) {
            throw new IOException("Postfix's master (pid " + masterPid + ") is gone; see " + dir.resolve("maillog"));
        }
        return (ticks + master[1]) / (double) CLOCK_TICKS;
    }

    @Override
    public OptionalDouble peakRssMib() {
        return OptionalDouble.empty();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            run(command, dir.resolve("conf"), "stop");
        } catch (IOException e) {
            System.err.println("Postfix stop: " + e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.exists(Paths.get("/proc", String.valueOf(masterPid))) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (Files.exists(Paths.get("/proc", String.valueOf(masterPid)))) {
            try {
                run(command, dir.resolve("conf"), "abort");
            } catch (IOException e) {
                System.err.println("Postfix abort: " + e.getMessage());
            }
        }
    }

    Path directory() {
        return dir;
    }

    /** {ppid, utime + stime + cutime + cstime} of a process, or null when it is gone. */
    private static long[] stat(Path process) {
        try {
            String stat = Files.readString(process.resolve("stat"), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(fields[1]),
                Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13]) + Long.parseLong(fields[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void run(Path command, Path conf, String action) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command.toString(), "-c", conf.toString(), action).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("postfix -c " + conf + " " + action + " failed: " + output + "; see " + conf.getParent().resolve("maillog"));
        }
    }

    private static UserPrincipal mailOwner() throws IOException {
        try {
            return Paths.get("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(MAIL_OWNER);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("no user " + MAIL_OWNER, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
