package org.relaypack.it.requiretls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP server on loopback that offers STARTTLS and, once under TLS, REQUIRETLS (RFC 8689):
 * the next hop a REQUIRETLS mail may go to. Records each MAIL command as written and each message.
 * (SubEthaSMTP cannot advertise REQUIRETLS nor show MAIL parameters.)
 */
final class RequireTlsPeer implements AutoCloseable {
    private final SSLContext tls;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<String> mailCommands = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> sessionsTls = new CopyOnWriteArrayList<>();

    RequireTlsPeer(Path keystore, String password) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keyStore.load(in, password.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password.toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    List<String> mailCommands() {
        return mailCommands;
    }

    List<String> messages() {
        return messages;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket plain) {
        try (Socket closing = plain) {
            Socket socket = plain;
            BufferedReader in = reader(socket);
            OutputStream out = socket.getOutputStream();
            boolean underTls = false;
            send(out, "220 mx.partner.example ESMTP REQUIRETLS peer");
            String line;
            while ((line = in.readLine()) != null) {
                String verb = line.split(" ", 2)[0].toUpperCase();
                switch (verb) {
                    case "EHLO":
                        send(out, underTls ? "250-mx.partner.example\r\n250-PIPELINING\r\n250 REQUIRETLS"
                            : "250-mx.partner.example\r\n250-PIPELINING\r\n250 STARTTLS");
                        break;
                    case "STARTTLS":
                        send(out, "220 2.0.0 go ahead");
                        SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), false);
                        secured.setUseClientMode(false);
                        secured.startHandshake();
                        sessionsTls.add(secured.getSession().getProtocol());
                        socket = secured;
                        in = reader(socket);
                        out = socket.getOutputStream();
                        underTls = true;
                        break;
                    case "MAIL":
                        mailCommands.add(line);
                        send(out, "250 2.1.0 ok");
                        break;
                    case "DATA":
                        send(out, "354 go ahead");
                        StringBuilder message = new StringBuilder();
                        String data;
                        while ((data = in.readLine()) != null && !data.equals(".")) {
                            message.append(data).append("\r\n");
                        }
                        messages.add(message.toString());
                        send(out, "250 2.0.0 queued");
                        break;
                    case "QUIT":
                        send(out, "221 2.0.0 bye");
                        return;
                    default:
                        send(out, "250 2.0.0 ok");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
