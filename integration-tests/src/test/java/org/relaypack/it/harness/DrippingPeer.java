package org.relaypack.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile MX: it accepts every connection and drips its greeting one byte every {@code dripMillis},
 * never finishing it, and never reads. Counts the connections it got and those still open (a
 * connection is closed when the client gives up: the peer sees its end of stream).
 */
public final class DrippingPeer implements AutoCloseable {
    private static final byte[] GREETING = "220 tarpit.example ESMTP slowly, very slowly, ever so slowly\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Binds the loopback address given (127.0.0.2, ...), so that several peers share one port. */
    public static DrippingPeer start(InetAddress loopbackAddress, int port, long dripMillis) throws IOException {
        ServerSocket serverSocket = new ServerSocket();
        serverSocket.bind(new InetSocketAddress(loopbackAddress, port), 50);
        return new DrippingPeer(serverSocket, dripMillis);
    }

    private final ServerSocket serverSocket;
    private final long dripMillis;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    private DrippingPeer(ServerSocket serverSocket, long dripMillis) {
        this.serverSocket = serverSocket;
        this.dripMillis = dripMillis;
        Thread acceptor = new Thread(this::accept, "dripping-peer-" + serverSocket.getLocalSocketAddress());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.incrementAndGet();
                open.incrementAndGet();
                Thread drip = new Thread(() -> drip(socket), "dripping-peer-session");
                drip.setDaemon(true);
                drip.start();
            } catch (IOException e) {
                // closed by close()
            }
        }
    }

    private void drip(Socket socket) {
        try (Socket session = socket) {
            session.setSoTimeout((int) dripMillis);
            OutputStream out = session.getOutputStream();
            InputStream in = session.getInputStream();
            int sent = 0;
            while (!serverSocket.isClosed()) {
                // never the last byte: the greeting never ends
                out.write(GREETING[sent % (GREETING.length - 2)]);
                out.flush();
                sent++;
                try {
                    if (in.read() < 0) {
                        return;
                    }
                } catch (SocketTimeoutException e) {
                    // nothing from the client, as expected: drip on
                }
            }
        } catch (IOException e) {
            // the client closed or reset the connection
        } finally {
            open.decrementAndGet();
        }
    }

    public int connections() {
        return connections.get();
    }

    /** Connections the client has not given up yet. */
    public int openConnections() {
        return open.get();
    }

    public boolean isListening() {
        return !serverSocket.isClosed();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
