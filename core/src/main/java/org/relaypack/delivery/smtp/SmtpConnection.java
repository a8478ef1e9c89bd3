package org.relaypack.delivery.smtp;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte level of one SMTP connection: CRLF lines out, replies in, each under its deadline.
 * Reads are bounded per reply ({@link ReplyReader}); every write that blocks is cut by the
 * {@link Watchdog} at the transfer deadline. On a STARTTLS upgrade the plaintext buffers are
 * dropped (after checking they are empty) so that no byte received before the handshake is ever
 * read as part of the protected session (the CVE-2011-0411 injection).
 */
final class SmtpConnection implements Closeable {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpConnection.class);
    /** What the message is written through to the socket: big enough that a write is a syscall for many lines. */
    private static final int WRITE_BUFFER = 32 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    static SmtpConnection connect(InetSocketAddress address, SessionDeadlines deadlines, Watchdog watchdog) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, Math.toIntExact(deadlines.connect().toMillis()));
            socket.setSoTimeout(Math.toIntExact(deadlines.helo().toMillis()));
            return new SmtpConnection(socket, deadlines, watchdog);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private final Socket plainSocket;
    private final SessionDeadlines deadlines;
    private final Watchdog watchdog;
    private Socket socket;
    private ReplyReader in;
    private OutputStream out;

    private SmtpConnection(Socket socket, SessionDeadlines deadlines, Watchdog watchdog) throws IOException {
        this.plainSocket = socket;
        this.deadlines = deadlines;
        this.watchdog = watchdog;
        attach(socket);
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new ReplyReader(socket);
        this.out = new BufferedOutputStream(new GuardedOutputStream(socket.getOutputStream()), WRITE_BUFFER);
    }

    Socket socket() {
        return socket;
    }

    /** Runs a blocking step (a TLS handshake) that the watchdog cuts at the deadline. */
    <T> T guarded(Duration deadline, IoStep<T> step) throws IOException {
        try (Watchdog.Guard guard = watchdog.arm(plainSocket, deadline)) {
            try {
                return step.run();
            } catch (IOException e) {
                if (guard.fired()) {
                    throw new SocketTimeoutException("not done within " + deadline.toMillis() + " ms: " + e.getMessage());
                }
                throw e;
            }
        }
    }

    interface IoStep<T> {
        T run() throws IOException;
    }

    /** Replaces the plain socket by the TLS socket layered over it (handshake already done). */
    void upgrade(SSLSocket tlsSocket) throws IOException {
        attach(tlsSocket);
    }

    /** True when the server sent bytes we have not asked for (e.g. after its 220 to STARTTLS). */
    boolean hasUnsolicitedInput() throws IOException {
        return in.hasUnreadInput();
    }

    Optional<SSLSession> tlsSession() {
        if (socket instanceof SSLSocket) {
            return Optional.of(((SSLSocket) socket).getSession());
        }
        return Optional.empty();
    }

    void sendLine(String line) throws IOException {
        writeLine(line);
        out.flush();
    }

    /** Several commands in one write (RFC 2920 pipelining). */
    void sendLines(List<String> lines) throws IOException {
        for (String line : lines) {
            writeLine(line);
        }
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The message after the 354 reply, terminator included, streamed. */
    void sendContent(MessageContent content) throws IOException, MessageContent.UnreadableMessageException {
        content.writeTo(out);
        out.flush();
    }

    private void writeLine(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    ServerReply readReply(Duration deadline, String waitingFor) throws IOException {
        return in.read(deadline, waitingFor);
    }

    /**
     * Ends the connection to {@code peer}: QUIT first when {@code quit} (the session is still in step
     * with the server), then close. Failures are of no consequence any more, so they are only logged.
     */
    void end(boolean quit, String peer) {
        if (quit) {
            try {
                sendLine("QUIT");
                readReply(deadlines.rset(), "QUIT");
            } catch (IOException e) {
                LOGGER.debug("QUIT failed on {}", peer, e);
            }
        }
        try {
            close();
        } catch (IOException e) {
            LOGGER.debug("closing the connection to {} failed", peer, e);
        }
    }

    @Override
    public void close() throws IOException {
        // a TLS socket sends close_notify: a write that may block like any other
        try (Watchdog.Guard guard = watchdog.arm(plainSocket, deadlines.rset())) {
            socket.close();
        } finally {
            plainSocket.close();
        }
    }

    /** Every write to the socket under the watchdog: a server that stops reading cannot hold the thread. */
    private final class GuardedOutputStream extends OutputStream {
        private final OutputStream socketOut;

        private GuardedOutputStream(OutputStream socketOut) {
            this.socketOut = socketOut;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            guarded(deadlines.dataTransfer(), () -> {
                socketOut.write(bytes, offset, length);
                return null;
            });
        }

        @Override
        public void flush() throws IOException {
            socketOut.flush();
        }
    }
}
