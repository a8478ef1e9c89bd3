package org.relaypack.tls.dane;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.relaypack.testing.LoopbackDnsServer;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server for DANE tests, on 127.0.0.1 (UDP and TCP, one free port), built on
 * dnsjava: zones either signed (an ECDSA P-256 key made per zone, DNSKEY and RRSIG served, NSEC
 * records proving NODATA and NXDOMAIN) or unsigned, and RRsets whose signature is broken on
 * purpose (bogus). {@link #writeTrustAnchors} writes the DS records of the signed zones as a
 * trust anchor file, as unbound's root.key holds the root's.
 */
public final class SigningDns implements AutoCloseable {
    private static final long TTL = 60;

    /** One zone: its records by owner name, in DNSSEC canonical order. */
    public final class Zone {
        private final Name apex;
        private final Optional<KeyPair> key;
        private final Optional<DNSKEYRecord> dnskey;
        private final Map<Name, List<Record>> names = new TreeMap<>();
        private final Set<String> bogus = ConcurrentHashMap.newKeySet();

        private Zone(Name apex, boolean signed) throws GeneralSecurityException, DNSSEC.DNSSECException {
            this.apex = apex;
            if (signed) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                KeyPair pair = generator.generateKeyPair();
                this.key = Optional.of(pair);
                this.dnskey = Optional.of(new DNSKEYRecord(apex, DClass.IN, TTL, 257, 3, DNSSEC.Algorithm.ECDSAP256SHA256, pair.getPublic()));
                add(dnskey.get());
            } else {
                this.key = Optional.empty();
                this.dnskey = Optional.empty();
            }
            add(new SOARecord(apex, DClass.IN, TTL, relative("ns"), relative("hostmaster"), 1, 3600, 600, 86400, TTL));
        }

        public Zone mx(String owner, int preference, String target) {
            return add(new MXRecord(name(owner), DClass.IN, TTL, preference, name(target)));
        }

        public Zone a(String owner, String address) {
            try {
                return add(new ARecord(name(owner), DClass.IN, TTL, InetAddress.getByName(address)));
            } catch (IOException e) {
                throw new IllegalArgumentException(address, e);
            }
        }

        public Zone aaaa(String owner, String address) {
            try {
                return add(new AAAARecord(name(owner), DClass.IN, TTL, InetAddress.getByName(address)));
            } catch (IOException e) {
                throw new IllegalArgumentException(address, e);
            }
        }

        /** {@code _port._tcp.host. TLSA usage selector matching data}. */
        public Zone tlsa(String host, int port, TlsaAssociation association) {
            return add(new TLSARecord(name("_" + port + "._tcp." + host), DClass.IN, TTL, association.usage(), association.selector(),
                association.matchingType(), association.data()));
        }

        /** The RRset of this owner and type is served with a signature that does not verify. */
        public Zone breakSignature(String owner, int type) {
            bogus.add(name(owner) + "/" + type);
            return this;
        }

        private synchronized Zone add(Record record) {
            names.computeIfAbsent(record.getName(), any -> new ArrayList<>()).add(record);
            return this;
        }

        private Name relative(String label) {
            try {
                return Name.concatenate(Name.fromString(label), apex);
            } catch (IOException e) {
                throw new IllegalArgumentException(label, e);
            }
        }

        /** Fills the response: answer, or NODATA/NXDOMAIN with SOA and NSEC proofs, all signed when the zone is. */
        private synchronized void answer(Name qname, int qtype, Message response) throws DNSSEC.DNSSECException, IOException {
            List<Record> atName = names.get(qname);
            if (atName == null) {
                response.getHeader().setRcode(Rcode.NXDOMAIN);
                addSigned(rrset(apex, Type.SOA), Section.AUTHORITY, response);
                if (key.isPresent()) {
                    addSigned(new RRset(covering(qname)), Section.AUTHORITY, response);
                    NSECRecord wildcard = covering(Name.concatenate(Name.fromConstantString("*"), closestEncloser(qname)));
                    if (!wildcard.getName().equals(covering(qname).getName())) {
                        addSigned(new RRset(wildcard), Section.AUTHORITY, response);
                    }
                }
                return;
            }
            RRset answer = rrset(qname, qtype);
            if (answer.size() > 0) {
                addSigned(answer, Section.ANSWER, response);
                return;
            }
            addSigned(rrset(apex, Type.SOA), Section.AUTHORITY, response);
            if (key.isPresent()) {
                addSigned(new RRset(nsec(qname)), Section.AUTHORITY, response);
            }
        }

        private RRset rrset(Name owner, int type) {
            RRset rrset = new RRset();
            names.getOrDefault(owner, List.of()).stream().filter(record -> record.getType() == type).forEach(rrset::addRR);
            return rrset;
        }

        private void addSigned(RRset rrset, int section, Message response) throws DNSSEC.DNSSECException {
            rrset.rrs(false).forEach(record -> response.addRecord(record, section));
            if (key.isPresent()) {
                Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
                RRSIGRecord signature = DNSSEC.sign(rrset, dnskey.get(), key.get().getPrivate(), now.minus(1, ChronoUnit.HOURS), now.plus(1, ChronoUnit.DAYS));
                if (bogus.contains(rrset.getName() + "/" + rrset.getType())) {
                    byte[] broken = signature.getSignature().clone();
                    broken[broken.length / 2] ^= 0x5a;
                    signature = new RRSIGRecord(signature.getName(), signature.getDClass(), signature.getTTL(), signature.getTypeCovered(),
                        signature.getAlgorithm(), signature.getOrigTTL(), signature.getExpire(), signature.getTimeSigned(),
                        signature.getFootprint(), signature.getSigner(), broken);
                }
                response.addRecord(signature, section);
            }
        }

        private NSECRecord nsec(Name owner) {
            List<Name> chain = new ArrayList<>(names.keySet());
            Name next = chain.get((chain.indexOf(owner) + 1) % chain.size());
            int[] types = names.get(owner).stream().mapToInt(Record::getType).distinct().toArray();
            int[] withProof = Arrays.copyOf(types, types.length + 2);
            withProof[types.length] = Type.RRSIG;
            withProof[types.length + 1] = Type.NSEC;
            return new NSECRecord(owner, DClass.IN, TTL, next, withProof);
        }

        /** The NSEC whose owner is the last name before {@code name} (the apex's when none). */
        private NSECRecord covering(Name name) {
            Name owner = apex;
            for (Name existing : names.keySet()) {
                if (existing.compareTo(name) < 0) {
                    owner = existing;
                }
            }
            return nsec(owner);
        }

        private Name closestEncloser(Name name) {
            Name candidate = name;
            while (candidate.labels() > apex.labels() && !names.containsKey(candidate)) {
                candidate = new Name(candidate, 1);
            }
            return candidate;
        }
    }

    public static SigningDns start() throws IOException {
        return new SigningDns();
    }

    private final List<Zone> zones = new CopyOnWriteArrayList<>();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final LoopbackDnsServer server;

    private SigningDns() throws IOException {
        server = LoopbackDnsServer.start(InetAddress.getLoopbackAddress(), 0, "test-signing-dns", this::answer);
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public Zone signedZone(String apex) {
        return zone(apex, true);
    }

    public Zone unsignedZone(String apex) {
        return zone(apex, false);
    }

    private Zone zone(String apex, boolean signed) {
        try {
            Zone zone = new Zone(name(apex), signed);
            zones.add(zone);
            return zone;
        } catch (GeneralSecurityException | DNSSEC.DNSSECException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DS (SHA-256) record of every signed zone, in zone file format, with a comment as unbound writes one. */
    public Path writeTrustAnchors(Path file) throws IOException {
        String anchors = zones.stream().filter(zone -> zone.dnskey.isPresent())
            .map(zone -> new DSRecord(zone.apex, DClass.IN, TTL, DSRecord.Digest.SHA256, zone.dnskey.get()).toString())
            .collect(Collectors.joining("\n", "; test trust anchors, as root.key\n", "\n"));
        return Files.writeString(file, anchors, StandardCharsets.US_ASCII);
    }

    /** Questions asked so far, as "TYPE name.". */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    static Name name(String text) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private Optional<Message> answer(Message query) throws IOException {
        Message response = LoopbackDnsServer.responseTo(query);
        response.getHeader().setFlag(Flags.AA);
        Record question = query.getQuestion();
        queries.add(Type.string(question.getType()) + " " + question.getName());
        Optional<Zone> zone = zones.stream().filter(candidate -> question.getName().subdomain(candidate.apex))
            .max((one, other) -> Integer.compare(one.apex.labels(), other.apex.labels()));
        if (zone.isEmpty()) {
            response.getHeader().setRcode(Rcode.REFUSED);
            return Optional.of(response);
        }
        try {
            zone.get().answer(question.getName(), question.getType(), response);
        } catch (DNSSEC.DNSSECException e) {
            throw new IOException(e);
        }
        return Optional.of(response);
    }

    @Override
    public void close() {
        server.close();
    }
}
