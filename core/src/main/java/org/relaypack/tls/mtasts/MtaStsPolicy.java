package org.relaypack.tls.mtasts;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;

/**
 * The MTA-STS policy of one domain as fetched (RFC 8461 3.2), with the TXT id it was fetched under
 * and when: it is valid until {@code fetchedAt + max_age}. Parse with {@link PolicyText}.
 */
public final class MtaStsPolicy {
    private final String domain;
    private final String id;
    private final MtaStsMode mode;
    private final ImmutableList<String> mxPatterns;
    private final Duration maxAge;
    private final Instant fetchedAt;
    private final String text;

    MtaStsPolicy(String domain, String id, MtaStsMode mode, ImmutableList<String> mxPatterns, Duration maxAge,
                 Instant fetchedAt, String text) {
        this.domain = Objects.requireNonNull(domain);
        this.id = Objects.requireNonNull(id);
        this.mode = Objects.requireNonNull(mode);
        this.mxPatterns = Objects.requireNonNull(mxPatterns);
        this.maxAge = Objects.requireNonNull(maxAge);
        this.fetchedAt = Objects.requireNonNull(fetchedAt);
        this.text = Objects.requireNonNull(text);
    }

    public String domain() {
        return domain;
    }

    /** The {@code id} of the {@code _mta-sts} TXT record this policy was fetched under. */
    public String id() {
        return id;
    }

    public MtaStsMode mode() {
        return mode;
    }

    /** The {@code mx} patterns, lower case: host names, or {@code *.} and a domain. */
    public ImmutableList<String> mxPatterns() {
        return mxPatterns;
    }

    public Duration maxAge() {
        return maxAge;
    }

    public Instant fetchedAt() {
        return fetchedAt;
    }

    public Instant expiresAt() {
        return fetchedAt.plus(maxAge);
    }

    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt());
    }

    /** The policy as the server sent it (kept in the cache file). */
    public String text() {
        return text;
    }

    /**
     * RFC 8461 4.1: the MX host name equals a pattern, or a {@code *.domain} pattern whose
     * wildcard stands for exactly one left-most label. Case and a trailing dot do not matter.
     */
    public boolean matches(String mxHost) {
        String host = mxHost.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        for (String pattern : mxPatterns) {
            if (pattern.startsWith("*.")) {
                String suffix = pattern.substring(1);
                int firstDot = host.indexOf('.');
                if (firstDot > 0 && host.substring(firstDot).equals(suffix)) {
                    return true;
                }
            } else if (pattern.equals(host)) {
                return true;
            }
        }
        return false;
    }

    /** "enforce, id 2024..., mx mx1.example.com *.example.net, max_age 86400". */
    public String describe() {
        return mode.value() + ", id " + id + ", mx " + String.join(" ", mxPatterns) + ", max_age " + maxAge.getSeconds();
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof MtaStsPolicy) {
            MtaStsPolicy that = (MtaStsPolicy) o;
            return domain.equals(that.domain) && id.equals(that.id) && mode == that.mode && mxPatterns.equals(that.mxPatterns)
                && maxAge.equals(that.maxAge) && fetchedAt.equals(that.fetchedAt) && text.equals(that.text);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, id, mode, mxPatterns, maxAge, fetchedAt, text);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("domain", domain)
            .add("id", id)
            .add("mode", mode.value())
            .add("mx", mxPatterns)
            .add("maxAge", maxAge)
            .add("fetchedAt", fetchedAt)
            .toString();
    }
}
