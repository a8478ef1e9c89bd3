package org.relaypack.smtphooks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A line-oriented SMTP client that reads multi-line replies whole and can STARTTLS (trusting any certificate). */
final class TranscriptClient implements AutoCloseable {
    private final Socket plain;
    private Socket socket;
    private BufferedReader reader;
    private Writer writer;

    TranscriptClient(InetSocketAddress address) throws IOException {
        plain = new Socket(address.getAddress(), address.getPort());
        plain.setSoTimeout(10_000);
        use(plain);
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        writer = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII);
    }

    /** Sends a command and returns its reply, lines joined with CRLF. */
    String send(String command) throws IOException {
        writer.write(command + "\r\n");
        writer.flush();
        return readReply();
    }

    String readReply() throws IOException {
        StringBuilder reply = new StringBuilder();
        String line;
        do {
            line = reader.readLine();
            if (line == null) {
                throw new IOException("connection closed after: " + reply);
            }
            reply.append(reply.length() > 0 ? "\r\n" : "").append(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return reply.toString();
    }

    /** EHLO, STARTTLS, handshake; the caller sends the EHLO of the TLS session. */
    void startTls() throws IOException, GeneralSecurityException {
        send("EHLO client.example.org");
        String reply = send("STARTTLS");
        if (!reply.startsWith("220")) {
            throw new IOException("STARTTLS refused: " + reply);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new TrustAny()}, null);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        plain.close();
    }

    private static final class TrustAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // a test server with a self-signed certificate
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
