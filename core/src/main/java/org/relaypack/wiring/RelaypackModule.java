package org.relaypack.wiring;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.operations.HealthConfiguration;
import org.relaypack.routing.RouteDirectory;
import org.relaypack.smarthost.SmarthostRoutes;
import org.relaypack.tls.report.TlsReportSink;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;

/**
 * The pack's Guice module, installed in James through {@code conf/extensions.properties}:
 * <pre>
 * guice.extension.module=org.relaypack.wiring.RelaypackModule
 * </pre>
 * James builds every mailet, matcher, SMTP hook and WebAdmin route of an extension in one child
 * injector made with this module, so the singletons bound here are shared by all of them: one
 * relaypack.xml parsed once, one delivery engine, one route directory, closed when James stops
 * ({@link SharedParts}). See docs/lifecycle.md.
 */
public class RelaypackModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(SharedParts.class).in(Scopes.SINGLETON);
    }

    @Provides
    @Singleton
    RelaypackConfiguration configuration(ConfigurationProvider configurationProvider, FileSystem fileSystem) throws ConfigurationException {
        return RelaypackConfiguration.from(configurationProvider.getConfiguration(RelaypackConfiguration.COMPONENT), fileSystem, System::getenv);
    }

    @Provides
    @Singleton
    DeliveryEngine engine(SharedParts parts) {
        return parts.engine();
    }

    @Provides
    @Singleton
    TlsReportSink tlsReportSink(SharedParts parts) {
        return parts.tlsReporting().sink();
    }

    @Provides
    @Singleton
    RouteDirectory directory(SharedParts parts) throws ConfigurationException {
        return parts.directory();
    }

    @Provides
    @Singleton
    HealthConfiguration health(RelaypackConfiguration configuration) {
        return configuration.health();
    }

    @Provides
    @Singleton
    SmarthostRoutes smarthostRoutes(RelaypackConfiguration configuration) throws ConfigurationException {
        return configuration.smarthost()
            .orElseThrow(() -> new ConfigurationException("relaypack.xml has no <smarthost> section: SmarthostDelivery needs its routes"));
    }
}
