package org.relaypack.it.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server that answers every connection with a 421 greeting and hangs up, as a relay that is up
 * but shedding load (RFC 5321 3.8). Counts the connections it refused.
 */
public final class BusyPeer implements AutoCloseable {
    public static BusyPeer start(int port) throws IOException {
        return new BusyPeer(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    }

    private final ServerSocket serverSocket;
    private final AtomicInteger connections = new AtomicInteger();

    private BusyPeer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        Thread acceptor = new Thread(this::serve, "busy-peer-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void serve() {
        while (!serverSocket.isClosed()) {
            try (Socket socket = serverSocket.accept()) {
                connections.incrementAndGet();
                OutputStream out = socket.getOutputStream();
                out.write("421 4.3.2 busy.provider.example Service not available, closing channel\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // closed by close(), or the client went away first: nothing to serve either way
            }
        }
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
    }
}
