package org.relaypack.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import com.google.common.collect.ImmutableList;

/**
 * A small SMTP server for the cases real servers cannot play: it answers from a script (first
 * matching rule wins, by command prefix), records every command line, which lines arrived in
 * the same read (pipelining), every session and every message. Binds 127.0.0.1 only.
 */
final class ScriptedSmtpPeer implements AutoCloseable {
    private static final String DATA_END = ".";

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private String greeting = "220 peer.test ESMTP scripted";
        private boolean closeAfterGreeting = false;
        private List<String> extensions = ImmutableList.of("SIZE 10000000", "8BITMIME");
        private final List<Rule> rules = new ArrayList<>();
        private Optional<SSLContext> implicitTls = Optional.empty();
        private String[] tlsProtocols = new String[0];
        private int refusedSessions = 0;

        /** The greeting of every session (a 421 or 554 greeting closes the session right away). */
        Builder greeting(String greeting) {
            this.greeting = greeting;
            this.closeAfterGreeting = !greeting.startsWith("2");
            return this;
        }

        /** The first n sessions get "421 4.3.2 try later" as greeting; the next ones the normal greeting. */
        Builder refuseFirstSessions(int count) {
            this.refusedSessions = count;
            return this;
        }

        /** The EHLO keywords, e.g. "PIPELINING", "AUTH PLAIN LOGIN". */
        Builder extensions(String... extensions) {
            this.extensions = ImmutableList.copyOf(extensions);
            return this;
        }

        /** Answers a command starting with the prefix (case-insensitive); "." is the end of DATA. */
        Builder reply(String commandPrefix, String reply) {
            rules.add(new Rule(commandPrefix, reply, false));
            return this;
        }

        /** Answers then drops the connection. */
        Builder replyAndClose(String commandPrefix, String reply) {
            rules.add(new Rule(commandPrefix, reply, true));
            return this;
        }

        /** Implicit TLS with only the given protocols. */
        Builder implicitTls(SSLContext context, String... protocols) {
            this.implicitTls = Optional.of(context);
            this.tlsProtocols = protocols;
            return this;
        }

        ScriptedSmtpPeer start() {
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

        boolean matches(String line) {
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

    private ScriptedSmtpPeer(Builder script) throws IOException {
        this.script = script;
        if (script.implicitTls.isPresent()) {
            SSLServerSocket tlsServerSocket = (SSLServerSocket) script.implicitTls.get().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            tlsServerSocket.setEnabledProtocols(script.tlsProtocols);
            this.serverSocket = tlsServerSocket;
        } else {
            this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        executor.submit(this::acceptLoop);
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    /** Every session opened, including refused ones. */
    int sessions() {
        return sessions.get();
    }

    /** The largest number of sessions that were open at the same time. */
    int mostConcurrentSessions() {
        return mostActiveSessions.get();
    }

    /** Every command line received, in order, across sessions (message content excluded). */
    List<String> commands() {
        return ImmutableList.copyOf(commands);
    }

    boolean sawCommand(String prefix) {
        return commands.stream().anyMatch(line -> line.regionMatches(true, 0, prefix, 0, prefix.length()));
    }

    /** The command lines completed by each read from the socket. */
    List<List<String>> reads() {
        return ImmutableList.copyOf(reads);
    }

    /** The content of each message accepted (as received: still dot-stuffed, CRLF line ends). */
    List<String> messages() {
        return ImmutableList.copyOf(messages);
    }

    /** Drops every open connection without a word, as a restarting server does. */
    void dropConnections() throws IOException {
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
            send(out, script.greeting);
            if (script.closeAfterGreeting) {
                return;
            }
            converse(socket.getInputStream(), out);
        } catch (SocketException e) {
            // the client went away: part of several scenarios
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            activeSessions.decrementAndGet();
        }
    }

    private void converse(InputStream in, OutputStream out) throws IOException {
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
                send(out, rule.reply);
                if (rule.close) {
                    return;
                }
                if (command.equalsIgnoreCase("DATA") && rule.reply.startsWith("354")) {
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
        StringBuilder reply = new StringBuilder("250");
        reply.append(script.extensions.isEmpty() ? " " : "-").append("peer.test");
        for (int i = 0; i < script.extensions.size(); i++) {
            reply.append("\r\n250").append(i == script.extensions.size() - 1 ? " " : "-").append(script.extensions.get(i));
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
