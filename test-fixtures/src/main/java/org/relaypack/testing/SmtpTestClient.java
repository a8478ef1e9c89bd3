package org.relaypack.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import com.google.common.collect.ImmutableList;

/**
 * An SMTP client for protocol transcripts: plaintext, STARTTLS or implicit TLS, every reply read
 * and returned whole so tests can assert exact codes. Trusts any certificate (the servers under
 * test use generated self-signed ones).
 */
public final class SmtpTestClient implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 30_000;

    /** One SMTP reply: its code and its lines (text after "NNN-" / "NNN "). */
    public static final class Reply {
        private final int code;
        private final List<String> lines;

        Reply(int code, List<String> lines) {
            this.code = code;
            this.lines = ImmutableList.copyOf(lines);
        }

        public int code() {
            return code;
        }

        public List<String> lines() {
            return lines;
        }

        /** The whole reply as "NNN text" of its last line, e.g. "530 5.7.0 Must issue a STARTTLS command first". */
        public String text() {
            return code + " " + lines.get(lines.size() - 1);
        }

        /** The reply as the server sent it, lines joined with CRLF, e.g. "250-host\r\n250 STARTTLS". */
        public String transcript() {
            StringBuilder transcript = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                transcript.append(i > 0 ? "\r\n" : "").append(code).append(i < lines.size() - 1 ? '-' : ' ').append(lines.get(i));
            }
            return transcript.toString();
        }

        @Override
        public String toString() {
            return code + " " + String.join(" | ", lines);
        }
    }

    public static SmtpTestClient plain(int port) throws IOException {
        return plainFrom(InetAddress.getLoopbackAddress(), port);
    }

    /** Connects from a given local address, e.g. 127.0.0.2 to play a host outside the authorized networks. */
    public static SmtpTestClient plainFrom(InetAddress localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        return new SmtpTestClient(socket);
    }

    /** Implicit TLS (port 465 style), limited to the given protocols, e.g. "TLSv1.2", "TLSv1.3". */
    public static SmtpTestClient implicitTls(int port, String... protocols) throws IOException {
        SSLSocket socket = (SSLSocket) trustAll().getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        if (protocols.length > 0) {
            socket.setEnabledProtocols(protocols);
        }
        socket.startHandshake();
        return new SmtpTestClient(socket);
    }

    public static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Socket socket;
    private BufferedReader reader;
    private OutputStream writer;

    private SmtpTestClient(Socket socket) throws IOException {
        attach(socket);
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.writer = socket.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    public Reply readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = reader.readLine();
            if (line == null) {
                throw new IOException("Connection closed by the server" + (lines.isEmpty() ? "" : " after " + lines));
            }
            if (line.length() < 3) {
                throw new IOException("Not an SMTP reply: '" + line + "'");
            }
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    /** Sends raw bytes as they are (for same-packet and pipelining tests). */
    public void sendRaw(String data) throws IOException {
        writer.write(data.getBytes(StandardCharsets.US_ASCII));
        writer.flush();
    }

    public Reply command(String line) throws IOException {
        sendRaw(line + "\r\n");
        return readReply();
    }

    public Reply greeting() throws IOException {
        return readReply();
    }

    public Reply ehlo(String name) throws IOException {
        return command("EHLO " + name);
    }

    /** Sends STARTTLS and, on 220, upgrades the connection with the given protocols (default: the JVM's). */
    public Reply startTls(String... protocols) throws IOException {
        Reply reply = command("STARTTLS");
        if (reply.code() == 220) {
            SSLSocket tls = (SSLSocket) trustAll().getSocketFactory()
                .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            if (protocols.length > 0) {
                tls.setEnabledProtocols(protocols);
            }
            tls.setUseClientMode(true);
            tls.startHandshake();
            attach(tls);
        }
        return reply;
    }

    public String tlsProtocol() {
        return socket instanceof SSLSocket ? ((SSLSocket) socket).getSession().getProtocol() : "plaintext";
    }

    public Reply authPlain(String username, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    /**
     * A whole transaction after EHLO: MAIL, RCPTs, DATA. Returns the reply to the end of DATA, or the
     * first failing reply.
     */
    public Reply send(String from, List<String> recipients, String message) throws IOException {
        Reply mail = command("MAIL FROM:<" + from + ">");
        if (mail.code() != 250) {
            return mail;
        }
        for (String recipient : recipients) {
            Reply rcpt = command("RCPT TO:<" + recipient + ">");
            if (rcpt.code() != 250) {
                return rcpt;
            }
        }
        Reply data = command("DATA");
        if (data.code() != 354) {
            return data;
        }
        StringBuilder body = new StringBuilder();
        for (String line : message.replace("\r\n", "\n").split("\n", -1)) {
            body.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        sendRaw(body + ".\r\n");
        return readReply();
    }

    public static String message(String from, String to, String subject, String body) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject
            + "\r\nMessage-ID: <" + Objects.hash(from, to, subject, body, System.nanoTime()) + "@relaypack.test>\r\n\r\n" + body;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
