package org.relaypack.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * The serving part of a test DNS server: UDP and TCP (two-byte length prefix, several queries per
 * connection) on one address and port. Each query with a question goes to the {@link Answerer},
 * which holds the zone logic; a query without one gets FORMERR, bytes that are no DNS message get
 * no answer (the client times out, as with a real server).
 */
public final class LoopbackDnsServer implements AutoCloseable {
    /** Answers one query; an empty answer sends nothing (the resolver times out). */
    @FunctionalInterface
    public interface Answerer {
        Optional<Message> answer(Message query) throws IOException;
    }

    /** Binds UDP and TCP on this address and port (port 0: a free one, the same for both). */
    public static LoopbackDnsServer start(InetAddress address, int port, String threadName, Answerer answerer) throws IOException {
        return new LoopbackDnsServer(address, port, threadName, answerer);
    }

    /** A response to this query: its ID, QR, RD as asked, and its question. */
    public static Message responseTo(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        if (query.getQuestion() != null) {
            response.addRecord(query.getQuestion(), Section.QUESTION);
        }
        return response;
    }

    private final Answerer answerer;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService threads;

    private LoopbackDnsServer(InetAddress address, int port, String threadName, Answerer answerer) throws IOException {
        this.answerer = answerer;
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(address, port), 16);
        try {
            udp = new DatagramSocket(new InetSocketAddress(address, tcp.getLocalPort()));
        } catch (IOException e) {
            tcp.close();
            throw e;
        }
        threads.execute(this::serveUdp);
        threads.execute(this::serveTcp);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(tcp.getInetAddress(), tcp.getLocalPort());
    }

    private Optional<byte[]> answer(byte[] queryBytes) throws IOException {
        Message query = new Message(queryBytes);
        if (query.getQuestion() == null) {
            Message response = responseTo(query);
            response.getHeader().setRcode(Rcode.FORMERR);
            return Optional.of(response.toWire());
        }
        return answerer.answer(query).map(Message::toWire);
    }

    private void serveUdp() {
        byte[] buffer = new byte[4096];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                Optional<byte[]> response = answer(Arrays.copyOf(packet.getData(), packet.getLength()));
                if (response.isPresent()) {
                    udp.send(new DatagramPacket(response.get(), response.get().length, packet.getSocketAddress()));
                }
            } catch (SocketException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // a bad query: no answer, the client times out
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket socket = tcp.accept();
                threads.execute(() -> serveTcp(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcp(Socket socket) {
        try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
             DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
            while (true) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                Optional<byte[]> response = answer(query);
                if (response.isEmpty()) {
                    return;
                }
                out.writeShort(response.get().length);
                out.write(response.get());
                out.flush();
            }
        } catch (EOFException e) {
            // the client is done
        } catch (IOException | RuntimeException e) {
            // the connection ended
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}
