package org.relaypack.it.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import org.opentest4j.TestAbortedException;
import org.relaypack.testing.LoopbackDnsServer;
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
    private static final long TTL = 0;

    private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final LoopbackDnsServer server;

    /** Binds UDP and TCP on this address and port (port 0: a free one, the same for both). */
    public static AuthoritativeDns start(InetAddress address, int port) throws IOException {
        return new AuthoritativeDns(address, port);
    }

    /**
     * A server on port 53 of a random 127.53.x.y (not 127.0.0.53, systemd-resolved's), as James's DNSService
     * asks it (see {@link #JAMES_PORT}); the calling test is skipped, saying why, where this JVM may not bind port 53.
     */
    public static AuthoritativeDns onPort53OrSkip() throws IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            InetAddress address = InetAddress.getByAddress(new byte[] {127, 53,
                (byte) ThreadLocalRandom.current().nextInt(1, 255), (byte) ThreadLocalRandom.current().nextInt(1, 255)});
            try {
                return start(address, JAMES_PORT);
            } catch (SocketException e) {
                if (e.getMessage() != null && e.getMessage().contains("Permission denied")) {
                    LoggerFactory.getLogger(AuthoritativeDns.class).warn("Cannot bind {}:53 ({}): the real-DNS story is skipped",
                        address.getHostAddress(), e.getMessage());
                    break;
                }
            }
        }
        throw new TestAbortedException("Skipped: James's DNSService only asks DNS servers on port 53 (dnsservice.xml takes"
            + " no port) and this JVM may not bind port 53 on a loopback address; run the tests as root to run this story");
    }

    private AuthoritativeDns(InetAddress address, int port) throws IOException {
        server = LoopbackDnsServer.start(address, port, "test-dns", this::answer);
    }

    public InetSocketAddress address() {
        return server.address();
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

    /** The response to send, or none. */
    private Optional<Message> answer(Message query) {
        Message response = LoopbackDnsServer.responseTo(query);
        Record question = query.getQuestion();
        Name name = question.getName();
        queries.add(Type.string(question.getType()) + " " + name);
        if (silent.contains(name)) {
            return Optional.empty();
        }
        if (servfail.contains(name)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return Optional.of(response);
        }
        response.getHeader().setFlag(Flags.AA);
        List<Record> records = zone.get(name);
        if (records == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            response.addRecord(soa(name), Section.AUTHORITY);
            return Optional.of(response);
        }
        List<Record> answers = new ArrayList<>();
        records.stream().filter(record -> record.getType() == question.getType()).forEach(answers::add);
        if (answers.isEmpty()) {
            response.addRecord(soa(name), Section.AUTHORITY);
        }
        answers.forEach(record -> response.addRecord(record, Section.ANSWER));
        return Optional.of(response);
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

    @Override
    public void close() {
        server.close();
    }
}
