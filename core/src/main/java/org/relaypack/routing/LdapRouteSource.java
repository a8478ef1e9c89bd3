package org.relaypack.routing;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.mail.internet.AddressException;
import javax.net.ssl.SSLContext;

import org.apache.james.core.MailAddress;
import org.relaypack.delivery.HopName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.annotations.VisibleForTesting;
import com.google.common.base.Ticker;
import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;

/**
 * Routes from LDAP, after the inetLocalMailRecipient convention (sendmail's and Postfix's
 * {@code ldap_routing}):
 * <ul>
 *     <li>{@code mailHost}: deliver to that host, the address unchanged. The value names a next hop:
 *     through {@code <hostMap>} when listed there, otherwise the value itself (lower case) is the hop name;</li>
 *     <li>{@code mailRoutingAddress}: rewrite the recipient; with a {@code mailHost} too, deliver the rewritten
 *     address there, otherwise route the rewritten address again (up to {@value #MAX_REWRITES} times);</li>
 *     <li>no entry (or an entry with neither attribute): look up {@code @domain} (when {@code domainLookup} is on)
 *     and use its {@code mailHost}.</li>
 * </ul>
 * Answers are cached: routes for {@code positiveCacheTtl}, unknown recipients for {@code negativeCacheTtl}.
 * An unreachable or failing directory, an ambiguous answer (two entries, two mailHost values) or a bad
 * value gives a temporary failure, which is never cached.
 */
public class LdapRouteSource implements RouteSource, AutoCloseable {
    public static final String NAME = "ldap";
    static final int MAX_REWRITES = 3;
    private static final Logger LOGGER = LoggerFactory.getLogger(LdapRouteSource.class);

    /** What one search answered; a failure travels as an exception so that it is never cached. */
    private static final class DirectoryFailure extends Exception {
        DirectoryFailure(String reason, Throwable cause) {
            super(reason, cause);
        }

        DirectoryFailure(String reason) {
            super(reason);
        }
    }

    public static LdapRouteSource create(LdapRouteSourceConfiguration configuration) throws LDAPException {
        return create(configuration, KnownHops.any());
    }

    /** Directory content changes while James runs: an entry naming a hop outside {@code knownHops} is a temporary failure. */
    public static LdapRouteSource create(LdapRouteSourceConfiguration configuration, KnownHops knownHops) throws LDAPException {
        return new LdapRouteSource(configuration, knownHops, Ticker.systemTicker());
    }

    private final LdapRouteSourceConfiguration configuration;
    private final KnownHops knownHops;
    private final LDAPConnectionPool pool;
    private final Optional<Cache<String, Route>> positiveCache;
    private final Optional<Cache<String, Boolean>> negativeCache;
    private final String[] attributes;

    @VisibleForTesting
    LdapRouteSource(LdapRouteSourceConfiguration configuration, Ticker ticker) throws LDAPException {
        this(configuration, KnownHops.any(), ticker);
    }

    @VisibleForTesting
    LdapRouteSource(LdapRouteSourceConfiguration configuration, KnownHops knownHops, Ticker ticker) throws LDAPException {
        this.configuration = configuration;
        this.knownHops = knownHops;
        this.pool = createPool(configuration);
        this.positiveCache = cache(configuration.positiveCacheTtl(), configuration.cacheSize(), ticker);
        this.negativeCache = cache(configuration.negativeCacheTtl(), configuration.cacheSize(), ticker);
        this.attributes = new String[] {configuration.mailHostAttribute(), configuration.mailRoutingAddressAttribute()};
    }

    private static <V> Optional<Cache<String, V>> cache(Duration ttl, int size, Ticker ticker) {
        if (ttl.isZero()) {
            return Optional.empty();
        }
        return Optional.of(CacheBuilder.newBuilder()
            .ticker(ticker)
            .expireAfterWrite(ttl.toMillis(), TimeUnit.MILLISECONDS)
            .maximumSize(size)
            .build());
    }

