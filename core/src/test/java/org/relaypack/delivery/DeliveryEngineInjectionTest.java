package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestConfigurations.relaypackXml;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.Test;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import com.google.inject.util.Modules;

/**
 * James builds mailets, matchers and hooks with child injectors of its core injector
 * (GuiceGenericLoader: one child for the extension modules, then one child per component). The
 * engine must be one instance for all of them: Guice creates a just-in-time binding in the highest
 * injector that has all its dependencies, so the engine (and its SMTP transport) must depend on
 * core bindings only.
 */
class DeliveryEngineInjectionTest {
    private static final String RELAYPACK_XML = "<nexthops><nexthop name=\"upstream\"><host>[smtp.example]:25</host></nexthop></nexthops>";

    private static Module core() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(new TypeLiteral<MailQueueFactory<?>>() { }).toInstance(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()));
                bind(MetricFactory.class).toInstance(new RecordingMetricFactory());
                bind(MailetContext.class).toInstance(FakeMailContext.defaultContext());
                bind(FileSystem.class).toInstance(new FileSystemImpl(new JamesServerResourceLoader("/nonexistent")));
                bind(ConfigurationProvider.class).toInstance((component, level) -> relaypackXml(RELAYPACK_XML));
                bind(DNSService.class).toInstance(new InMemoryDNSService());
            }
        };
    }

    @Test
    void componentsBuiltByDifferentChildInjectorsShouldShareOneEngine() {
        Injector extensions = Guice.createInjector(core()).createChildInjector(Modules.EMPTY_MODULE);

        DeliveryEngine forMailet = extensions.createChildInjector(Modules.EMPTY_MODULE).getInstance(DeliveryEngine.class);
        DeliveryEngine forHook = extensions.createChildInjector(Modules.EMPTY_MODULE).getInstance(DeliveryEngine.class);

        assertThat(forMailet).isSameAs(forHook);
        assertThat(forMailet.configuration().hop("upstream")).isPresent();
    }
}
