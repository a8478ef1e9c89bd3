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
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load of the benchmark, as Postfix's {@code smtp-source -s C -l S -m N} makes it: N messages of
 * S bytes over C concurrent sessions, a new connection per message (EHLO, MAIL, RCPT, DATA, QUIT, each
 * command waiting for its reply). Each message carries the Message-ID
 * {@code <PHASE.SEQUENCE@relaypack.bench>} the {@link SmtpSink} counts.
 */
final class LoadGenerator {
    static final String SENDER = "bench@lan.example";
    static final String RECIPIENT = "user@remote.example";
    private static final int MAX_ERRORS_KEPT = 10;

    private final int port;
    private final int concurrency;
    private final int size;

    LoadGenerator(int port, int concurrency, int size) {
        this.port = port;
        this.concurrency = concurrency;
        this.size = size;
    }

    /** Sends {@code messages} messages tagged {@code phase}; returns when every session is done. */
    Result send(String phase, int messages) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        byte[] body = body(size);
        List<Thread> sessions = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < Math.min(concurrency, messages); i++) {
            Thread session = new Thread(() -> {
                for (int sequence = next.getAndIncrement(); sequence < messages; sequence = next.getAndIncrement()) {
                    try {
                        sendOne(phase, sequence, body);
                        accepted.incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                        if (errors.size() < MAX_ERRORS_KEPT) {
                            errors.add(phase + "." + sequence + ": " + e.getMessage());
                        }
                    }
                }
            }, "load-" + i);
            session.start();
            sessions.add(session);
        }
        for (Thread session : sessions) {
            session.join();
        }
        return new Result(accepted.get(), failed.get(), System.nanoTime() - start, new ArrayList<>(errors));
    }

    private void sendOne(String phase, int sequence, byte[] body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            expect(in, 220, "greeting");
            command(out, in, "EHLO load.lan.example", 250);
            command(out, in, "MAIL FROM:<" + SENDER + ">", 250);
            command(out, in, "RCPT TO:<" + RECIPIENT + ">", 250);
            command(out, in, "DATA", 354);
            out.write(("From: <" + SENDER + ">\r\nTo: <" + RECIPIENT + ">\r\nSubject: relaypack benchmark " + sequence
                + "\r\nMessage-ID: <" + phase + "." + sequence + SmtpSink.MESSAGE_ID_DOMAIN + ">\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            command(out, in, ".", 250);
            command(out, in, "QUIT", 221);
        }
    }

    private static void command(OutputStream out, InputStream in, String line, int expected) throws IOException {
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
        out.flush();
        expect(in, expected, line);
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

    /** How a load pass went. */
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
