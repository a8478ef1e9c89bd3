package org.relaypack.it.submission;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A line-level SMTP client for protocol transcripts: every reply is read back whole, so tests can
 * assert exact codes and texts. Speaks plaintext, STARTTLS and implicit TLS, with the TLS protocols
 * the test chooses.
 */
final class SmtpClient implements Closeable {
    private static final int READ_TIMEOUT_MILLIS = 20_000;

    static final class Reply {
        final int code;
        final List<String> lines;

        Reply(int code, List<String> lines) {
            this.code = code;
            this.lines = lines;
        }

        /** The last line, e.g. "530 5.7.0 Must issue a STARTTLS command first". */
        String last() {
            return lines.get(lines.size() - 1);
        }

        boolean hasExtension(String keyword) {
            return lines.stream().skip(1).map(line -> line.substring(4))
                .anyMatch(extension -> extension.equals(keyword) || extension.startsWith(keyword + " "));
        }

        @Override
        public String toString() {
            return String.join("\n", lines);
        }
    }

    static SmtpClient plain(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return new SmtpClient(socket);
    }

    static SmtpClient implicitTls(int port, SSLContext context, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setEnabledProtocols(protocols);
        socket.startHandshake();
        return new SmtpClient(socket);
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        use(socket);
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("connection closed after " + lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    Reply send(String command) throws IOException {
        write(command + "\r\n");
        return read();
    }

    /** Writes raw bytes in one go (several commands in one TCP segment, for pipelining attacks). */
    void write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** STARTTLS, then the TLS handshake over the same connection. Returns the reply to STARTTLS. */
    Reply startTls(SSLContext context, String... protocols) throws IOException {
        Reply reply = send("STARTTLS");
        if (reply.code == 220) {
            handshake(context, protocols);
        }
        return reply;
    }

    void handshake(SSLContext context, String... protocols) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.setEnabledProtocols(protocols);
        tls.setSoTimeout(READ_TIMEOUT_MILLIS);
        tls.startHandshake();
        use(tls);
    }

    String tlsProtocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
    }

    Reply authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return send("AUTH PLAIN " + token);
    }

    /** Reads until the server closes the connection; returns what it sent. */
    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try {
            int count;
            while ((count = in.read(buffer)) >= 0) {
                received.write(buffer, 0, count);
            }
        } catch (java.net.SocketException e) {
            // connection reset by the server: the end as well
        }
        return received.toByteArray();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
