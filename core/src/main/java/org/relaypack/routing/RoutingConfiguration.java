package org.relaypack.routing;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.core.Domain;
import org.relaypack.delivery.HopName;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;

/** The {@code <routing>} section of {@code relaypack.xml}, parsed once. */
public final class RoutingConfiguration {
    public static final String COMPONENT = "relaypack";
    public static final String SECTION = "routing";
    public static final String PATH = "relaypack.xml <routing>";
    public static final String DOMAINS = "domains";
    public static final String LOCAL_NAMES = "localNames";
    public static final String SOURCES = "sources";
    public static final String FILE = "file";
    public static final String LDAP = "ldap";
    public static final String RRT = "rrt";
    public static final String PLACEMENT = "placement";
    public static final String FILE_PATH = "path";
    public static final String FILE_RELOAD_INTERVAL = "reloadInterval";
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);
    static final Duration MAX_RELOAD_INTERVAL = Duration.ofDays(1);

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
        if (relaypack.getNodeModel().getNodeHandler().getRootNode().getChildren().stream()
            .noneMatch(node -> node.getNodeName().equals(SECTION))) {
            throw new ConfigurationException("relaypack.xml has no <routing> section");
        }
        ConfigReader reader = new ConfigReader(PATH, relaypack.configurationAt(SECTION));
        reader.checkKnownChildren(ImmutableSet.of(DOMAINS, LOCAL_NAMES, SOURCES));

        ImmutableSet.Builder<Domain> domains = ImmutableSet.builder();
        for (String domain : reader.strings(DOMAINS + ".domain")) {
            try {
                domains.add(Domain.of(domain));
            } catch (IllegalArgumentException e) {
                throw reader.error(DOMAINS, domain, "not a domain: " + e.getMessage());
            }
        }
        ImmutableSet<Domain> routedDomains = domains.build();
        if (routedDomains.isEmpty()) {
            throw reader.error("missing parameter 'domains' (list the routed domains: <domains><domain>example.com</domain></domains>)");
        }
        ImmutableSet<String> localNames = reader.strings(LOCAL_NAMES + ".name").stream()
            .map(name -> name.toLowerCase(Locale.ROOT))
            .collect(ImmutableSet.toImmutableSet());

        if (reader.configuration().configurationsAt(SOURCES).isEmpty()) {
            throw reader.error("missing parameter 'sources' (at least one of <file>, <ldap>, <rrt>, <placement>)");
        }
        HierarchicalConfiguration<ImmutableNode> sources = reader.configuration().configurationAt(SOURCES);
        ImmutableList.Builder<String> order = ImmutableList.builder();
        Optional<FileSource> file = Optional.empty();
        Optional<LdapRouteSourceConfiguration> ldap = Optional.empty();
        Optional<ImmutableMap<Domain, String>> rrt = Optional.empty();
        Optional<ImmutableList<String>> placement = Optional.empty();
        List<String> names = sources.getNodeModel().getNodeHandler().getRootNode().getChildren().stream()
            .map(ImmutableNode::getNodeName)
            .collect(ImmutableList.toImmutableList());
        Optional<String> twice = names.stream().filter(name -> Collections.frequency(names, name) > 1).findFirst();
        if (twice.isPresent()) {
            throw new ConfigurationException(PATH + "<sources>: source <" + twice.get() + "> given twice");
        }
        for (String name : names) {
            String path = PATH + "<sources><" + name + ">";
            HierarchicalConfiguration<ImmutableNode> element = sources.configurationAt(name);
            switch (name) {
                case FILE:
                    file = Optional.of(fileSource(new ConfigReader(path, element)));
                    break;
                case LDAP:
                    ldap = Optional.of(LdapRouteSourceConfiguration.from(path, element));
                    break;
                case RRT:
                    rrt = Optional.of(rrtDomains(new ConfigReader(path, element)));
                    break;
                case PLACEMENT:
                    placement = Optional.of(placementPool(new ConfigReader(path, element)));
                    break;
                default:
                    throw new ConfigurationException(PATH + "<sources>: unknown source <" + name + "> (known: file, ldap, rrt, placement)");
            }
            order.add(name);
        }
        ImmutableList<String> sourceOrder = order.build();
        if (sourceOrder.isEmpty()) {
            throw reader.error("missing parameter 'sources' (at least one of <file>, <ldap>, <rrt>, <placement>)");
        }
        if (placement.isPresent() && !sourceOrder.get(sourceOrder.size() - 1).equals(PLACEMENT)) {
            throw new ConfigurationException(PATH + "<sources>: <placement> answers every address, it must be the last source");
        }
        return new RoutingConfiguration(routedDomains, localNames, sourceOrder, file, ldap, rrt, placement);
    }

    private static FileSource fileSource(ConfigReader reader) throws ConfigurationException {
        reader.checkKnownChildren(ImmutableSet.of(FILE_PATH, FILE_RELOAD_INTERVAL));
        return new FileSource(reader.requiredString(FILE_PATH), reader.duration(FILE_RELOAD_INTERVAL, DEFAULT_RELOAD_INTERVAL, true,
            MAX_RELOAD_INTERVAL, "1d"));
    }

    private static ImmutableMap<Domain, String> rrtDomains(ConfigReader reader) throws ConfigurationException {
        reader.checkKnownChildren(ImmutableSet.of("domain"));
        ImmutableMap.Builder<Domain, String> domains = ImmutableMap.builder();
        ImmutableSet.Builder<Domain> seen = ImmutableSet.builder();
        for (HierarchicalConfiguration<ImmutableNode> element : reader.configuration().configurationsAt("domain")) {
            String name = element.getString("[@name]", "").trim();
            String hop = element.getString("[@hop]", "").trim();
            Domain domain;
            try {
                domain = Domain.of(name);
            } catch (IllegalArgumentException e) {
                throw reader.error("domain", name, "<domain name=\"...\" hop=\"...\"/> needs a domain name");
            }
            if (!HopName.isValid(hop)) {
                throw reader.error("domain", hop, "<domain name=\"" + name + "\"> needs a hop attribute naming a next hop");
            }
            if (seen.build().contains(domain)) {
                throw reader.error("domain", name, "given twice");
            }
            seen.add(domain);
            domains.put(domain, hop);
        }
        return domains.build();
    }

    private static ImmutableList<String> placementPool(ConfigReader reader) throws ConfigurationException {
        reader.checkKnownChildren(ImmutableSet.of("hop"));
        ImmutableList<String> hops = ImmutableList.copyOf(reader.strings("hop"));
        if (hops.isEmpty()) {
            throw reader.error("missing parameter 'hop' (the pool: <hop>server1</hop><hop>server2</hop>)");
        }
        for (String hop : hops) {
            if (!HopName.isValid(hop)) {
                throw reader.error("hop", hop, "not a next hop name");
            }
        }
        if (ImmutableSet.copyOf(hops).size() != hops.size()) {
            throw reader.error("hop", String.join(",", hops), "a hop is listed twice");
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
                    throw new ConfigurationException(PATH + "<sources><rrt>: <domain name=\"" + route.getKey().asString() + "\" hop=\""
                        + route.getValue() + "\">: " + knownHops.unknown(route.getValue()));
                }
            }
        }
        for (String hop : placement.orElse(ImmutableList.of())) {
            if (!knownHops.contains(hop)) {
                throw new ConfigurationException(PATH + "<sources><placement>: <hop>" + hop + "</hop>: " + knownHops.unknown(hop));
            }
        }
        if (ldap.isPresent()) {
            for (Map.Entry<String, String> mapping : ldap.get().hostMap().entrySet()) {
                if (!knownHops.contains(mapping.getValue())) {
                    throw new ConfigurationException(PATH + "<sources><ldap><hostMap>: '" + mapping.getKey() + "' maps to "
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
