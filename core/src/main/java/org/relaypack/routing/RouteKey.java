package org.relaypack.routing;

import java.util.Locale;

import javax.mail.internet.AddressException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;

/**
 * The one route key of the pack, as Postfix's {@code transport_maps} writes them: {@code user@domain},
 * {@code @domain}, and the default {@code *}; used by the smarthost routes and by every routing
 * source. Keys are compared in lower case, the local part included: RFC 5321 leaves a local part's
 * case to its domain, but Postfix lower-cases table lookups, and so does the pack (two users whose
 * addresses differ only in case cannot have different routes).
 */
public final class RouteKey {
    public static final String DEFAULT = "*";

    /**
     * @return the key in its normal (lower case) form
     * @throws IllegalArgumentException naming the value when it is not a route key
     */
    public static String normalize(String key) {
        String value = key.trim().toLowerCase(Locale.ROOT);
        if (value.equals(DEFAULT)) {
            return value;
        }
        if (value.startsWith("@")) {
            try {
                return "@" + Domain.of(value.substring(1)).asString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + key + "' is not a domain key: " + e.getMessage(), e);
            }
        }
        try {
            return new MailAddress(value).asString().toLowerCase(Locale.ROOT);
        } catch (AddressException e) {
            throw new IllegalArgumentException("'" + key + "' is neither user@domain, @domain nor *: " + e.getMessage(), e);
        }
    }

    public static String ofAddress(MailAddress address) {
        return address.asString().toLowerCase(Locale.ROOT);
    }

    public static String ofDomain(Domain domain) {
        return "@" + domain.asString();
    }

    private RouteKey() {
    }
}
