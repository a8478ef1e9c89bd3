package org.relaypack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
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
public final class ScriptedSmtpPeer implements AutoCloseable {
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        String greeting = "220 peer.test ESMTP scripted";
        boolean closeAfterGreeting = false;
        List<String> extensions = ImmutableList.of("SIZE 10000000", "8BITMIME");
        final List<ScriptedSession.Rule> rules = new ArrayList<>();
        Optional<SSLContext> implicitTls = Optional.empty();
        String[] tlsProtocols = new String[0];
        int refusedSessions = 0;
        Optional<Duration> greetingDrip = Optional.empty();
        boolean stopReadingAfterData = false;
        boolean endlessEhlo = false;
        Optional<SSLContext> startTls = Optional.empty();
        String[] startTlsProtocols = new String[0];
        boolean brokenStartTls = false;
        Optional<Duration> endlessGreeting = Optional.empty();
        InetAddress bindAddress = InetAddress.getLoopbackAddress();
        int port = 0;

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
            rules.add(new ScriptedSession.Rule(commandPrefix, reply, false));
            return this;
        }

        /** Answers then drops the connection. */
        public Builder replyAndClose(String commandPrefix, String reply) {
            rules.add(new ScriptedSession.Rule(commandPrefix, reply, true));
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
            rules.add(new ScriptedSession.Rule(commandPrefix, null, true));
            return this;
        }

        /** Never answers a command starting with the prefix, and reads nothing more. */
        public Builder neverReply(String commandPrefix) {
            rules.add(new ScriptedSession.Rule(commandPrefix, null, false));
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

    private final Builder script;
    final ServerSocket serverSocket;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicInteger sessions = new AtomicInteger();
    final AtomicInteger activeSessions = new AtomicInteger();
    final AtomicInteger mostActiveSessions = new AtomicInteger();
    final List<String> commands = new CopyOnWriteArrayList<>();
    final List<List<String>> reads = new CopyOnWriteArrayList<>();
    final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<String> serverNames = new CopyOnWriteArrayList<>();
    final List<String> tlsProtocols = new CopyOnWriteArrayList<>();

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
                executor.submit(() -> new ScriptedSession(script, this).serve(socket, session));
            } catch (IOException e) {
                return;
            }
        }
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
