package org.relaypack.tls.report;

import java.util.Locale;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * The policy a session was held to, as RFC 8460 section 4.4 reports it: its type ({@code tlsa},
 * {@code sts}, {@code no-policy-found}), its text, the Policy Domain and the MX host patterns.
 * The Policy Domain is always the recipient domain (the domain whose {@code _smtp._tls} record
 * says where its reports go).
 */
public final class TlsReportPolicy {
    public enum Type {
        TLSA("tlsa"),
        STS("sts"),
        NO_POLICY_FOUND("no-policy-found");

        private final String value;

        Type(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static Type of(String value) {
            for (Type type : values()) {
                if (type.value.equals(value)) {
                    return type;
                }
            }
            throw new IllegalArgumentException("no policy type '" + value + "'");
        }
    }

    /** An MTA-STS policy: its lines as served, its {@code mx} patterns. */
    public static TlsReportPolicy sts(String domain, Iterable<String> lines, Iterable<String> mxPatterns) {
        return new TlsReportPolicy(Type.STS, domain, ImmutableList.copyOf(lines), ImmutableList.copyOf(mxPatterns));
    }

    /** The TLSA records of one MX host ({@code "3 1 1 AB12..."}). */
    public static TlsReportPolicy tlsa(String domain, Iterable<String> records, String mxHost) {
        return new TlsReportPolicy(Type.TLSA, domain, ImmutableList.copyOf(records), ImmutableList.of(mxHost));
    }

    public static TlsReportPolicy noPolicyFound(String domain) {
        return new TlsReportPolicy(Type.NO_POLICY_FOUND, domain, ImmutableList.of(), ImmutableList.of());
    }

    public static TlsReportPolicy of(Type type, String domain, Iterable<String> strings, Iterable<String> mxHosts) {
        return new TlsReportPolicy(type, domain, ImmutableList.copyOf(strings), ImmutableList.copyOf(mxHosts));
    }

    private final Type type;
    private final String domain;
    private final ImmutableList<String> strings;
    private final ImmutableList<String> mxHosts;

    private TlsReportPolicy(Type type, String domain, ImmutableList<String> strings, ImmutableList<String> mxHosts) {
        this.type = Objects.requireNonNull(type);
        String lower = domain.toLowerCase(Locale.ROOT);
        this.domain = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        this.strings = strings;
        this.mxHosts = mxHosts;
    }

    public Type type() {
        return type;
    }

    /** The Policy Domain: lower case, without DNS's trailing dot. */
    public String domain() {
        return domain;
    }

    public ImmutableList<String> strings() {
        return strings;
    }

    public ImmutableList<String> mxHosts() {
        return mxHosts;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof TlsReportPolicy) {
            TlsReportPolicy that = (TlsReportPolicy) o;
            return type == that.type && domain.equals(that.domain) && strings.equals(that.strings) && mxHosts.equals(that.mxHosts);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, domain, strings, mxHosts);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("type", type.value).add("domain", domain).add("strings", strings)
            .add("mxHosts", mxHosts).toString();
    }
}
