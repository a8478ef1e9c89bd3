package org.relaypack.routing;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.Domain;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.DurationRange;
import org.relaypack.delivery.HopName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/** The {@code <routing>} section of {@code relaypack.xml}, parsed once. */
public final class RoutingConfiguration {
    public static final String COMPONENT = "relaypack";
    public static final String SECTION = "routing";
    public static final String PATH = ConfigElement.FILE_NAME + "/<" + SECTION + ">";
    public static final String DOMAINS = "domains";
    public static final String LOCAL_NAMES = "localNames";
    public static final String SOURCES = "sources";
    public static final String FILE = "file";
    public static final String LDAP = "ldap";
    public static final String RRT = "rrt";
    public static final String PLACEMENT = "placement";
    public static final String FILE_PATH = "path";
    public static final String FILE_RELOAD_INTERVAL = "reloadInterval";
    public static final String RRT_DOMAIN = "domain";
    public static final String RRT_DOMAIN_NAME = "name";
    public static final String RRT_DOMAIN_HOP = "hop";
    public static final String PLACEMENT_HOP = "hop";
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);
    /** Zero: never reloaded. */
    static final DurationRange RELOAD_INTERVAL_RANGE = DurationRange.zeroUpTo(Duration.ofDays(1));
    private static final Logger LOGGER = LoggerFactory.getLogger(RoutingConfiguration.class);

    /** The {@code <file>} source. */
    public static final class FileSource {
        private final String path;
        private final Duration reloadInterval;

        public FileSource(String path, Duration reloadInterval) {
            this.path = path;
            this.reloadInterval = reloadInterval;
        }

        public String path() {
            return path;
        }

        /** Zero: never reloaded. */
        public Duration reloadInterval() {
            return reloadInterval;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof FileSource) {
                FileSource that = (FileSource) o;
                return path.equals(that.path) && reloadInterval.equals(that.reloadInterval);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, reloadInterval);
        }

        @Override
        public String toString() {
            return MoreObjects.toStringHelper(this).add("path", path).add("reloadInterval", reloadInterval).toString();
        }
    }

    public static RoutingConfiguration from(HierarchicalConfiguration<ImmutableNode> relaypack) throws ConfigurationException {
        ConfigElement routing = section(relaypack);
        routing.checkAllowed(ImmutableSet.of(DOMAINS, LOCAL_NAMES), ImmutableSet.of(SOURCES));
        ImmutableSet.Builder<Domain> domains = ImmutableSet.builder();
        for (String domain : routing.list(DOMAINS)) {
            try {
                domains.add(Domain.of(domain));
            } catch (IllegalArgumentException e) {
                throw routing.error(DOMAINS, domain, "is not a domain: " + e.getMessage());
            }
        }
        ImmutableSet<Domain> routedDomains = domains.build();
        if (routedDomains.isEmpty()) {
            throw routing.error("attribute domains is required (the routed domains: domains=\"example.com, example.net\")");
        }
        ImmutableSet<String> localNames = routing.list(LOCAL_NAMES).stream()
            .map(name -> name.toLowerCase(Locale.ROOT))
            .collect(ImmutableSet.toImmutableSet());
        ConfigElement sources = routing.child(SOURCES)
            .orElseThrow(() -> routing.error("needs <sources> with at least one of <file>, <ldap>, <rrt>, <placement>"));
        sources.checkAllowed(ImmutableSet.of(), ImmutableSet.of(FILE, LDAP, RRT, PLACEMENT));
        List<String> names = sources.childNames();
        Optional<String> twice = names.stream().filter(name -> Collections.frequency(names, name) > 1).findFirst();
        if (twice.isPresent()) {
            throw sources.error("source <" + twice.get() + "> given twice");
        }
        if (names.isEmpty()) {
            throw sources.error("needs at least one of <file>, <ldap>, <rrt>, <placement>");
        }
        if (names.contains(PLACEMENT) && !names.get(names.size() - 1).equals(PLACEMENT)) {
            throw sources.error("<placement> answers every address, it must be the last source");
        }
        return new RoutingConfiguration(routedDomains, localNames, ImmutableList.copyOf(names),
            optional(sources, FILE, RoutingConfiguration::fileSource), optional(sources, LDAP, LdapRouteSourceConfiguration::from),
            optional(sources, RRT, RoutingConfiguration::rrtDomains), optional(sources, PLACEMENT, RoutingConfiguration::placementPool));
    }

    /** The {@code <routing>} element; written in the old style (parameters as child elements), upgraded with a WARN. */
    private static ConfigElement section(HierarchicalConfiguration<ImmutableNode> relaypack) throws ConfigurationException {
        ConfigElement routing = ConfigElement.root(relaypack).child(SECTION)
            .orElseThrow(() -> new ConfigurationException("relaypack.xml has no <routing> section"));
        ImmutableNode node = routing.node().orElseThrow();
        ImmutableNode upgraded = LegacyRoutingForm.upgrade(node);
        if (upgraded != node) {
            LOGGER.warn("{} is written in the old style, with its parameters as child elements; it is read as before, but write it "
                + "with attributes, as <nexthops> is: {}", PATH, LegacyRoutingForm.toXml(upgraded));
        }
        return ConfigElement.ofNode(upgraded, routing.path());
    }

    private interface Reader<T> {
        T read(ConfigElement element) throws ConfigurationException;
    }

    private static <T> Optional<T> optional(ConfigElement sources, String name, Reader<T> reader) throws ConfigurationException {
        Optional<ConfigElement> element = sources.child(name);
        if (element.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(reader.read(element.get()));
    }

    private static FileSource fileSource(ConfigElement element) throws ConfigurationException {
        element.checkAllowed(ImmutableSet.of(FILE_PATH, FILE_RELOAD_INTERVAL), ImmutableSet.of());
        return new FileSource(element.required(FILE_PATH),
            element.duration(FILE_RELOAD_INTERVAL, RELOAD_INTERVAL_RANGE).orElse(DEFAULT_RELOAD_INTERVAL));
    }

    private static ImmutableMap<Domain, String> rrtDomains(ConfigElement element) throws ConfigurationException {
        element.checkAllowed(ImmutableSet.of(), ImmutableSet.of(RRT_DOMAIN));
        Map<Domain, String> domains = new LinkedHashMap<>();
        for (ConfigElement route : element.children(RRT_DOMAIN)) {
            route.checkAllowed(ImmutableSet.of(RRT_DOMAIN_NAME, RRT_DOMAIN_HOP), ImmutableSet.of());
            String name = route.required(RRT_DOMAIN_NAME);
            String hop = route.required(RRT_DOMAIN_HOP);
            Domain domain;
            try {
                domain = Domain.of(name);
            } catch (IllegalArgumentException e) {
                throw route.error(RRT_DOMAIN_NAME, name, "is not a domain: " + e.getMessage());
            }
            if (!HopName.isValid(hop)) {
                throw route.error(RRT_DOMAIN_HOP, hop, "must be " + HopName.SYNTAX);
            }
            if (domains.containsKey(domain)) {
                throw route.error(RRT_DOMAIN_NAME, name, "is given twice");
            }
            domains.put(domain, hop);
        }
        return ImmutableMap.copyOf(domains);
    }

    private static ImmutableList<String> placementPool(ConfigElement element) throws ConfigurationException {
        element.checkAllowed(ImmutableSet.of(), ImmutableSet.of(PLACEMENT_HOP));
        ImmutableList.Builder<String> pool = ImmutableList.builder();
        for (ConfigElement hopElement : element.children(PLACEMENT_HOP)) {
            hopElement.checkAllowed(ImmutableSet.of(), ImmutableSet.of());
            String hop = hopElement.requiredText();
            if (!HopName.isValid(hop)) {
                throw hopElement.error(PLACEMENT_HOP, hop, "must be " + HopName.SYNTAX);
            }
            pool.add(hop);
        }
        ImmutableList<String> hops = pool.build();
        if (hops.isEmpty()) {
            throw element.error("needs the pool of next hops: <hop>server1</hop><hop>server2</hop>");
        }
        if (ImmutableSet.copyOf(hops).size() != hops.size()) {
            throw element.error(PLACEMENT_HOP, String.join(", ", hops), "lists a hop twice");
        }
        return hops;
    }

    private final ImmutableSet<Domain> domains;
    private final ImmutableSet<String> localNames;
    private final ImmutableList<String> sourceOrder;
    private final Optional<FileSource> file;
    private final Optional<LdapRouteSourceConfiguration> ldap;
    private final Optional<ImmutableMap<Domain, String>> rrt;
    private final Optional<ImmutableList<String>> placement;

    private RoutingConfiguration(ImmutableSet<Domain> domains, ImmutableSet<String> localNames, ImmutableList<String> sourceOrder,
                                 Optional<FileSource> file, Optional<LdapRouteSourceConfiguration> ldap,
                                 Optional<ImmutableMap<Domain, String>> rrt, Optional<ImmutableList<String>> placement) {
        this.domains = domains;
        this.localNames = localNames;
        this.sourceOrder = sourceOrder;
        this.file = file;
        this.ldap = ldap;
        this.rrt = rrt;
        this.placement = placement;
    }

    public ImmutableSet<Domain> domains() {
        return domains;
    }

    /**
     * Checks the next hops this section names itself (RRT domains, the placement pool, the LDAP
     * hostMap) against {@code <nexthops>}; the routes file is checked when it is loaded.
     *
     * @throws ConfigurationException naming the element, the route and the unknown hop
     */
    public void checkHops(KnownHops knownHops) throws ConfigurationException {
        if (rrt.isPresent()) {
            for (Map.Entry<Domain, String> route : rrt.get().entrySet()) {
                if (!knownHops.contains(route.getValue())) {
                    throw new ConfigurationException(PATH + "/<sources>/<rrt>: <domain name=\"" + route.getKey().asString() + "\" hop=\""
                        + route.getValue() + "\">: " + knownHops.unknown(route.getValue()));
                }
            }
        }
        for (String hop : placement.orElse(ImmutableList.of())) {
            if (!knownHops.contains(hop)) {
                throw new ConfigurationException(PATH + "/<sources>/<placement>: <hop>" + hop + "</hop>: " + knownHops.unknown(hop));
            }
        }
        if (ldap.isPresent()) {
            for (Map.Entry<String, String> mapping : ldap.get().hostMap().entrySet()) {
                if (!knownHops.contains(mapping.getValue())) {
                    throw new ConfigurationException(PATH + "/<sources>/<ldap>/<hostMap>: '" + mapping.getKey() + "' maps to "
                        + knownHops.unknown(mapping.getValue()));
                }
            }
        }
    }

    public ImmutableSet<String> localNames() {
        return localNames;
    }

    /** Source element names ({@code file}, {@code ldap}, {@code rrt}, {@code placement}) in the configured order. */
    public ImmutableList<String> sourceOrder() {
        return sourceOrder;
    }

    public Optional<FileSource> file() {
        return file;
    }

    public Optional<LdapRouteSourceConfiguration> ldap() {
        return ldap;
    }

    public Optional<ImmutableMap<Domain, String>> rrt() {
        return rrt;
    }

    public Optional<ImmutableList<String>> placement() {
        return placement;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof RoutingConfiguration) {
            RoutingConfiguration that = (RoutingConfiguration) o;
            return domains.equals(that.domains) && localNames.equals(that.localNames) && sourceOrder.equals(that.sourceOrder)
                && file.equals(that.file) && ldap.equals(that.ldap) && rrt.equals(that.rrt) && placement.equals(that.placement);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(domains, localNames, sourceOrder, file, ldap, rrt, placement);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("domains", domains)
            .add("localNames", localNames)
            .add("sourceOrder", sourceOrder)
            .add("file", file)
            .add("ldap", ldap)
            .add("rrt", rrt)
            .add("placement", placement)
            .toString();
    }
}
