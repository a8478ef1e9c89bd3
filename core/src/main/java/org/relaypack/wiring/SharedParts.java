package org.relaypack.wiring;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Provider;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.mailet.MailetContext;
import org.relaypack.delivery.DeliveredLedger;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.delivery.LedgerConfiguration;
import org.relaypack.delivery.SmtpTransport;
import org.relaypack.delivery.SpoolShare;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.tls.report.TlsReporting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of the pack that exist once per James: the delivery engine (its hop queues' consumers,
 * its SMTP connection pool) and the route directory (its LDAP pool, its routes-file reload thread).
 * Each is made from the one {@link RelaypackConfiguration} when a component first needs it, during
 * James's start (mailets, matchers, hooks and WebAdmin routes are built then); the engine is started
 * as it is made. James calls {@link #close()} when it stops: its {@code @PreDestroy} stager runs the
 * method of every object its injectors built, this one included (docs/lifecycle.md).
 */
public class SharedParts {
    private static final Logger LOGGER = LoggerFactory.getLogger(SharedParts.class);
    /** Under James's {@code var/}: where the delivered ledger keeps its files. */
    public static final String LEDGER_DIRECTORY = "relaypack/delivered";

    private final RelaypackConfiguration configuration;
    private final MailQueueFactory<?> queueFactory;
    private final MetricFactory metricFactory;
    private final Provider<SmtpTransport> transport;
    private final MailetContext mailetContext;
    private final FileSystem fileSystem;
    private final RecipientRewriteTable recipientRewriteTable;
    private final ConfigurationProvider configurationProvider;
    private final DNSService dns;
    private Optional<DeliveryEngine> engine = Optional.empty();
    private Optional<TlsReporting> tlsReporting = Optional.empty();
    private Optional<RouteDirectory> directory = Optional.empty();
    private boolean closed;

    @Inject
    public SharedParts(RelaypackConfiguration configuration, MailQueueFactory<?> queueFactory, MetricFactory metricFactory,
                       Provider<SmtpTransport> transport, MailetContext mailetContext, FileSystem fileSystem,
                       RecipientRewriteTable recipientRewriteTable, ConfigurationProvider configurationProvider, DNSService dns) {
        this.configuration = configuration;
        this.queueFactory = queueFactory;
        this.metricFactory = metricFactory;
        this.transport = transport;
        this.mailetContext = mailetContext;
        this.fileSystem = fileSystem;
        this.recipientRewriteTable = recipientRewriteTable;
        this.configurationProvider = configurationProvider;
        this.dns = dns;
    }

    /** RFC 8460 reporting (docs/tls-reporting.md), started at the first call; a no-op sink when {@code <tls-reporting>} is off. */
    public synchronized TlsReporting tlsReporting() {
        checkOpen();
        if (tlsReporting.isEmpty()) {
            tlsReporting = Optional.of(TlsReporting.start(configuration.tlsReporting(), dns, fileSystem, mailetContext));
        }
        return tlsReporting.get();
    }

    /** The engine, made and started at the first call. */
    public synchronized DeliveryEngine engine() {
        checkOpen();
        if (engine.isEmpty()) {
            DeliveryEngine made = new DeliveryEngine(queueFactory, metricFactory, transport.get(), mailetContext, configuration.nextHops(),
                SpoolShare.spoolThreads(configurationProvider), openLedger());
            made.start();
            engine = Optional.of(made);
        }
        return engine.get();
    }

    /** The engine's delivered ledger, in James's {@code var/relaypack/delivered/} (docs/durability.md). */
    private DeliveredLedger openLedger() {
        LedgerConfiguration ledger = configuration.ledger();
        String location = FileSystem.FILE_PROTOCOL_AND_VAR + LEDGER_DIRECTORY;
        try {
            return DeliveredLedger.open(fileSystem.getFile(location).toPath(), ledger.retention(configuration.nextHops()), ledger.maxEntries(),
                ledger.fsync(), Clock.systemUTC());
        } catch (IOException e) {
            throw new IllegalStateException("relaypack: cannot open the delivered ledger in " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * The directory of {@code <routing>}, made at the first call.
     *
     * @throws ConfigurationException when relaypack.xml has no {@code <routing>} or a source cannot be opened
     */
    public synchronized RouteDirectory directory() throws ConfigurationException {
        checkOpen();
        if (directory.isEmpty()) {
            directory = Optional.of(RouteDirectory.create(configuration.routing()
                    .orElseThrow(() -> new ConfigurationException("relaypack.xml has no <routing> section: the routing components"
                        + " (MailboxRouter, RoutingRcptHook, the routing matchers, MailboxRoutesWebAdminRoutes) need it")),
                configuration.nextHops(), fileSystem, recipientRewriteTable, metricFactory));
        }
        return directory.get();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("relaypack's shared parts are closed: James is stopping");
        }
    }

    /** Stops the engine's consumers and closes the directory's sources; James calls it when it stops. */
    @PreDestroy
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.ifPresent(DeliveryEngine::stop);
        tlsReporting.ifPresent(TlsReporting::close);
        directory.ifPresent(RouteDirectory::close);
        LOGGER.info("relaypack stopped: delivery engine {}, route directory {}",
            engine.isPresent() ? "stopped" : "never made", directory.isPresent() ? "closed" : "never made");
    }
}
