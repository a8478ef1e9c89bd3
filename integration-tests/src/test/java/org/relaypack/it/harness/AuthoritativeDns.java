package org.relaypack.it.harness;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import com.google.common.net.InetAddresses;

/**
 * An authoritative DNS server for tests, built on dnsjava, over UDP and TCP on one address and
 * port: it answers MX and A records of its zone, NXDOMAIN (with the SOA, as a real server) for a
 * name it does not hold, NODATA for a type a name lacks, SERVFAIL for the names told so, and no
 * answer at all (a timeout) for the names told to stay silent.
 * Everything has TTL 0, so that no resolver cache carries an answer from one test to the next.
 * James's DNSJavaService can only reach it on port 53 (see {@link #JAMES_PORT}).
 */
public final class AuthoritativeDns implements AutoCloseable {
    /** dnsservice.xml names servers, not ports: dnsjava's SimpleResolver(String) always adds port 53. */
    public static final int JAMES_PORT = 53;
    private static final Logger LOGGER = LoggerFactory.getLogger(AuthoritativeDns.class);
    private static final long TTL = 0;

    private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-dns");
        thread.setDaemon(true);
        return thread;
    });

    /** Binds UDP and TCP on this address and port (port 0: a free one, the same for both). */
    public static AuthoritativeDns start(InetAddress address, int port) throws IOException {
        return new AuthoritativeDns(address, port);
    }

    private AuthoritativeDns(InetAddress address, int port) throws IOException {
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

    /** {@code domain. MX preference target.} */
    public AuthoritativeDns mx(String domain, int preference, String target) {
        Name owner = name(domain);
        add(owner, new MXRecord(owner, DClass.IN, TTL, preference, name(target)));
        return this;
    }

    /** {@code domain. MX 0 .} (RFC 7505). */
    public AuthoritativeDns nullMx(String domain) {
        Name owner = name(domain);
        add(owner, new MXRecord(owner, DClass.IN, TTL, 0, Name.root));
        return this;
    }

    public AuthoritativeDns a(String host, String address) {
        Name owner = name(host);
        add(owner, new ARecord(owner, DClass.IN, TTL, InetAddresses.forString(address)));
        return this;
    }

    /** {@code name. TXT "string" "string" ...}: one record of one or more strings. */
    public AuthoritativeDns txt(String name, String... strings) {
        Name owner = name(name);
        add(owner, new TXTRecord(owner, DClass.IN, TTL, java.util.List.of(strings)));
        return this;
    }

    /** Every query for this name is answered SERVFAIL. */
    public AuthoritativeDns servfail(String host) {
        servfail.add(name(host));
        return this;
    }

    /** Queries for this name get no answer at all: the resolver times out. */
    public AuthoritativeDns silent(String host) {
        silent.add(name(host));
        return this;
    }

    /** The questions asked so far, as "TYPE name." (e.g. "MX example.test."). */
    public List<String> queries() {
        return queries;
    }

    private void add(Name owner, Record record) {
        zone.computeIfAbsent(owner, any -> new CopyOnWriteArrayList<>()).add(record);
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The response to send, or null to send none. */
    byte[] answer(byte[] queryBytes) throws IOException {
        Message query = new Message(queryBytes);
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        Record question = query.getQuestion();
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response.toWire();
        }
        response.addRecord(question, Section.QUESTION);
        Name name = question.getName();
        queries.add(Type.string(question.getType()) + " " + name);
        if (silent.contains(name)) {
            return null;
        }
        if (servfail.contains(name)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response.toWire();
        }
        response.getHeader().setFlag(Flags.AA);
        List<Record> records = zone.get(name);
        if (records == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            response.addRecord(soa(name), Section.AUTHORITY);
            return response.toWire();
        }
        List<Record> answers = new ArrayList<>();
        records.stream().filter(record -> record.getType() == question.getType()).forEach(answers::add);
        if (answers.isEmpty()) {
            response.addRecord(soa(name), Section.AUTHORITY);
        }
        answers.forEach(record -> response.addRecord(record, Section.ANSWER));
        return response.toWire();
    }

    private static Record soa(Name name) {
        Name apex = name.labels() > 3 ? new Name(name, name.labels() - 3) : name;
        try {
            return new SOARecord(apex, DClass.IN, TTL, Name.fromString("ns", apex), Name.fromString("hostmaster", apex),
                1, 3600, 600, 86400, TTL);
        } catch (TextParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serveUdp() {
        byte[] buffer = new byte[4096];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                byte[] query = java.util.Arrays.copyOf(packet.getData(), packet.getLength());
                byte[] response = answer(query);
                if (response == null) {
                    continue;
                }
                udp.send(new DatagramPacket(response, response.length, packet.getSocketAddress()));
            } catch (SocketException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOGGER.warn("Test DNS server: bad UDP query", e);
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
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (java.io.EOFException e) {
                    return;
                }
                byte[] query = new byte[length];
                in.readFully(query);
                byte[] response = answer(query);
                if (response == null) {
                    return;
                }
                out.writeShort(response.length);
                out.write(response);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            LOGGER.debug("Test DNS server: TCP connection ended", e);
        }
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            LOGGER.warn("Test DNS server: closing TCP", e);
        }
        threads.shutdownNow();
    }
}
