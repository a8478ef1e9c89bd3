package org.relaypack.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import com.google.common.collect.ImmutableList;

/**
 * A small SMTP server for the cases real servers cannot play: it answers from a script (first
 * matching rule wins, by command prefix), records every command line, which lines arrived in
 * the same read (pipelining), every session and every message. Binds 127.0.0.1 only.
 */
public final class ScriptedSmtpPeer implements AutoCloseable {
    private static final String DATA_END = ".";

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String greeting = "220 peer.test ESMTP scripted";
        private boolean closeAfterGreeting = false;
        private List<String> extensions = ImmutableList.of("SIZE 10000000", "8BITMIME");
        private final List<Rule> rules = new ArrayList<>();
        private Optional<SSLContext> implicitTls = Optional.empty();
        private String[] tlsProtocols = new String[0];
        private int refusedSessions = 0;
        private Optional<Duration> greetingDrip = Optional.empty();
        private boolean stopReadingAfterData = false;
        private boolean endlessEhlo = false;
        private Optional<SSLContext> startTls = Optional.empty();
        private String[] startTlsProtocols = new String[0];
        private boolean brokenStartTls = false;
        private Optional<Duration> endlessGreeting = Optional.empty();
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = 0;

        /** The greeting of every session (a 421 or 554 greeting closes the session right away). */
        public Builder greeting(String greeting) {
            this.greeting = greeting;
            this.closeAfterGreeting = !greeting.startsWith("2");
            return this;
        }

        /** The first n sessions get "421 4.3.2 try later" as greeting; the next ones the normal greeting. */
        public Builder refuseFirstSessions(int count) {
            this.refusedSessions = count;
            return this;
        }

        /** The EHLO keywords, e.g. "PIPELINING", "AUTH PLAIN LOGIN". */
        public Builder extensions(String... extensions) {
            this.extensions = ImmutableList.copyOf(extensions);
            return this;
        }

        /** Answers a command starting with the prefix (case-insensitive); "." is the end of DATA. */
        public Builder reply(String commandPrefix, String reply) {
            rules.add(new Rule(commandPrefix, reply, false));
            return this;
        }

        /** Answers then drops the connection. */
        public Builder replyAndClose(String commandPrefix, String reply) {
            rules.add(new Rule(commandPrefix, reply, true));
            return this;
        }

        /** Sends the greeting one byte at a time, pausing between bytes (a tarpit). */
        public Builder dripGreeting(Duration pause) {
            this.greetingDrip = Optional.of(pause);
            return this;
        }

        /**
         * A tarpit that never finishes its greeting: one byte every {@code pause}, without end, and
         * reads nothing; the session ends when the client gives up ({@link #openSessions()}).
         */
        public Builder endlessGreeting(Duration pause) {
            this.endlessGreeting = Optional.of(pause);
            return this;
        }

        /** Listens on this loopback address and port (default 127.0.0.1 and a free port). */
        public Builder bind(InetAddress loopbackAddress, int port) {
            this.bindAddress = loopbackAddress;
            this.port = port;
            return this;
        }

        /** After its 354, reads nothing more: the client's writes block once the socket buffers are full. */
        public Builder stopReadingAfterData() {
            this.stopReadingAfterData = true;
            return this;
        }

        /** Answers EHLO with "250-" lines without end. */
        public Builder endlessEhlo() {
            this.endlessEhlo = true;
            return this;
        }

        /** Closes the connection without a reply to a command starting with the prefix ("." for the end of DATA). */
        public Builder closeWithoutReply(String commandPrefix) {
            rules.add(new Rule(commandPrefix, null, true));
            return this;
        }

        /** Never answers a command starting with the prefix, and reads nothing more. */
        public Builder neverReply(String commandPrefix) {
            rules.add(new Rule(commandPrefix, null, false));
            return this;
        }

        /** Offers STARTTLS and speaks TLS (only the given protocols) after it. */
        public Builder startTls(SSLContext context, String... protocols) {
            this.startTls = Optional.of(context);
            this.startTlsProtocols = protocols;
            return this;
        }

        /** Offers STARTTLS, answers it with 220, then sends bytes that are no TLS handshake. */
        public Builder brokenStartTls() {
            this.brokenStartTls = true;
            return this;
        }

        /** Implicit TLS with only the given protocols. */
        public Builder implicitTls(SSLContext context, String... protocols) {
            this.implicitTls = Optional.of(context);
            this.tlsProtocols = protocols;
            return this;
        }

