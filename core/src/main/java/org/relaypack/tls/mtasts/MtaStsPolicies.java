package org.relaypack.tls.mtasts;

import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLException;


import org.apache.james.dnsservice.api.DNSService;
import org.relaypack.tls.report.TlsFailure;
import org.relaypack.tls.report.TlsReportPolicy;
import org.relaypack.tls.report.TlsReportSink;
import org.relaypack.tls.report.TlsResultType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.Throwables;
import com.google.common.collect.ImmutableList;

/**
 * "The MTA-STS policy of this domain" (RFC 8461 5.1), for the delivery engine and anything that
 * combines it with another policy later (DANE). At each call: the {@code _mta-sts} TXT record
 * through James's DNSService (cached by dnsjava); the cached policy when it is unexpired and
 * its id is the record's; otherwise a fetch, whose policy replaces the cached one. When there is
 * no valid record, or the fetch fails, or the policy is invalid, an unexpired cached policy still
 * applies; without one the domain has no policy. A failed fetch is not tried again for the same
 * id before {@link #FETCH_RETRY} has passed, so that a broken policy server does not hold up every
 * delivery. No proactive refresh: a policy is refreshed when a delivery needs it. Thread-safe.
 */
public final class MtaStsPolicies {
    private static final Logger LOGGER = LoggerFactory.getLogger(MtaStsPolicies.class);
    static final Duration FETCH_RETRY = Duration.ofMinutes(5);

    /** Policies cached in {@code directory} (read now, written as fetched). */
    public static MtaStsPolicies withCache(DNSService dns, Clock clock, Path directory) {
        return new MtaStsPolicies(dns, clock, PolicyCache.inDirectory(directory));
    }

    /** Policies cached in memory only (tests; an engine without a var/ directory). */
    public static MtaStsPolicies inMemory(DNSService dns, Clock clock) {
        return new MtaStsPolicies(dns, clock, PolicyCache.inMemory());
    }

    private final DNSService dns;
    private final Clock clock;
    private final PolicyCache cache;
    private final PolicyFetcher fetcher;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final Map<String, FailedFetch> failedFetches = new ConcurrentHashMap<>();

    private static final class FailedFetch {
        private final String id;
        private final Instant at;

        private FailedFetch(String id, Instant at) {
            this.id = id;
            this.at = at;
        }
    }

    private MtaStsPolicies(DNSService dns, Clock clock, PolicyCache cache) {
        this.dns = dns;
        this.clock = clock;
        this.cache = cache;
        this.fetcher = new PolicyFetcher(dns);
    }

    /** The policy that applies to mail for {@code domain} now; empty when the domain has none. */
    public Optional<MtaStsPolicy> policyFor(String domain, MtaStsSettings settings) {
        return policyFor(domain, settings, TlsReportSink.NONE);
    }

    /** As {@link #policyFor(String, MtaStsSettings)}; a failed fetch is handed to the sink (RFC 8460's sts-* result types). */
    public Optional<MtaStsPolicy> policyFor(String domain, MtaStsSettings settings, TlsReportSink reports) {
        String name = normalize(domain);
        synchronized (locks.computeIfAbsent(name, any -> new Object())) {
            return lookUp(name, settings, reports);
        }
    }

    private Optional<MtaStsPolicy> lookUp(String domain, MtaStsSettings settings, TlsReportSink reports) {
        Instant now = clock.instant();
        Optional<MtaStsPolicy> cached = cache.get(domain).filter(policy -> !policy.isExpiredAt(now));
        String id;
        try {
            id = StsTxtRecord.idOf(domain, txtRecords(domain));
        } catch (PolicyUnavailable e) {
            if (cached.isPresent()) {
                LOGGER.debug("MTA-STS: {}; the cached policy of {} ({}) applies until {}", e.getMessage(), domain,
                    cached.get().describe(), cached.get().expiresAt());
            } else {
                LOGGER.debug("MTA-STS: {}: {} has no policy", e.getMessage(), domain);
            }
            return cached;
        }
        if (cached.isPresent() && cached.get().id().equals(id)) {
            return cached;
        }
        FailedFetch failed = failedFetches.get(domain);
        if (failed != null && failed.id.equals(id) && now.isBefore(failed.at.plus(FETCH_RETRY))) {
            return cached;
        }
        boolean fetched = false;
        try {
            String text = fetcher.fetch(domain, settings);
            fetched = true;
            MtaStsPolicy policy = PolicyText.parse(domain, id, text, now);
            cache.put(policy);
            failedFetches.remove(domain);
            LOGGER.info("MTA-STS: fetched the policy of {}: {}", domain, policy.describe());
            return Optional.of(policy);
        } catch (PolicyUnavailable e) {
            failedFetches.put(domain, new FailedFetch(id, now));
            reports.failure(cached.map(MtaStsPolicies::reportPolicy).orElse(TlsReportPolicy.sts(domain, ImmutableList.of(), ImmutableList.of())),
                TlsFailure.of(fetchResult(fetched, e), Optional.empty(), Optional.empty(), Optional.empty()));
            if (cached.isPresent()) {
                LOGGER.warn("MTA-STS: no new policy for {} (TXT id {}): {}; the cached policy ({}) still applies until {} (RFC 8461 5.1)",
                    domain, id, e.getMessage(), cached.get().describe(), cached.get().expiresAt());
            } else {
                LOGGER.warn("MTA-STS: no policy for {} (TXT id {}): {}; delivering as to a domain without a policy (RFC 8461 5.1)",
                    domain, id, e.getMessage());
            }
            return cached;
        }
    }

    private Collection<String> txtRecords(String domain) throws PolicyUnavailable {
        try {
            return dns.findTXTRecords("_mta-sts." + domain + ".");
        } catch (RuntimeException e) {
            throw new PolicyUnavailable("the TXT lookup of _mta-sts." + domain + " failed: " + e, e);
        }
    }

    /** RFC 8460 4.3: the policy text was invalid, the policy server's certificate was, or the fetch failed. */
    private static TlsResultType fetchResult(boolean fetched, PolicyUnavailable failure) {
        if (fetched) {
            return TlsResultType.STS_POLICY_INVALID;
        }
        boolean webPki = Throwables.getCausalChain(failure).stream()
            .anyMatch(cause -> cause instanceof SSLException || cause instanceof CertificateException);
        return webPki ? TlsResultType.STS_WEBPKI_INVALID : TlsResultType.STS_POLICY_FETCH_ERROR;
    }

    /** A policy as RFC 8460 reports it: its lines, its mx patterns. */
    public static TlsReportPolicy reportPolicy(MtaStsPolicy policy) {
        return TlsReportPolicy.sts(policy.domain(), Arrays.stream(policy.text().split("\r?\n")).map(String::trim)
            .filter(line -> !line.isEmpty()).collect(ImmutableList.toImmutableList()), policy.mxPatterns());
    }

    private static String normalize(String domain) {
        String name = domain.trim().toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** Stops the policy fetches' deadline thread (when James stops). */
    public void close() {
        fetcher.close();
    }
}
