package org.relaypack.routing;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.DurationRange;
import org.relaypack.delivery.HopName;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;

/** The {@code <ldap>} element of {@code <routing><sources>}, parsed once. */
public final class LdapRouteSourceConfiguration {
    public static final String URL = "url";
    public static final String BASE_DN = "baseDN";
    public static final String FILTER = "filter";
    public static final String BIND_DN = "bindDN";
    public static final String BIND_PASSWORD = "bindPassword";
    public static final String POOL_SIZE = "poolSize";
    public static final String CONNECT_TIMEOUT = "connectTimeout";
    public static final String RESPONSE_TIMEOUT = "responseTimeout";
    public static final String POSITIVE_CACHE_TTL = "positiveCacheTtl";
    public static final String NEGATIVE_CACHE_TTL = "negativeCacheTtl";
    public static final String CACHE_SIZE = "cacheSize";
    public static final String MAIL_HOST_ATTRIBUTE = "mailHostAttribute";
    public static final String MAIL_ROUTING_ADDRESS_ATTRIBUTE = "mailRoutingAddressAttribute";
    public static final String DOMAIN_LOOKUP = "domainLookup";
    public static final String HOST_MAP = "hostMap";
    public static final String HOST_MAP_HOST = "host";
    public static final String HOST_MAP_NAME = "name";
    public static final String HOST_MAP_HOP = "hop";
    private static final ImmutableSet<String> PARAMETERS = ImmutableSet.of(URL, BASE_DN, FILTER, BIND_DN, BIND_PASSWORD,
        POOL_SIZE, CONNECT_TIMEOUT, RESPONSE_TIMEOUT, POSITIVE_CACHE_TTL, NEGATIVE_CACHE_TTL, CACHE_SIZE,
        MAIL_HOST_ATTRIBUTE, MAIL_ROUTING_ADDRESS_ATTRIBUTE, DOMAIN_LOOKUP);

    public static final String DEFAULT_FILTER = "(mail=%s)";
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_POSITIVE_CACHE_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofMinutes(1);
    /** A directory slower than this is down: a route lookup holds a James spool thread meanwhile. */
    static final DurationRange TIMEOUT_RANGE = DurationRange.positiveUpTo(Duration.ofMinutes(5));
    /** Zero: no cache. */
    static final DurationRange CACHE_TTL_RANGE = DurationRange.zeroUpTo(Duration.ofDays(1));
    static final int MAX_POOL_SIZE = 1000;
    static final int MAX_CACHE_SIZE = 100_000_000;
    public static final int DEFAULT_CACHE_SIZE = 100_000;
    public static final String DEFAULT_MAIL_HOST_ATTRIBUTE = "mailHost";
    public static final String DEFAULT_MAIL_ROUTING_ADDRESS_ATTRIBUTE = "mailRoutingAddress";

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final ImmutableList.Builder<LDAPURL> urls = ImmutableList.builder();
        private String baseDN;
        private String filter = DEFAULT_FILTER;
        private Optional<String> bindDN = Optional.empty();
        private Optional<String> bindPassword = Optional.empty();
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
        private Duration positiveCacheTtl = DEFAULT_POSITIVE_CACHE_TTL;
        private Duration negativeCacheTtl = DEFAULT_NEGATIVE_CACHE_TTL;
        private int cacheSize = DEFAULT_CACHE_SIZE;
        private String mailHostAttribute = DEFAULT_MAIL_HOST_ATTRIBUTE;
        private String mailRoutingAddressAttribute = DEFAULT_MAIL_ROUTING_ADDRESS_ATTRIBUTE;
        private boolean domainLookup = true;
        private final ImmutableMap.Builder<String, String> hostMap = ImmutableMap.builder();

        public Builder url(LDAPURL url) {
            urls.add(url);
            return this;
        }

        public Builder baseDN(String baseDN) {
            this.baseDN = baseDN;
            return this;
        }

        public Builder filter(String filter) {
            this.filter = filter;
            return this;
        }

