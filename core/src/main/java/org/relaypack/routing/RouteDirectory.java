package org.relaypack.routing;

import java.io.File;
import java.io.FileNotFoundException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.relaypack.delivery.NextHop;
import org.relaypack.delivery.NextHopsConfiguration;
import org.relaypack.lifecycle.NotInstalled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.inject.ProvidedBy;
import com.unboundid.ldap.sdk.LDAPException;

/**
 * The route directory of the inbound relay: the routed domains and the route sources, asked in the
 * configured order. The first source with a route wins; a source that fails stops the lookup with a
 * temporary failure (a later source might give another, wrong, answer). Recipients outside the routed
 * domains have no route. A route to one of this relay's own names is refused (a temporary failure,
 * logged as an error) so that a bad directory entry cannot make mail loop through this relay, and so
 * is a route to a next hop that {@code <nexthops>} does not define.
 *
 * One per James, made and closed by the pack's Guice module (docs/lifecycle.md); without the module,
 * James stops at startup saying which line to add.
 */
@ProvidedBy(RouteDirectory.NotInstalledProvider.class)
public class RouteDirectory implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(RouteDirectory.class);
    static final String METRIC_PREFIX = "relaypack_routing_";

    /** A lookup and the source that answered it. */
    public static final class Answer {
        private final RouteLookup lookup;
        private final Optional<String> source;

        private Answer(RouteLookup lookup, Optional<String> source) {
            this.lookup = lookup;
            this.source = source;
        }

        public RouteLookup lookup() {
            return lookup;
        }

        /** The name of the source that found the route or failed; empty for "no route". */
        public Optional<String> source() {
            return source;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof Answer) {
                Answer that = (Answer) o;
                return lookup.equals(that.lookup) && source.equals(that.source);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(lookup, source);
        }

        @Override
        public String toString() {
            return MoreObjects.toStringHelper(this).add("lookup", lookup).add("source", source.orElse(null)).omitNullValues().toString();
        }
    }

    /** What Guice gives without the pack's module: a startup failure naming the line to add. */
    public static final class NotInstalledProvider extends NotInstalled<RouteDirectory> {
        public NotInstalledProvider() {
            super(RouteDirectory.class);
        }
    }

    /** For tests and embedding: a directory over ready-made sources, taking any next hop name. */
    public static RouteDirectory of(Collection<Domain> domains, Collection<String> localNames, Collection<? extends RouteSource> sources,
                                    MetricFactory metricFactory) {
        return of(domains, localNames, sources, KnownHops.any(), metricFactory);
    }

    /** For tests and embedding: a directory over ready-made sources, routing only to {@code knownHops}. */
    public static RouteDirectory of(Collection<Domain> domains, Collection<String> localNames, Collection<? extends RouteSource> sources,
                                    KnownHops knownHops, MetricFactory metricFactory) {
        return new RouteDirectory(ImmutableSet.copyOf(domains), normalize(localNames), ImmutableList.copyOf(sources), knownHops, metricFactory);
    }

    /**
     * The directory of {@code <routing>}, its sources opened (LDAP pool, routes file and its reload
     * thread): close it when James stops.
     *
     * @throws ConfigurationException when a source cannot be opened, a route of the routes file names a
     *                                next hop {@code nextHops} lacks, or a static route points at this relay
     */
    public static RouteDirectory create(RoutingConfiguration configuration, NextHopsConfiguration nextHops, FileSystem fileSystem,
                                        RecipientRewriteTable recipientRewriteTable, MetricFactory metricFactory) throws ConfigurationException {
        return new RouteDirectory(configuration, KnownHops.of(nextHops), fileSystem, recipientRewriteTable, metricFactory);
    }

    private final ImmutableSet<Domain> domains;
    private final ImmutableSet<String> localNames;
    private final ImmutableList<RouteSource> sources;
    private final KnownHops knownHops;
    private final Metric found;
    private final Metric noRoute;
    private final Metric failure;
    private final MetricFactory metricFactory;

    RouteDirectory(RoutingConfiguration configuration, KnownHops knownHops, FileSystem fileSystem,
                   RecipientRewriteTable recipientRewriteTable, MetricFactory metricFactory) throws ConfigurationException {
        this(configuration.domains(),
            ImmutableSet.<String>builder().addAll(configuration.localNames()).addAll(thisHostNames()).build(),
            createSources(configuration, knownHops, fileSystem, recipientRewriteTable),
            knownHops,
            metricFactory);
        checkNoStaticRouteLoops(configuration);
        LOGGER.info("Route directory: domains {}, sources {}, local names {}", domains, configuration.sourceOrder(), localNames);
    }

    private RouteDirectory(ImmutableSet<Domain> domains, ImmutableSet<String> localNames, ImmutableList<RouteSource> sources,
                           KnownHops knownHops, MetricFactory metricFactory) {
        this.domains = domains;
        this.localNames = localNames;
        this.sources = sources;
        this.knownHops = knownHops;
        this.metricFactory = metricFactory;
        this.found = metricFactory.generate(METRIC_PREFIX + "found");
        this.noRoute = metricFactory.generate(METRIC_PREFIX + "no_route");
        this.failure = metricFactory.generate(METRIC_PREFIX + "temporary_failure");
    }

    private static ImmutableSet<String> normalize(Collection<String> names) {
        return names.stream().map(name -> name.toLowerCase(Locale.ROOT)).collect(ImmutableSet.toImmutableSet());
    }

    private static ImmutableSet<String> thisHostNames() {
        try {
            InetAddress localHost = InetAddress.getLocalHost();
            return normalize(ImmutableSet.of(localHost.getHostName(), localHost.getCanonicalHostName()));
        } catch (UnknownHostException e) {
            LOGGER.warn("Cannot resolve this host's name; list it in <routing localNames=\"...\"> for the loop guard", e);
            return ImmutableSet.of();
        }
    }

    private static ImmutableList<RouteSource> createSources(RoutingConfiguration configuration, KnownHops knownHops, FileSystem fileSystem,
                                                            RecipientRewriteTable recipientRewriteTable) throws ConfigurationException {
        configuration.checkHops(knownHops);
        ImmutableList.Builder<RouteSource> sources = ImmutableList.builder();
        for (String name : configuration.sourceOrder()) {
            switch (name) {
                case RoutingConfiguration.FILE:
                    sources.add(fileSource(configuration.file().orElseThrow(), knownHops, fileSystem));
                    break;
                case RoutingConfiguration.LDAP:
                    try {
                        sources.add(LdapRouteSource.create(configuration.ldap().orElseThrow(), knownHops));
                    } catch (LDAPException e) {
                        throw new ConfigurationException(RoutingConfiguration.PATH + "/<sources>/<ldap>: " + e.getMessage(), e);
                    }
                    break;
                case RoutingConfiguration.RRT:
                    sources.add(new RrtRouteSource(recipientRewriteTable, configuration.rrt().orElseThrow()));
                    break;
                case RoutingConfiguration.PLACEMENT:
                    sources.add(new RendezvousPlacement(configuration.placement().orElseThrow()));
                    break;
                default:
                    throw new ConfigurationException(RoutingConfiguration.PATH + "/<sources>: unknown source <" + name + ">");
            }
        }
        return sources.build();
    }

    private static FileRouteSource fileSource(RoutingConfiguration.FileSource file, KnownHops knownHops, FileSystem fileSystem)
        throws ConfigurationException {
        String where = RoutingConfiguration.PATH + "/<sources>/<file>: " + RoutingConfiguration.FILE_PATH + " '" + file.path() + "' cannot be used: ";
        File resolved;
        try {
            resolved = fileSystem.getFile(file.path());
        } catch (FileNotFoundException e) {
            throw new ConfigurationException(where + e.getMessage(), e);
        }
        try {
            return FileRouteSource.load(resolved.toPath(), file.reloadInterval(), knownHops);
        } catch (RoutesFileException e) {
            throw new ConfigurationException(where + e.getMessage(), e);
        }
    }

    private void checkNoStaticRouteLoops(RoutingConfiguration configuration) throws ConfigurationException {
        Stream<String> staticHops = Stream.of(
                fileSource().map(source -> source.table().hopNames().stream()).orElse(Stream.empty()),
                configuration.rrt().map(map -> map.values().stream()).orElse(Stream.empty()),
                configuration.placement().map(Collection::stream).orElse(Stream.empty()))
            .flatMap(stream -> stream);
        Optional<String> loop = staticHops.filter(this::isLocalName).findFirst();
        if (loop.isPresent()) {
            close();
            throw new ConfigurationException(RoutingConfiguration.PATH + ": a route points at next hop '" + loop.get()
                + "', which is a name of this relay " + localNames + ": mail would loop");
        }
    }

    public ImmutableSet<Domain> routedDomains() {
        return domains;
    }

    public boolean isRoutedDomain(Domain domain) {
        return domains.contains(domain);
    }

    /** The next hops a route may name. */
    public KnownHops knownHops() {
        return knownHops;
    }

    public ImmutableSet<String> localNames() {
        return localNames;
    }

    /** True when {@code name} (a hop or host name) is one of this relay's own names. */
    public boolean isLocalName(String name) {
        return localNames.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * For the router, before delivering to a hop: refuses a hop that is, or has a host that is, one
     * of this relay's own names.
     *
     * @throws IllegalArgumentException naming the hop and the host
     */
    public void checkNotThisRelay(NextHop hop) {
        if (isLocalName(hop.name())) {
            throw new IllegalArgumentException("next hop '" + hop.name() + "' is a name of this relay " + localNames + ": mail would loop");
        }
        hop.hosts().stream()
            .filter(host -> isLocalName(host.host()))
            .findFirst()
            .ifPresent(host -> {
                throw new IllegalArgumentException("next hop '" + hop.name() + "' has host '" + host.asString()
                    + "', a name of this relay " + localNames + ": mail would loop");
            });
    }

    public ImmutableList<RouteSource> sources() {
        return sources;
    }

    public Optional<FileRouteSource> fileSource() {
        return sources.stream()
            .filter(FileRouteSource.class::isInstance)
            .map(FileRouteSource.class::cast)
            .findFirst();
    }

    public RouteLookup lookup(MailAddress recipient) {
        return explain(recipient).lookup();
    }

    public Answer explain(MailAddress recipient) {
        TimeMetric timer = metricFactory.timer(METRIC_PREFIX + "lookup");
        try {
            Answer answer = resolve(recipient);
            count(answer.lookup());
            return answer;
        } finally {
            timer.stopAndPublish();
        }
    }

    private Answer resolve(MailAddress recipient) {
        if (!isRoutedDomain(recipient.getDomain())) {
            return new Answer(RouteLookup.noRoute(), Optional.empty());
        }
        for (RouteSource source : sources) {
            RouteLookup lookup = source.lookup(recipient);
            if (lookup.isTemporaryFailure()) {
                return new Answer(lookup, Optional.of(source.name()));
            }
            if (lookup.isFound()) {
                String hop = lookup.route().orElseThrow().hop();
                if (isLocalName(hop)) {
                    LOGGER.error("Route of {} from source {} points at '{}', a name of this relay: refused (mail would loop)",
                        recipient.asString(), source.name(), hop);
                    return new Answer(RouteLookup.temporaryFailure("route of " + recipient.asString() + " points back at this relay ('"
                        + hop + "')"), Optional.of(source.name()));
                }
                if (!knownHops.contains(hop)) {
                    LOGGER.error("Route of {} from source {}: {}: deferred", recipient.asString(), source.name(), knownHops.unknown(hop));
                    return new Answer(RouteLookup.temporaryFailure("route of " + recipient.asString() + ": " + knownHops.unknown(hop)),
                        Optional.of(source.name()));
                }
                return new Answer(lookup, Optional.of(source.name()));
            }
        }
        return new Answer(RouteLookup.noRoute(), Optional.empty());
    }

    private void count(RouteLookup lookup) {
        switch (lookup.status()) {
            case FOUND:
                found.increment();
                break;
            case NO_ROUTE:
                noRoute.increment();
                break;
            default:
                failure.increment();
        }
    }

    @Override
    public void close() {
        for (RouteSource source : sources) {
            if (source instanceof AutoCloseable) {
                try {
                    ((AutoCloseable) source).close();
                } catch (Exception e) {
                    LOGGER.warn("Closing route source {} failed", source.name(), e);
                }
            }
        }
    }
}