        public ScriptedSmtpPeer start() {
            try {
                return new ScriptedSmtpPeer(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class Rule {
        private final String prefix;
        private final String reply;
        private final boolean close;

        private Rule(String prefix, String reply, boolean close) {
            this.prefix = prefix;
            this.reply = reply;
            this.close = close;
        }

        public boolean matches(String line) {
            return line.regionMatches(true, 0, prefix, 0, prefix.length());
        }
    }

    private final Builder script;
    private final ServerSocket serverSocket;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final AtomicInteger mostActiveSessions = new AtomicInteger();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<List<String>> reads = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final List<String> tlsProtocols = new CopyOnWriteArrayList<>();

    private ScriptedSmtpPeer(Builder script) throws IOException {
        this.script = script;
        if (script.implicitTls.isPresent()) {
            SSLServerSocket tlsServerSocket = (SSLServerSocket) script.implicitTls.get().getServerSocketFactory()
                .createServerSocket(script.port, 50, script.bindAddress);
            tlsServerSocket.setEnabledProtocols(script.tlsProtocols);
            this.serverSocket = tlsServerSocket;
        } else {
            this.serverSocket = new ServerSocket();
            if (script.stopReadingAfterData) {
                // small socket buffers, so that the client's writes block soon after the 354
                serverSocket.setReceiveBufferSize(8192);
            }
            serverSocket.bind(new InetSocketAddress(script.bindAddress, script.port), 50);
        }
        executor.submit(this::acceptLoop);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Every session opened, including refused ones. */
    public int sessions() {
        return sessions.get();
    }

    /** Sessions open now: the client has not closed them yet. */
    public int openSessions() {
        return activeSessions.get();
    }

    public boolean isListening() {
        return !serverSocket.isClosed();
    }

    /** The largest number of sessions that were open at the same time. */
    public int mostConcurrentSessions() {
        return mostActiveSessions.get();
    }

    /** Every command line received, in order, across sessions (message content excluded). */
    public List<String> commands() {
        return ImmutableList.copyOf(commands);
    }

    public boolean sawCommand(String prefix) {
        return commands.stream().anyMatch(line -> line.regionMatches(true, 0, prefix, 0, prefix.length()));
    }

    /** The command lines completed by each read from the socket. */
    public List<List<String>> reads() {
        return ImmutableList.copyOf(reads);
    }

    /** The content of each message accepted (as received: still dot-stuffed, CRLF line ends). */
    public List<String> messages() {
        return ImmutableList.copyOf(messages);
    }

    /** The SNI host names clients sent in their TLS handshakes. */
    public List<String> serverNames() {
        return ImmutableList.copyOf(serverNames);
    }

    /** The protocol of each TLS session negotiated after STARTTLS. */
    public List<String> tlsProtocols() {
        return ImmutableList.copyOf(tlsProtocols);
    }

    /** Drops every open connection without a word, as a restarting server does. */
    public void dropConnections() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                sockets.add(socket);
                int session = sessions.incrementAndGet();
                executor.submit(() -> serve(socket, session));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int session) {
        mostActiveSessions.accumulateAndGet(activeSessions.incrementAndGet(), Math::max);
        try (socket) {
            OutputStream out = socket.getOutputStream();
            if (session <= script.refusedSessions) {
                send(out, "421 4.3.2 try later");
                return;
            }
            if (script.endlessGreeting.isPresent()) {
                dripForever(socket, script.greeting, script.endlessGreeting.get());
                return;
            }
            if (script.greetingDrip.isPresent()) {
                drip(out, script.greeting + "\r\n", script.greetingDrip.get());
            } else {
                send(out, script.greeting);
            }
            if (script.closeAfterGreeting) {
                return;
            }
            converse(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SocketException e) {
            // the client went away: part of several scenarios
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            activeSessions.decrementAndGet();
        }
    }

    private static void drip(OutputStream out, String text, Duration pause) throws IOException, InterruptedException {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.write(b);
            out.flush();
            Thread.sleep(pause.toMillis());
        }
    }

    /** Drips the text but its last two bytes (the CRLF) over and over, until the client closes. */
    private void dripForever(Socket socket, String text, Duration pause) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.setSoTimeout((int) Math.max(1, pause.toMillis()));
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        for (int sent = 0; !serverSocket.isClosed(); sent++) {
            out.write(bytes[sent % bytes.length]);
            out.flush();
            try {
                if (in.read() < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // nothing from the client, as expected: drip on
            }
        }
    }

    /** Holds the session open, reading nothing, until the client or the test closes it. */
    private static void stall(Socket socket) throws InterruptedException {
        while (!socket.isClosed()) {
            Thread.sleep(50);
        }
    }

    private void converse(Socket socket) throws IOException, InterruptedException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteArrayOutputStream data = null;
        byte[] buffer = new byte[65536];
        while (true) {
            int count = in.read(buffer);
            if (count == -1) {
                return;
            }
            List<String> linesOfThisRead = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                line.write(buffer[i]);
                if (buffer[i] != '\n') {
                    continue;
                }
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                String command = text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text;
                if (data != null) {
                    if (!command.equals(DATA_END)) {
                        data.write(text.getBytes(StandardCharsets.UTF_8));
                        continue;
                    }
                    messages.add(data.toString(StandardCharsets.UTF_8));
                    data = null;
                }
                commands.add(command);
                linesOfThisRead.add(command);
                Rule rule = rule(command);
                if (rule.reply == null) {
                    if (!rule.close) {
                        stall(socket);
                    }
                    return;
                }
                if (command.regionMatches(true, 0, "EHLO", 0, 4) && script.endlessEhlo) {
                    while (true) {
                        send(out, "250-peer.test says hello again and again and again");
                    }
                }
                send(out, rule.reply);
                if (rule.close) {
                    return;
                }
                if (command.equalsIgnoreCase("STARTTLS") && rule.reply.startsWith("220")) {
                    if (script.brokenStartTls) {
                        send(out, "this is no TLS handshake");
                        stall(socket);
                        return;
                    }
                    SSLSocket tls = (SSLSocket) script.startTls.get().getSocketFactory()
                        .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                    tls.setUseClientMode(false);
                    tls.setEnabledProtocols(script.startTlsProtocols);
                    tls.startHandshake();
                    tlsProtocols.add(tls.getSession().getProtocol());
                    ((ExtendedSSLSession) tls.getSession()).getRequestedServerNames()
                        .forEach(name -> serverNames.add(((SNIHostName) name).getAsciiName()));
                    socket = tls;
                    in = tls.getInputStream();
                    out = tls.getOutputStream();
                    break;
                }
                if (command.equalsIgnoreCase("DATA") && rule.reply.startsWith("354")) {
                    if (script.stopReadingAfterData) {
                        stall(socket);
                        return;
                    }
                    data = new ByteArrayOutputStream();
                }
                if (command.equalsIgnoreCase("QUIT")) {
                    return;
                }
            }
            if (!linesOfThisRead.isEmpty()) {
                reads.add(ImmutableList.copyOf(linesOfThisRead));
            }
        }
    }

    private Rule rule(String command) {
        return script.rules.stream()
            .filter(rule -> rule.matches(command))
            .findFirst()
            .orElseGet(() -> defaultRule(command));
    }

    private Rule defaultRule(String command) {
        String verb = command.split(" ", 2)[0].toUpperCase();
        switch (verb) {
            case "EHLO":
                return new Rule(verb, ehloReply(), false);
            case "DATA":
                return new Rule(verb, "354 go ahead", false);
            case "STARTTLS":
                return script.startTls.isPresent() || script.brokenStartTls
                    ? new Rule(verb, "220 2.0.0 ready to start TLS", false)
                    : new Rule(verb, "502 5.5.1 not implemented", false);
            case DATA_END:
                return new Rule(verb, "250 2.0.0 queued as " + messages.size(), false);
            case "QUIT":
                return new Rule(verb, "221 2.0.0 bye", false);
            case "HELO":
            case "MAIL":
            case "RCPT":
            case "RSET":
            case "NOOP":
                return new Rule(verb, "250 2.0.0 ok", false);
            default:
                return new Rule(verb, "502 5.5.1 not implemented", false);
        }
    }

    private String ehloReply() {
        List<String> extensions = new ArrayList<>(script.extensions);
        if (script.startTls.isPresent() || script.brokenStartTls) {
            extensions.add("STARTTLS");
        }
        StringBuilder reply = new StringBuilder("250");
        reply.append(extensions.isEmpty() ? " " : "-").append("peer.test");
        for (int i = 0; i < extensions.size(); i++) {
            reply.append("\r\n250").append(i == extensions.size() - 1 ? " " : "-").append(extensions.get(i));
        }
        return reply.toString();
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        executor.shutdownNow();
    }
}