        public Builder bind(String bindDN, String bindPassword) {
            this.bindDN = Optional.of(bindDN);
            this.bindPassword = Optional.of(bindPassword);
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder responseTimeout(Duration responseTimeout) {
            this.responseTimeout = responseTimeout;
            return this;
        }

        public Builder positiveCacheTtl(Duration positiveCacheTtl) {
            this.positiveCacheTtl = positiveCacheTtl;
            return this;
        }

        public Builder negativeCacheTtl(Duration negativeCacheTtl) {
            this.negativeCacheTtl = negativeCacheTtl;
            return this;
        }

        public Builder cacheSize(int cacheSize) {
            this.cacheSize = cacheSize;
            return this;
        }

        public Builder mailHostAttribute(String mailHostAttribute) {
            this.mailHostAttribute = mailHostAttribute;
            return this;
        }

        public Builder mailRoutingAddressAttribute(String mailRoutingAddressAttribute) {
            this.mailRoutingAddressAttribute = mailRoutingAddressAttribute;
            return this;
        }

        public Builder domainLookup(boolean domainLookup) {
            this.domainLookup = domainLookup;
            return this;
        }

        public Builder mapHost(String mailHost, String hop) {
            hostMap.put(mailHost.toLowerCase(Locale.ROOT), HopName.check(hop));
            return this;
        }

        public LdapRouteSourceConfiguration build() {
            ImmutableList<LDAPURL> urlList = urls.build();
            Preconditions.checkArgument(!urlList.isEmpty(), "at least one LDAP url is needed");
            Preconditions.checkNotNull(baseDN, "baseDN");
            Preconditions.checkArgument(filter.contains("%s"), "filter '%s' has no %%s for the address", filter);
            return new LdapRouteSourceConfiguration(urlList, baseDN, filter, bindDN, bindPassword, poolSize, connectTimeout,
                responseTimeout, positiveCacheTtl, negativeCacheTtl, cacheSize, mailHostAttribute, mailRoutingAddressAttribute,
                domainLookup, hostMap.build());
        }
    }

    /** Reads the {@code <ldap>} element; errors name the element, the parameter and its value (never the bind password). */
    public static LdapRouteSourceConfiguration from(ConfigElement element) throws ConfigurationException {
        element.checkAllowed(PARAMETERS, ImmutableSet.of(HOST_MAP));
        Builder builder = builder();
        List<String> urls = element.list(URL);
        if (urls.isEmpty()) {
            element.required(URL);
        }
        for (String url : urls) {
            try {
                // LDAPURL itself accepts only the ldap and ldaps schemes
                builder.url(new LDAPURL(url));
            } catch (LDAPException e) {
                throw element.error(URL, url, "is not an LDAP URL: " + e.getMessage());
            }
        }
        String baseDN = element.required(BASE_DN);
        if (!DN.isValidDN(baseDN)) {
            throw element.error(BASE_DN, baseDN, "is not a distinguished name");
        }
        builder.baseDN(baseDN);
        Optional<String> filter = element.value(FILTER);
        if (filter.isPresent()) {
            if (!filter.get().contains("%s") || filter.get().indexOf("%s") != filter.get().lastIndexOf("%s")) {
                throw element.error(FILTER, filter.get(), "must contain %s exactly once (the address)");
            }
            try {
                com.unboundid.ldap.sdk.Filter.create(filter.get().replace("%s", "probe@example.com"));
            } catch (LDAPException e) {
                throw element.error(FILTER, filter.get(), "is not an LDAP filter: " + e.getMessage());
            }
            builder.filter(filter.get());
        }
        Optional<String> bindDN = element.value(BIND_DN);
        Optional<String> bindPassword = element.value(BIND_PASSWORD);
        if (bindDN.isPresent() != bindPassword.isPresent()) {
            throw element.error(BIND_DN + " and " + BIND_PASSWORD + " go together (both or neither)");
        }
        if (bindDN.isPresent()) {
            if (!DN.isValidDN(bindDN.get())) {
                throw element.error(BIND_DN, bindDN.get(), "is not a distinguished name");
            }
            builder.bind(bindDN.get(), bindPassword.get());
        }
        builder.poolSize(element.integer(POOL_SIZE, 1, MAX_POOL_SIZE).orElse(DEFAULT_POOL_SIZE))
            .connectTimeout(element.duration(CONNECT_TIMEOUT, TIMEOUT_RANGE).orElse(DEFAULT_CONNECT_TIMEOUT))
            .responseTimeout(element.duration(RESPONSE_TIMEOUT, TIMEOUT_RANGE).orElse(DEFAULT_RESPONSE_TIMEOUT))
            .positiveCacheTtl(element.duration(POSITIVE_CACHE_TTL, CACHE_TTL_RANGE).orElse(DEFAULT_POSITIVE_CACHE_TTL))
            .negativeCacheTtl(element.duration(NEGATIVE_CACHE_TTL, CACHE_TTL_RANGE).orElse(DEFAULT_NEGATIVE_CACHE_TTL))
            .cacheSize(element.integer(CACHE_SIZE, 1, MAX_CACHE_SIZE).orElse(DEFAULT_CACHE_SIZE))
            .mailHostAttribute(element.value(MAIL_HOST_ATTRIBUTE).orElse(DEFAULT_MAIL_HOST_ATTRIBUTE))
            .mailRoutingAddressAttribute(element.value(MAIL_ROUTING_ADDRESS_ATTRIBUTE).orElse(DEFAULT_MAIL_ROUTING_ADDRESS_ATTRIBUTE))
            .domainLookup(element.bool(DOMAIN_LOOKUP).orElse(true));
        Optional<ConfigElement> hostMap = element.child(HOST_MAP);
        if (hostMap.isPresent()) {
            hostMap.get().checkAllowed(ImmutableSet.of(), ImmutableSet.of(HOST_MAP_HOST));
            for (ConfigElement host : hostMap.get().children(HOST_MAP_HOST)) {
                host.checkAllowed(ImmutableSet.of(HOST_MAP_NAME, HOST_MAP_HOP), ImmutableSet.of());
                String name = host.required(HOST_MAP_NAME);
                String hop = host.required(HOST_MAP_HOP);
                if (!HopName.isValid(hop)) {
                    throw host.error(HOST_MAP_HOP, hop, "must be " + HopName.SYNTAX);
                }
                builder.mapHost(name, hop);
            }
        }
        return builder.build();
    }

