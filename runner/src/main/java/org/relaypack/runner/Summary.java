package org.relaypack.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.common.collect.ImmutableList;

/**
 * The closing summary of a run: each listener by its role (SMTP, submission, IMAP, WebAdmin, JMX...),
 * each stand-in, and the commands the sample suggests ({@code try.N} of standins.properties) with
 * this run's ports.
 */
public final class Summary {
    private static final Pattern SERVER_BLOCK = Pattern.compile("<(smtpserver|imapserver|pop3server|lmtpserver|managesieveserver)\\b([^>]*)>(.*?)</\\1>", Pattern.DOTALL);
    private static final Pattern BIND_PORT = Pattern.compile("<bind>\\s*[^<:]*:(\\d+)\\s*</bind>");
    private static final Pattern PROPERTY = Pattern.compile("(?m)^\\s*([\\w.]+)\\s*=\\s*(\\S+)\\s*$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(listener\\.(\\d+)|standin\\.([\\w-]+)\\.(smtp|imap)|cli)\\}");

    /** One listener of the running James. */
    public static final class Listener {
        private final String role;
        private final String detail;
        private final int port;

        Listener(String role, String detail, int port) {
            this.role = role;
            this.detail = detail;
            this.port = port;
        }

        public String role() {
            return role;
        }

        public int port() {
            return port;
        }

        @Override
        public String toString() {
            return String.format("%-22s: 127.0.0.1:%d  (%s)", role, port, detail);
        }
    }

    /** The listeners of a written conf/ folder; {@code shippedPorts} maps bound ports back to the sample's. */
    public static List<Listener> listeners(Path conf, Map<Integer, Integer> shippedToBound) {
        ImmutableList.Builder<Listener> listeners = ImmutableList.builder();
        for (String file : ImmutableList.of("smtpserver.xml", "imapserver.xml", "pop3server.xml", "lmtpserver.xml", "managesieveserver.xml")) {
            Matcher block = SERVER_BLOCK.matcher(read(conf.resolve(file)));
            while (block.find()) {
                if (block.group(2).contains("enabled=\"false\"")) {
                    continue;
                }
                Matcher bind = BIND_PORT.matcher(block.group(3));
                while (bind.find()) {
                    int port = Integer.parseInt(bind.group(1));
                    listeners.add(role(block.group(1), block.group(3), shipped(shippedToBound, port), port));
                }
            }
        }
        properties(conf.resolve("webadmin.properties"), "enabled", "port")
            .ifPresent(port -> listeners.add(new Listener("WebAdmin", "http://127.0.0.1:" + port + ", port " + shipped(shippedToBound, port) + " in the sample", port)));
        properties(conf.resolve("jmx.properties"), "jmx.enabled", "jmx.port")
            .ifPresent(port -> listeners.add(new Listener("JMX", "for ./relaypack cli, port " + shipped(shippedToBound, port) + " in the sample", port)));
        return listeners.build();
    }

    private static Listener role(String server, String block, int shipped, int port) {
        String tls = block.contains("socketTLS=\"true\"") ? "implicit TLS"
            : block.contains("startTLS=\"true\"") ? "STARTTLS" : "plaintext";
        String detail = "port " + shipped + " in the sample, " + tls;
        switch (server) {
            case "smtpserver":
                return new Listener(shipped == 465 || shipped == 587 ? "submission " + shipped : "SMTP " + shipped, detail, port);
            case "imapserver":
                return new Listener("IMAP " + shipped, detail, port);
            case "pop3server":
                return new Listener("POP3 " + shipped, detail, port);
            case "lmtpserver":
                return new Listener("LMTP " + shipped, detail, port);
            default:
                return new Listener("ManageSieve " + shipped, detail, port);
        }
    }

    private static int shipped(Map<Integer, Integer> shippedToBound, int port) {
        return shippedToBound.entrySet().stream().filter(entry -> entry.getValue() == port)
            .map(Map.Entry::getKey).findFirst().orElse(port);
    }

    private static Optional<Integer> properties(Path file, String enabledKey, String portKey) {
        String content = read(file);
        Matcher matcher = PROPERTY.matcher(content);
        boolean enabled = !content.isEmpty();
        Optional<Integer> port = Optional.empty();
        while (matcher.find()) {
            if (matcher.group(1).equals(enabledKey)) {
                enabled = matcher.group(2).equals("true");
            }
            if (matcher.group(1).equals(portKey)) {
                port = Optional.of(Integer.parseInt(matcher.group(2)));
            }
        }
        return enabled ? port : Optional.empty();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** A suggested command with this run's ports; {cli} is the run's admin CLI command. */
    public static String command(String template, Map<Integer, Integer> shippedToBound, List<StandIn> standIns, String cli) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String value;
            if (matcher.group(1).equals("cli")) {
                value = cli;
            } else if (matcher.group(2) != null) {
                int shipped = Integer.parseInt(matcher.group(2));
                value = String.valueOf(Optional.ofNullable(shippedToBound.get(shipped))
                    .orElseThrow(() -> new IllegalArgumentException("try command '" + template + "': the sample has no listener on " + shipped)));
            } else {
                StandIn standIn = standIns.stream().filter(candidate -> candidate.name().equals(matcher.group(3))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("try command '" + template + "': no stand-in " + matcher.group(3)));
                value = String.valueOf(matcher.group(4).equals("smtp") ? standIn.smtpPort() : standIn.imapPort());
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    public static String render(String sampleName, Path workdir, Path packJar, List<Listener> listeners, List<StandIn> standIns, List<String> commands) {
        StringBuilder summary = new StringBuilder()
            .append("\n=== relaypack: James 3.8.1 is up with conf-sample '").append(sampleName).append("' ===\n")
            .append(String.format("%-22s: %s%n", "working directory", workdir))
            .append(String.format("%-22s: %s%n", "pack loaded from", packJar));
        listeners.forEach(listener -> summary.append(listener).append('\n'));
        for (StandIn standIn : standIns) {
            StandInSpec spec = standIn.spec();
            summary.append(String.format("%-22s: SMTP 127.0.0.1:%d (%s%s), read it back over IMAP 127.0.0.1:%d as the recipient, any password%n",
                "stand-in " + standIn.name(), standIn.smtpPort(), spec.tls().describe(),
                spec.authUsername().map(user -> ", AUTH as " + user).orElse(""), standIn.imapPort()));
        }
        if (!commands.isEmpty()) {
            summary.append("Try:\n");
            commands.forEach(command -> summary.append("  ").append(command).append('\n'));
        }
        return summary.append("Stop with Ctrl-C.\n").toString();
    }

    private Summary() {
    }
}
