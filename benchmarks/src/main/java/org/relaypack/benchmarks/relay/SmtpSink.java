package org.relaypack.benchmarks.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relay's next hop in the benchmark: a minimal ESMTP server on 127.0.0.1 that accepts every
 * transaction (PIPELINING advertised), keeps nothing but counts, and tells each message apart by
 * its Message-ID, {@code <PHASE.SEQUENCE@relaypack.bench>} as {@link LoadGenerator} writes it:
 * so a phase can say "received exactly N, no duplicates".
 */
final class SmtpSink implements AutoCloseable {
    static final String MESSAGE_ID_DOMAIN = "@relaypack.bench";
    private static final byte[] GREETING = ascii("220 sink.relaypack.bench ESMTP benchmark sink\r\n");
    private static final byte[] EHLO = ascii("250-sink.relaypack.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n");
    private static final byte[] OK = ascii("250 2.0.0 Ok\r\n");
    private static final byte[] MAIL_OK = ascii("250 2.1.0 Ok\r\n");
    private static final byte[] RCPT_OK = ascii("250 2.1.5 Ok\r\n");
    private static final byte[] GO_AHEAD = ascii("354 End data with <CR><LF>.<CR><LF>\r\n");
    private static final byte[] QUEUED = ascii("250 2.0.0 Ok: queued\r\n");
    private static final byte[] BYE = ascii("221 2.0.0 Bye\r\n");
    private static final byte[] BAD_SEQUENCE = ascii("503 5.5.1 Bad sequence of commands\r\n");
    private static final byte[] UNKNOWN = ascii("502 5.5.2 Command not implemented\r\n");
    private static final int MAX_LINE = 64 * 1024;

    private final ServerSocket server;
    private final ExecutorService sessions = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "sink-session");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong recipients = new AtomicLong();
    private final AtomicLong withoutId = new AtomicLong();
    private final ConcurrentHashMap<String, PhaseCount> phases = new ConcurrentHashMap<>();

    private SmtpSink(ServerSocket server) {
        this.server = server;
    }

    static SmtpSink start() throws IOException {
        SmtpSink sink = new SmtpSink(new ServerSocket(0, 500, InetAddress.getLoopbackAddress()));
        Thread acceptor = new Thread(sink::acceptLoop, "sink-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        return sink;
    }

    int port() {
        return server.getLocalPort();
    }

    long connections() {
        return connections.get();
    }

    long transactions() {
        return transactions.get();
    }

    long recipients() {
        return recipients.get();
    }

    /** Transactions whose message had no Message-ID of the benchmark's form. */
    long withoutBenchmarkId() {
        return withoutId.get();
    }

    /** What arrived so far of the messages the load generator sent in that phase. */
    PhaseCount phase(String phase) {
        return phases.computeIfAbsent(phase, name -> new PhaseCount());
    }

    @Override
    public void close() throws IOException {
        server.close();
        sessions.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                sessions.execute(() -> serve(socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("sink: accept failed: " + e);
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
            out.write(GREETING);
            out.flush();
            LineReader lines = new LineReader(in);
            boolean inTransaction = false;
            int transactionRecipients = 0;
            for (String line = lines.next(); line != null; line = lines.next()) {
                String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO":
                        out.write(EHLO);
                        break;
                    case "HELO":
                    case "NOOP":
                        out.write(OK);
                        break;
                    case "RSET":
                        inTransaction = false;
                        transactionRecipients = 0;
                        out.write(OK);
                        break;
                    case "MAIL":
                        inTransaction = true;
                        transactionRecipients = 0;
                        out.write(MAIL_OK);
                        break;
                    case "RCPT":
                        if (!inTransaction) {
                            out.write(BAD_SEQUENCE);
                            break;
                        }
                        transactionRecipients++;
                        out.write(RCPT_OK);
                        break;
                    case "DATA":
                        if (!inTransaction || transactionRecipients == 0) {
                            out.write(BAD_SEQUENCE);
                            break;
                        }
                        out.write(GO_AHEAD);
                        out.flush();
                        String messageId = readMessage(lines);
                        if (messageId == null) {
                            return;
                        }
                        record(messageId, transactionRecipients);
                        inTransaction = false;
                        transactionRecipients = 0;
                        out.write(QUEUED);
                        break;
                    case "QUIT":
                        out.write(BYE);
                        out.flush();
                        return;
                    default:
                        out.write(UNKNOWN);
                }
                // PIPELINING: answer a group of commands with one write.
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (SocketException e) {
            // The client went away (a relay closing an idle pooled connection without QUIT): nothing to count.
        } catch (IOException e) {
            System.err.println("sink: session failed: " + e);
        }
    }

    /** Reads the message up to the final dot; returns its Message-ID ("" when it has none), null at end of stream. */
    private static String readMessage(LineReader lines) throws IOException {
        String messageId = "";
        boolean inHeader = true;
        for (String line = lines.next(); line != null; line = lines.next()) {
            if (line.equals(".")) {
                return messageId;
            }
            if (inHeader) {
                if (line.isEmpty()) {
                    inHeader = false;
                } else if (line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                    messageId = line.substring(11).trim();
                }
            }
        }
        return null;
    }

    private void record(String messageId, int transactionRecipients) {
        transactions.incrementAndGet();
        recipients.addAndGet(transactionRecipients);
        int at = messageId.indexOf(MESSAGE_ID_DOMAIN);
        int dot = at < 0 ? -1 : messageId.lastIndexOf('.', at);
        if (!messageId.startsWith("<") || dot < 0) {
            withoutId.incrementAndGet();
            return;
        }
        phase(messageId.substring(1, dot)).record(messageId.substring(dot + 1, at));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The messages of one phase: distinct ones and duplicates. */
    static final class PhaseCount {
        private final Set<String> distinct = ConcurrentHashMap.newKeySet();
        private final AtomicLong duplicates = new AtomicLong();

        private void record(String sequence) {
            if (!distinct.add(sequence)) {
                duplicates.incrementAndGet();
            }
        }

        long distinct() {
            return distinct.size();
        }

        long duplicates() {
            return duplicates.get();
        }
    }

    /** CRLF (or bare LF) lines of an SMTP stream, in ISO-8859-1 so any byte passes. */
    private static final class LineReader {
        private final InputStream in;
        private byte[] buffer = new byte[1024];

        private LineReader(InputStream in) {
            this.in = in;
        }

        String next() throws IOException {
            int length = 0;
            for (int b = in.read(); b != -1; b = in.read()) {
                if (b == '\n') {
                    if (length > 0 && buffer[length - 1] == '\r') {
                        length--;
                    }
                    return new String(buffer, 0, length, StandardCharsets.ISO_8859_1);
                }
                if (length == buffer.length) {
                    if (length >= MAX_LINE) {
                        throw new IOException("line longer than " + MAX_LINE + " bytes");
                    }
                    buffer = java.util.Arrays.copyOf(buffer, length * 2);
                }
                buffer[length++] = (byte) b;
            }
            return null;
        }
    }
}