    private final ImmutableList<LDAPURL> urls;
    private final String baseDN;
    private final String filter;
    private final Optional<String> bindDN;
    private final Optional<String> bindPassword;
    private final int poolSize;
    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration positiveCacheTtl;
    private final Duration negativeCacheTtl;
    private final int cacheSize;
    private final String mailHostAttribute;
    private final String mailRoutingAddressAttribute;
    private final boolean domainLookup;
    private final ImmutableMap<String, String> hostMap;

    private LdapRouteSourceConfiguration(ImmutableList<LDAPURL> urls, String baseDN, String filter, Optional<String> bindDN,
                                         Optional<String> bindPassword, int poolSize, Duration connectTimeout, Duration responseTimeout,
                                         Duration positiveCacheTtl, Duration negativeCacheTtl, int cacheSize, String mailHostAttribute,
                                         String mailRoutingAddressAttribute, boolean domainLookup, ImmutableMap<String, String> hostMap) {
        this.urls = urls;
        this.baseDN = baseDN;
        this.filter = filter;
        this.bindDN = bindDN;
        this.bindPassword = bindPassword;
        this.poolSize = poolSize;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        this.positiveCacheTtl = positiveCacheTtl;
        this.negativeCacheTtl = negativeCacheTtl;
        this.cacheSize = cacheSize;
        this.mailHostAttribute = mailHostAttribute;
        this.mailRoutingAddressAttribute = mailRoutingAddressAttribute;
        this.domainLookup = domainLookup;
        this.hostMap = hostMap;
    }

    public ImmutableList<LDAPURL> urls() {
        return urls;
    }

    public String baseDN() {
        return baseDN;
    }

    public String filter() {
        return filter;
    }

    public Optional<String> bindDN() {
        return bindDN;
    }

    public Optional<String> bindPassword() {
        return bindPassword;
    }

    public int poolSize() {
        return poolSize;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration responseTimeout() {
        return responseTimeout;
    }

    public Duration positiveCacheTtl() {
        return positiveCacheTtl;
    }

    public Duration negativeCacheTtl() {
        return negativeCacheTtl;
    }

    public int cacheSize() {
        return cacheSize;
    }

    public String mailHostAttribute() {
        return mailHostAttribute;
    }

    public String mailRoutingAddressAttribute() {
        return mailRoutingAddressAttribute;
    }

    public boolean domainLookup() {
        return domainLookup;
    }

    /** mailHost value (lower case) to hop name; a value not listed is used as the hop name itself. */
    public ImmutableMap<String, String> hostMap() {
        return hostMap;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof LdapRouteSourceConfiguration) {
            LdapRouteSourceConfiguration that = (LdapRouteSourceConfiguration) o;
            return poolSize == that.poolSize && cacheSize == that.cacheSize && domainLookup == that.domainLookup
                && urls.equals(that.urls) && baseDN.equals(that.baseDN) && filter.equals(that.filter)
                && bindDN.equals(that.bindDN) && bindPassword.equals(that.bindPassword)
                && connectTimeout.equals(that.connectTimeout) && responseTimeout.equals(that.responseTimeout)
                && positiveCacheTtl.equals(that.positiveCacheTtl) && negativeCacheTtl.equals(that.negativeCacheTtl)
                && mailHostAttribute.equals(that.mailHostAttribute)
                && mailRoutingAddressAttribute.equals(that.mailRoutingAddressAttribute) && hostMap.equals(that.hostMap);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(urls, baseDN, filter, bindDN, bindPassword, poolSize, connectTimeout, responseTimeout,
            positiveCacheTtl, negativeCacheTtl, cacheSize, mailHostAttribute, mailRoutingAddressAttribute, domainLookup, hostMap);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("urls", urls)
            .add("baseDN", baseDN)
            .add("filter", filter)
            .add("bindDN", bindDN)
            .add("bindPassword", bindPassword.map(any -> "***"))
            .add("poolSize", poolSize)
            .add("positiveCacheTtl", positiveCacheTtl)
            .add("negativeCacheTtl", negativeCacheTtl)
            .add("hostMap", hostMap)
            .toString();
    }
}
