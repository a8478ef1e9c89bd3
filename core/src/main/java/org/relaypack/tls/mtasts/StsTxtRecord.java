package org.relaypack.tls.mtasts;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.relaypack.tls.TxtRecordText;

/**
 * The {@code _mta-sts.DOMAIN} TXT record (RFC 8461 3.1): {@code v=STSv1; id=...;}. Records that
 * do not begin with {@code v=STSv1;} are discarded; exactly one must remain and be valid, else the
 * domain has no policy (for discovery: a cached policy still applies). James's dnsjava-based
 * DNSService gives each record in zone-file form, every string quoted ({@code "v=STSv1; " "id=1;"});
 * the strings of one record are joined without spaces, as the RFC says.
 */
final class StsTxtRecord {
    private static final String VERSION = "v=STSv1";
    private static final Pattern SEPARATOR = Pattern.compile("[ \t]*;[ \t]*");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");
    private static final Pattern EXTENSION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern EXTENSION_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");

    private StsTxtRecord() {
    }

    /** The policy id, or why there is none. */
    static String idOf(String domain, Collection<String> records) throws PolicyUnavailable {
        List<String> candidates = records.stream()
            .map(TxtRecordText::joinStrings)
            .filter(text -> text.startsWith(VERSION + ";") || text.startsWith(VERSION + " ") || text.startsWith(VERSION + "\t")
                || text.equals(VERSION))
            .collect(Collectors.toList());
        if (candidates.isEmpty()) {
            throw new PolicyUnavailable("_mta-sts." + domain + " has no TXT record beginning with v=STSv1");
        }
        if (candidates.size() > 1) {
            throw new PolicyUnavailable("_mta-sts." + domain + " has " + candidates.size() + " v=STSv1 TXT records, not one");
        }
        return parse(domain, candidates.get(0));
    }

    private static String parse(String domain, String text) throws PolicyUnavailable {
        String[] fields = SEPARATOR.split(text, -1);
        Optional<String> id = Optional.empty();
        for (int i = 1; i < fields.length; i++) {
            String field = fields[i];
            if (field.isEmpty() && i == fields.length - 1) {
                break; // the optional final separator
            }
            int equals = field.indexOf('=');
            String name = equals < 0 ? field : field.substring(0, equals);
            String value = equals < 0 ? "" : field.substring(equals + 1);
            if ("id".equals(name)) {
                if (id.isPresent() || !ID.matcher(value).matches()) {
                    throw invalid(domain, text, "its id must be 1 to 32 letters and digits, once");
                }
                id = Optional.of(value);
            } else if (!EXTENSION_NAME.matcher(name).matches() || !EXTENSION_VALUE.matcher(value).matches()) {
                throw invalid(domain, text, "field '" + field + "' is not name=value");
            }
        }
        if (!fields[0].equals(VERSION)) {
            throw invalid(domain, text, "it does not begin with v=STSv1;");
        }
        return id.orElseThrow(() -> invalid(domain, text, "it has no id"));
    }

    private static PolicyUnavailable invalid(String domain, String text, String problem) {
        return new PolicyUnavailable("_mta-sts." + domain + " TXT record '" + text + "' is not valid: " + problem);
    }
}
