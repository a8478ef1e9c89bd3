package org.relaypack.tls.report;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import org.relaypack.tls.TxtRecordText;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;

/**
 * The {@code _smtp._tls.DOMAIN} TXT record (RFC 8460 section 3): {@code v=TLSRPTv1; rua=mailto:a@b,https://...}.
 * Records that do not begin with {@code v=TLSRPTv1} are discarded; exactly one must remain, else the
 * domain does not take reports. The strings of one record are joined without spaces.
 */
public final class TlsRptRecord {
    private static final String VERSION = "v=TLSRPTv1";
    private static final String MAILTO = "mailto:";

    /** The record of the domain, from its TXT records as DNSService gives them; empty when there is not exactly one. */
    public static Optional<TlsRptRecord> of(Collection<String> records) {
        List<String> candidates = records.stream().map(TxtRecordText::joinStrings)
            .filter(text -> text.equals(VERSION) || text.startsWith(VERSION + ";") || text.startsWith(VERSION + " "))
            .collect(Collectors.toList());
        if (candidates.size() != 1) {
            return Optional.empty();
        }
        ImmutableList.Builder<String> uris = ImmutableList.builder();
        for (String field : Splitter.on(';').trimResults().omitEmptyStrings().split(candidates.get(0))) {
            int equals = field.indexOf('=');
            if (equals > 0 && field.substring(0, equals).trim().equals("rua")) {
                Splitter.on(',').trimResults().omitEmptyStrings().split(field.substring(equals + 1)).forEach(uris::add);
            }
        }
        ImmutableList<String> rua = uris.build();
        return rua.isEmpty() ? Optional.empty() : Optional.of(new TlsRptRecord(rua));
    }

    private final ImmutableList<String> rua;

    private TlsRptRecord(ImmutableList<String> rua) {
        this.rua = rua;
    }

    /** Every {@code rua} URI, as written. */
    public ImmutableList<String> rua() {
        return rua;
    }

    /** The addresses of the {@code mailto:} URIs (query dropped, percent-escapes decoded). */
    public ImmutableList<String> mailtoAddresses() {
        return rua.stream()
            .filter(uri -> uri.toLowerCase(Locale.ROOT).startsWith(MAILTO))
            .map(uri -> uri.substring(MAILTO.length()))
            .map(address -> address.contains("?") ? address.substring(0, address.indexOf('?')) : address)
            .map(address -> URLDecoder.decode(address.replace("+", "%2B"), StandardCharsets.UTF_8))
            .filter(address -> !address.isEmpty())
            .collect(ImmutableList.toImmutableList());
    }

    /** The URIs this pack does not send to ({@code https:} and any other scheme). */
    public ImmutableList<String> unsupported() {
        return rua.stream().filter(uri -> !uri.toLowerCase(Locale.ROOT).startsWith(MAILTO)).collect(ImmutableList.toImmutableList());
    }
}
