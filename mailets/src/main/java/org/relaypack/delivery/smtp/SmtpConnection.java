package org.relaypack.delivery.smtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * The byte level of one SMTP connection: CRLF lines out, replies in. On a STARTTLS upgrade the
 * plaintext buffers are dropped (after checking they are empty) so that no byte received before
 * the handshake is ever read as part of the protected session (the CVE-2011-0411 injection).
 */
final class SmtpConnection implements Closeable {
    private static final int MAX_LINE_LENGTH = 8192;
    private static final byte[] CRLF = {'\r', '\n'};

    static SmtpConnection connect(InetSocketAddress address, Duration connectTimeout, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(address, Math.toIntExact(connectTimeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            return new SmtpConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpConnection(Socket socket) throws IOException {
        attach(socket);
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    Socket socket() {
        return socket;
    }

    /** Replaces the plain socket by the TLS socket layered over it (handshake already done). */
    void upgrade(SSLSocket tlsSocket) throws IOException {
        attach(tlsSocket);
    }

    /** True when the server sent bytes we have not asked for (e.g. after its 220 to STARTTLS). */
    boolean hasUnsolicitedInput() throws IOException {
        return in.available() > 0;
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

    /** The message after the 354 reply, terminator included. */
    void sendContent(MessageContent content) throws IOException {
        content.writeTo(out);
        out.flush();
    }

    private void writeLine(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write(CRLF);
    }

    ServerReply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !isDigits(line.substring(0, 3)) || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
                throw new IOException("malformed reply line: '" + abbreviate(line) + "'");
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (code == -1) {
                code = lineCode;
            } else if (code != lineCode) {
                throw new IOException("reply code changed within a multi-line reply: '" + abbreviate(line) + "'");
            }
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return ServerReply.of(code, lines);
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("connection closed by the server");
            }
            if (b == '\n') {
                byte[] bytes = buffer.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (buffer.size() >= MAX_LINE_LENGTH) {
                throw new IOException("reply line longer than " + MAX_LINE_LENGTH + " bytes");
            }
            buffer.write(b);
        }
    }

    private static boolean isDigits(String text) {
        return text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static String abbreviate(String line) {
        return line.length() > 100 ? line.substring(0, 100) + "..." : line;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
