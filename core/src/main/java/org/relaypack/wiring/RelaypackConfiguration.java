package org.relaypack.wiring;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.relaypack.delivery.LedgerConfiguration;
import org.relaypack.delivery.NextHopsConfiguration;
import org.relaypack.operations.HealthConfiguration;
import org.relaypack.routing.KnownHops;
import org.relaypack.routing.RoutingConfiguration;
import org.relaypack.smarthost.SmarthostRoutes;
import org.relaypack.tls.report.TlsReportingConfiguration;

import com.google.common.base.MoreObjects;

/**
 * relaypack.xml, parsed once per James: the next hops, the smarthost routes and the routing
 * section, each checked against the next hops. Every shared part and component is built from this
 * one object ({@link RelaypackModule}).
 */
public final class RelaypackConfiguration {
    public static final String COMPONENT = "relaypack";

    public static RelaypackConfiguration from(HierarchicalConfiguration<ImmutableNode> relaypackXml, FileSystem fileSystem,
                                              Function<String, String> environment) throws ConfigurationException {
        NextHopsConfiguration nextHops = NextHopsConfiguration.from(relaypackXml, fileSystem, environment);
        Optional<SmarthostRoutes> smarthost = hasSection(relaypackXml, SmarthostRoutes.SECTION)
            ? Optional.of(SmarthostRoutes.from(relaypackXml, nextHops))
            : Optional.empty();
        Optional<RoutingConfiguration> routing = hasSection(relaypackXml, RoutingConfiguration.SECTION)
            ? Optional.of(RoutingConfiguration.from(relaypackXml))
            : Optional.empty();
        if (routing.isPresent()) {
            routing.get().checkHops(KnownHops.of(nextHops));
        }
        return new RelaypackConfiguration(nextHops, smarthost, routing, HealthConfiguration.from(relaypackXml),
            TlsReportingConfiguration.from(relaypackXml), LedgerConfiguration.from(relaypackXml));
    }

    private static boolean hasSection(HierarchicalConfiguration<ImmutableNode> relaypackXml, String section) {
        return relaypackXml.getNodeModel().getNodeHandler().getRootNode().getChildren().stream()
            .anyMatch(node -> node.getNodeName().equals(section));
    }

    private final NextHopsConfiguration nextHops;
    private final Optional<SmarthostRoutes> smarthost;
    private final Optional<RoutingConfiguration> routing;
    private final HealthConfiguration health;
    private final TlsReportingConfiguration tlsReporting;
    private final LedgerConfiguration ledger;

    private RelaypackConfiguration(NextHopsConfiguration nextHops, Optional<SmarthostRoutes> smarthost,
                                   Optional<RoutingConfiguration> routing, HealthConfiguration health,
                                   TlsReportingConfiguration tlsReporting, LedgerConfiguration ledger) {
        this.nextHops = nextHops;
        this.smarthost = smarthost;
        this.routing = routing;
        this.health = health;
        this.tlsReporting = tlsReporting;
        this.ledger = ledger;
    }

    /** The {@code <tls-reporting>} element (RFC 8460 reports); disabled when absent. */
    public TlsReportingConfiguration tlsReporting() {
        return tlsReporting;
    }

    /** The {@code <health>} element: when a next hop's health check turns degraded; defaults when absent. */
    public HealthConfiguration health() {
        return health;
    }

    /** The {@code <deliveredLedger>} element; defaults when absent. */
    public LedgerConfiguration ledger() {
        return ledger;
    }

    public NextHopsConfiguration nextHops() {
        return nextHops;
    }

    /** The {@code <smarthost>} section; empty when relaypack.xml has none. */
    public Optional<SmarthostRoutes> smarthost() {
        return smarthost;
    }

    /** The {@code <routing>} section; empty when relaypack.xml has none. */
    public Optional<RoutingConfiguration> routing() {
        return routing;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof RelaypackConfiguration) {
            RelaypackConfiguration that = (RelaypackConfiguration) o;
            return nextHops.equals(that.nextHops) && smarthost.equals(that.smarthost) && routing.equals(that.routing)
                && health.equals(that.health) && tlsReporting.equals(that.tlsReporting) && ledger.equals(that.ledger);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(nextHops, smarthost, routing, health, tlsReporting, ledger);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("nextHops", nextHops.hops().keySet()).add("smarthost", smarthost)
            .add("routing", routing).add("health", health).add("tlsReporting", tlsReporting).add("ledger", ledger).toString();
    }
}
