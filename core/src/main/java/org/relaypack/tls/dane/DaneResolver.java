package org.relaypack.tls.dane;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

import com.google.common.collect.ImmutableList;

/**
 * DNS lookups for DANE, through dnsjava's validating resolver ({@link ValidatingResolver}) over a
 * plain resolver: each answer comes with its DNSSEC state. SECURE is the AD bit the validating
 * resolver sets; a BOGUS answer comes back from it as SERVFAIL carrying its reason (a TXT record of
 * class {@link ValidatingResolver#VALIDATION_REASON_QCLASS}); anything else is INSECURE. James's
 * DNSService stays the resolver of every other TLS mode. Thread-safe.
 */
public final class DaneResolver {
    /** MX targets as DNS gives them (absolute names), most preferred first. */
    public static final class Exchanger {
        private final String name;
        private final int preference;

        Exchanger(String name, int preference) {
            this.name = name;
            this.preference = preference;
        }

        public String name() {
            return name;
        }

        public int preference() {
            return preference;
        }

        @Override
        public String toString() {
            return preference + " " + name;
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A resolver asking the configured server (or the system's) and validating from the trust anchors. */
    public static DaneResolver create(DaneSettings settings) throws IOException {
        InetSocketAddress server = settings.resolver().orElseGet(() -> ResolverConfig.getCurrentConfig().server());
        SimpleResolver upstream = new SimpleResolver(server);
        upstream.setTimeout(TIMEOUT);
        ValidatingResolver validating = new ValidatingResolver(upstream);
        validating.loadTrustAnchors(settings.trustAnchors().asZoneFile());
        return new DaneResolver(validating);
    }

    private final Resolver resolver;

    private DaneResolver(Resolver resolver) {
        this.resolver = resolver;
    }

    /** The MX records of a domain, by preference; a null MX answers the single target ".". */
    public DnsAnswer<Exchanger> mx(String domain) {
        return lookUp(domain, Type.MX, record -> {
            MXRecord mx = (MXRecord) record;
            return new Exchanger(mx.getTarget().toString(), mx.getPriority());
        }).map(records -> records.stream().sorted(Comparator.comparingInt(Exchanger::preference)).collect(ImmutableList.toImmutableList()));
    }

    /** A and AAAA records of a host; secure only when both answers are. */
    public DnsAnswer<InetAddress> addresses(String host) {
        DnsAnswer<InetAddress> v4 = lookUp(host, Type.A, record -> ((ARecord) record).getAddress());
        DnsAnswer<InetAddress> v6 = lookUp(host, Type.AAAA, record -> ((AAAARecord) record).getAddress());
        return DnsAnswer.combine(v4, v6);
    }

    /** The TLSA records of a TCP service: {@code _port._tcp.host}. */
    public DnsAnswer<TlsaAssociation> tlsa(String host, int port) {
        return lookUp("_" + port + "._tcp." + absolute(host), Type.TLSA, record -> {
            TLSARecord tlsa = (TLSARecord) record;
            return TlsaAssociation.of(tlsa.getCertificateUsage(), tlsa.getSelector(), tlsa.getMatchingType(), tlsa.getCertificateAssociationData());
        });
    }

    private <T> DnsAnswer<T> lookUp(String name, int type, Function<Record, T> convert) {
        Name query;
        try {
            query = Name.fromString(absolute(name));
        } catch (TextParseException e) {
            return DnsAnswer.failed("bad name '" + name + "': " + e.getMessage());
        }
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(query, type, DClass.IN)));
        } catch (IOException e) {
            return DnsAnswer.failed(Type.string(type) + " lookup of " + query + " failed: " + e);
        }
        DnsSecurity security = response.getHeader().getFlag(Flags.AD) ? DnsSecurity.SECURE : DnsSecurity.INSECURE;
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return DnsAnswer.nxdomain(security);
        }
        if (rcode != Rcode.NOERROR) {
            return failure(response, query, type, rcode);
        }
        List<T> records = new ArrayList<>();
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record.getType() == type) {
                records.add(convert.apply(record));
            }
        }
        return records.isEmpty() ? DnsAnswer.noRecords(security) : DnsAnswer.found(records, security);
    }

    private static <T> DnsAnswer<T> failure(Message response, Name query, int type, int rcode) {
        for (Record record : response.getSection(Section.ADDITIONAL)) {
            if (record.getType() == Type.TXT && record.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS) {
                return DnsAnswer.bogus(Type.string(type) + " " + query + ": " + String.join("", ((TXTRecord) record).getStrings()));
            }
        }
        return DnsAnswer.failed(Type.string(type) + " lookup of " + query + " failed: " + Rcode.string(rcode));
    }

    private static String absolute(String name) {
        return name.endsWith(".") ? name : name + ".";
    }
}
