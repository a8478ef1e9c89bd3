package org.relaypack.benchmarks.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load of the benchmark, as Postfix's {@code smtp-source -s C -l S -m N} makes it: N messages of
 * S bytes over C concurrent sessions, each command waiting for its reply (no pipelining). With
 * {@link InboundMode#NEW_PER_MESSAGE} each message has its own connection (EHLO, MAIL, RCPT, DATA,
 * QUIT); with {@link InboundMode#REUSED} ({@code smtp-source -d}) each session opens one connection,
 * says EHLO once, sends its messages one after another over it (MAIL, RCPT, DATA) and QUITs at the
 * end; after a failed message it reconnects for the next. Each message carries the Message-ID
 * {@code <PHASE.SEQUENCE@relaypack.bench>} the {@link SmtpSink} counts.
 */
final class LoadGenerator {
    static final String SENDER = "bench@lan.example";
    static final String RECIPIENT = "user@remote.example";
    private static final int MAX_ERRORS_KEPT = 10;
    static final int DEFAULT_READ_TIMEOUT_MILLIS = 120_000;

    private final int port;
    private final int concurrency;
    private final int size;
    private final List<String> recipients;
    private final InboundMode inbound;
    private final int readTimeoutMillis;

    LoadGenerator(int port, int concurrency, int size, InboundMode inbound) {
        this(port, concurrency, size, Collections.singletonList(RECIPIENT), inbound);
    }

    LoadGenerator(int port, int concurrency, int size, List<String> recipients, InboundMode inbound) {
        this(port, concurrency, size, recipients, inbound, DEFAULT_READ_TIMEOUT_MILLIS);
    }

    /** {@code readTimeoutMillis}: how long to wait for any reply (large messages on a loaded machine need more than the default 2 minutes). */
    LoadGenerator(int port, int concurrency, int size, List<String> recipients, InboundMode inbound, int readTimeoutMillis) {
        this.port = port;
        this.concurrency = concurrency;
        this.size = size;
        this.recipients = recipients;
        this.inbound = inbound;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /** Sends {@code messages} messages tagged {@code phase}; returns when every session is done. */
    Result send(String phase, int messages) throws InterruptedException {
        Pass pass = new Pass(phase, messages, body(size));
        List<Thread> sessions = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < Math.min(concurrency, messages); i++) {
            Thread session = new Thread(() -> {
                if (inbound == InboundMode.REUSED) {
                    reusingSession(pass);
                } else {
                    newConnectionSession(pass);
                }
            }, "load-" + i);
            session.start();
            sessions.add(session);
        }
        for (Thread session : sessions) {
            session.join();
        }
        return new Result(pass.accepted.get(), pass.failed.get(), System.nanoTime() - start, new ArrayList<>(pass.errors));
    }

    /** Sends the one message {@code sequence} of {@code phase} on a connection of its own, on the calling thread. */
    Result sendSequence(String phase, int sequence) {
        byte[] body = body(size);
        long start = System.nanoTime();
        try {
            sendOne(phase, sequence, body);
            return new Result(1, 0, System.nanoTime() - start, Collections.emptyList());
        } catch (IOException | RuntimeException e) {
            return new Result(0, 1, System.nanoTime() - start, Collections.singletonList(phase + "." + sequence + ": " + e.getMessage()));
        }
    }

    private void newConnectionSession(Pass pass) {
        for (int sequence = pass.next(); sequence >= 0; sequence = pass.next()) {
            try {
                sendOne(pass.phase, sequence, pass.body);
                pass.accepted.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                pass.failed(sequence, e);
            }
        }
    }

    /**
     * One connection for all the messages this session takes, opened before the first one (as
     * smtp-source -d does: C sessions, C connections); a failed message closes it, and the next
     * message opens a new one.
     */
    private void reusingSession(Pass pass) {
        Connection connection = null;
        try {
            connection = open();
        } catch (IOException | RuntimeException e) {
            // No message lost yet: the first message tries again, and counts as failed if that fails too.
            pass.error("connect: " + e.getMessage());
        }
        for (int sequence = pass.next(); sequence >= 0; sequence = pass.next()) {
            try {
                if (connection == null) {
                    connection = open();
                }
                connection.transaction(pass.phase, sequence, pass.body);
                pass.accepted.incrementAndGet();
            } catch (IOException | RuntimeException e) {
                pass.failed(sequence, e);
                if (connection != null) {
                    connection.closeQuietly();
                    connection = null;
                }
            }
        }
        if (connection != null) {
            try (Connection last = connection) {
                last.quit();
            } catch (IOException e) {
                // Every message of the connection already got its 250: none failed.
                pass.error("QUIT: " + e.getMessage());
            }
        }
    }

    private void sendOne(String phase, int sequence, byte[] body) throws IOException {
        try (Connection connection = open()) {
            connection.transaction(phase, sequence, body);
            connection.quit();
        }
    }

    /** Connects, reads the greeting and says EHLO. */
    private Connection open() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(readTimeoutMillis);
            Connection connection = new Connection(socket);
            expect(connection.in, 220, "greeting");
            connection.command("EHLO load.lan.example", 250);
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** An SMTP client connection past EHLO. */
    private final class Connection implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        }

        /** MAIL, RCPT, DATA, the message, "."; returns when the message got its 250. */
        void transaction(String phase, int sequence, byte[] body) throws IOException {
            command("MAIL FROM:<" + SENDER + ">", 250);
            for (String recipient : recipients) {
                command("RCPT TO:<" + recipient + ">", 250);
            }
            command("DATA", 354);
            out.write(("From: <" + SENDER + ">\r\nTo: <" + RECIPIENT + ">\r\nSubject: relaypack benchmark " + sequence
                + "\r\nMessage-ID: <" + phase + "." + sequence + SmtpSink.MESSAGE_ID_DOMAIN + ">\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            command(".", 250);
        }

        void quit() throws IOException {
            command("QUIT", 221);
        }

        private void command(String line, int expected) throws IOException {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.write('\r');
            out.write('\n');
            out.flush();
            expect(in, expected, line);
        }

        /** After a failure: the connection is in an unknown state and is dropped without QUIT. */
        void closeQuietly() {
            try {
                socket.close();
            } catch (IOException e) {
                // Already broken: that is why it is closed.
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Reads a (multi-line) reply and checks its code. */
    private static void expect(InputStream in, int expected, String after) throws IOException {
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new IOException("connection closed after " + after);
            }
            if (line.length() < 3 || !line.startsWith(String.valueOf(expected))) {
                throw new IOException("after " + after + ": " + line);
            }
            if (line.length() == 3 || line.charAt(3) != '-') {
                return;
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
        return null;
    }

    /** Body lines of 'x' (76 characters and CRLF, no line starting with a dot), about {@code size} bytes with the headers. */
    static byte[] body(int size) {
        StringBuilder body = new StringBuilder(size + 80);
        String line = "x".repeat(76) + "\r\n";
        int target = Math.max(size - 200, line.length());
        while (body.length() < target) {
            body.append(line);
        }
        return body.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** One call of {@link #send}: the messages still to take, and what happened to those taken. */
    private static final class Pass {
        private final String phase;
        private final int messages;
        private final byte[] body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicLong accepted = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        private Pass(String phase, int messages, byte[] body) {
            this.phase = phase;
            this.messages = messages;
            this.body = body;
        }

        /** The next message's sequence number, -1 when all are taken. */
        int next() {
            int sequence = next.getAndIncrement();
            return sequence < messages ? sequence : -1;
        }

        void failed(int sequence, Exception e) {
            failed.incrementAndGet();
            error(phase + "." + sequence + ": " + e.getMessage());
        }

        void error(String error) {
            if (errors.size() < MAX_ERRORS_KEPT) {
                errors.add(error);
            }
        }
    }

    /** How a load pass went; {@code errors} also holds failures that lost no message (a QUIT, a connect retried). */
    static final class Result {
        final long accepted;
        final long failed;
        final long nanos;
        final List<String> errors;

        Result(long accepted, long failed, long nanos, List<String> errors) {
            this.accepted = accepted;
            this.failed = failed;
            this.nanos = nanos;
            this.errors = errors;
        }
    }
}