    private static LDAPConnectionPool createPool(LdapRouteSourceConfiguration configuration) throws LDAPException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(Math.toIntExact(configuration.connectTimeout().toMillis()));
        options.setResponseTimeoutMillis(configuration.responseTimeout().toMillis());
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        ServerSet serverSet = serverSet(configuration.urls(), options);
        SimpleBindRequest bind = configuration.bindDN()
            .map(dn -> new SimpleBindRequest(dn, configuration.bindPassword().orElseThrow()))
            .orElse(null);
        // throwOnConnectFailure=false: a directory that is down at startup gives temporary failures, not a dead server.
        LDAPConnectionPool pool = new LDAPConnectionPool(serverSet, bind, 0, configuration.poolSize(), 1, null, false);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        pool.setConnectionPoolName("relaypack-routing");
        return pool;
    }

    private static ServerSet serverSet(List<LDAPURL> urls, LDAPConnectionOptions options) throws LDAPException {
        String[] hosts = urls.stream().map(LDAPURL::getHost).toArray(String[]::new);
        int[] ports = urls.stream().mapToInt(LDAPURL::getPort).toArray();
        boolean tls = urls.get(0).getScheme().equals("ldaps");
        if (urls.stream().anyMatch(url -> url.getScheme().equals("ldaps") != tls)) {
            throw new LDAPException(ResultCode.PARAM_ERROR, "all LDAP urls must use the same scheme (ldap or ldaps)");
        }
        javax.net.SocketFactory socketFactory = javax.net.SocketFactory.getDefault();
        if (tls) {
            try {
                socketFactory = SSLContext.getDefault().getSocketFactory();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new LDAPException(ResultCode.LOCAL_ERROR, "no TLS context for ldaps", e);
            }
        }
        if (hosts.length == 1) {
            return new SingleServerSet(hosts[0], ports[0], socketFactory, options);
        }
        return new FailoverServerSet(hosts, ports, socketFactory, options);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RouteLookup lookup(MailAddress recipient) {
        try {
            return resolve(recipient, MAX_REWRITES)
                .map(RouteLookup::found)
                .orElse(RouteLookup.noRoute());
        } catch (DirectoryFailure e) {
            LOGGER.warn("LDAP route lookup of {} failed: {}", recipient.asString(), e.getMessage(), e.getCause());
            return RouteLookup.temporaryFailure("LDAP: " + e.getMessage());
        }
    }

    private Optional<Route> resolve(MailAddress recipient, int rewritesLeft) throws DirectoryFailure {
        String key = RouteKey.ofAddress(recipient);
        Optional<Route> cached = positiveCache.flatMap(cache -> Optional.ofNullable(cache.getIfPresent(key)));
        if (cached.isPresent()) {
            return cached;
        }
        if (negativeCache.map(cache -> cache.getIfPresent(key) != null).orElse(false)) {
            return Optional.empty();
        }
        Optional<Route> route = resolveUncached(recipient, rewritesLeft);
        if (route.isPresent()) {
            positiveCache.ifPresent(cache -> cache.put(key, route.get()));
        } else {
            negativeCache.ifPresent(cache -> cache.put(key, Boolean.TRUE));
        }
        return route;
    }

    private Optional<Route> resolveUncached(MailAddress recipient, int rewritesLeft) throws DirectoryFailure {
        Optional<SearchResultEntry> entry = search(recipient.asString());
        Optional<String> mailHost = singleValue(entry, configuration.mailHostAttribute());
        Optional<MailAddress> routingAddress = routingAddress(entry);
        if (mailHost.isPresent()) {
            return Optional.of(Route.to(hopOf(entry, mailHost.get()), routingAddress));
        }
        if (routingAddress.isPresent()) {
            if (rewritesLeft == 0) {
                throw new DirectoryFailure("more than " + MAX_REWRITES + " mailRoutingAddress rewrites from " + recipient.asString());
            }
            MailAddress rewritten = routingAddress.get();
            return resolve(rewritten, rewritesLeft - 1)
                .map(route -> Route.to(route.hop(), route.recipientFor(rewritten)));
        }
        if (configuration.domainLookup()) {
            Optional<SearchResultEntry> domainEntry = search("@" + recipient.getDomain().asString());
            Optional<String> domainHost = singleValue(domainEntry, configuration.mailHostAttribute());
            if (domainHost.isPresent()) {
                return Optional.of(Route.to(hopOf(domainEntry, domainHost.get())));
            }
        }
        return Optional.empty();
    }

    private String hopOf(Optional<SearchResultEntry> entry, String mailHost) throws DirectoryFailure {
        String host = mailHost.toLowerCase(Locale.ROOT);
        String hop = configuration.hostMap().getOrDefault(host, host);
        String dn = entry.map(SearchResultEntry::getDN).orElse("?");
        if (!HopName.isValid(hop)) {
            throw new DirectoryFailure(dn + ": mailHost value '" + mailHost + "' is not a next hop name");
        }
        if (!knownHops.contains(hop)) {
            throw new DirectoryFailure(dn + ": " + configuration.mailHostAttribute() + " '" + mailHost + "' names "
                + knownHops.unknown(hop) + "; fix the entry or add a hostMap mapping");
        }
        return hop;
    }

    private Optional<MailAddress> routingAddress(Optional<SearchResultEntry> entry) throws DirectoryFailure {
        Optional<String> value = singleValue(entry, configuration.mailRoutingAddressAttribute());
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new MailAddress(value.get()));
        } catch (AddressException e) {
            throw new DirectoryFailure(entry.get().getDN() + ": " + configuration.mailRoutingAddressAttribute()
                + " '" + value.get() + "' is not an address", e);
        }
    }

    private Optional<String> singleValue(Optional<SearchResultEntry> entry, String attribute) throws DirectoryFailure {
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        String[] values = entry.get().getAttributeValues(attribute);
        if (values == null || values.length == 0) {
            return Optional.empty();
        }
        if (values.length > 1) {
            throw new DirectoryFailure(entry.get().getDN() + " has " + values.length + " values of " + attribute + ", expected one");
        }
        return Optional.of(values[0].trim());
    }

    private Optional<SearchResultEntry> search(String key) throws DirectoryFailure {
        Filter filter;
        try {
            filter = Filter.create(configuration.filter().replace("%s", Filter.encodeValue(key)));
        } catch (LDAPException e) {
            throw new DirectoryFailure("bad filter for '" + key + "': " + e.getMessage(), e);
        }
        try {
            SearchResult result = pool.search(configuration.baseDN(), SearchScope.SUB, filter, attributes);
            List<SearchResultEntry> entries = result.getSearchEntries();
            if (entries.size() > 1) {
                throw new DirectoryFailure(entries.size() + " entries match " + filter + ", expected at most one");
            }
            return entries.stream().findFirst();
        } catch (LDAPException e) {
            throw new DirectoryFailure(e.getResultCode() + " searching " + filter + " under " + configuration.baseDN()
                + ": " + e.getDiagnosticMessage(), e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
