package org.relaypack.mailets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.relaypack.delivery.TestConfigurations.relaypackXml;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import javax.annotation.PreDestroy;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.onami.lifecycle.PreDestroyModule;
import org.apache.james.onami.lifecycle.Stager;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.memory.MemoryRecipientRewriteTable;
import org.apache.james.server.core.JamesServerResourceLoader;
import org.apache.james.server.core.configuration.ConfigurationProvider;
import org.apache.james.server.core.filesystem.FileSystemImpl;
import org.apache.mailet.MailetContext;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.DeliveryEngine;
import org.relaypack.lifecycle.NotInstalled;

import org.relaypack.wiring.RelaypackModule;

import com.google.common.base.Throwables;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import com.google.inject.util.Modules;

/**
 * James builds mailets, matchers and hooks with child injectors of its core injector
 * (GuiceGenericLoader: one child made with the modules of {@code guice.extension.module}, then one
 * child per component), and stops by running the {@code @PreDestroy} stager of its core injector.
 * The engine must be one per James, stopped with James, and a James without the pack's module must
 * not start.
 */
class DeliveryEngineInjectionTest {
    private static final String RELAYPACK_XML = "<nexthops><nexthop name=\"upstream\"><host>[smtp.example]:25</host></nexthop></nexthops>";

    private final List<Injector> jamesServers = new ArrayList<>();

    /** James's core injector: stopped after each test, as James stops. */
    private Injector james() {
        Injector core = Guice.createInjector(core());
        jamesServers.add(core);
        return core;
    }

    @AfterEach
    void stopEveryJames() {
        jamesServers.forEach(DeliveryEngineInjectionTest::stopJames);
    }

    /** What James's core injector offers an extension, its @PreDestroy stage included. */
    private static Module core() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                install(new PreDestroyModule());
                bind(new TypeLiteral<MailQueueFactory<?>>() { }).toInstance(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()));
                bind(MetricFactory.class).toInstance(new RecordingMetricFactory());
                bind(MailetContext.class).toInstance(FakeMailContext.defaultContext());
                bind(FileSystem.class).toInstance(new FileSystemImpl(new JamesServerResourceLoader("/nonexistent")));
                bind(ConfigurationProvider.class).toInstance((component, level) -> relaypackXml(RELAYPACK_XML));
                bind(DNSService.class).toInstance(new InMemoryDNSService());
                // A provider, not an instance: Guice would inject the table's own setters, which need more of James.
                bind(RecipientRewriteTable.class).toProvider(MemoryRecipientRewriteTable::new);
            }
        };
    }

    private static List<String> consumerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> name.startsWith("relaypack-upstream")) // the hop queue consumers of next hop "upstream"
            .collect(Collectors.toList());
    }

    private static void stopJames(Injector core) {
        core.getInstance(Key.get(new TypeLiteral<Stager<PreDestroy>>() { })).stage();
    }

    @Test
    void componentsBuiltByDifferentChildInjectorsShouldShareOneStartedEngine() {
        Injector extensions = james().createChildInjector(new RelaypackModule());

        DeliveryEngine forMailet = extensions.createChildInjector(Modules.EMPTY_MODULE).getInstance(DeliveryEngine.class);
        DeliveryEngine forHook = extensions.createChildInjector(Modules.EMPTY_MODULE).getInstance(DeliveryEngine.class);

        assertThat(forMailet).isSameAs(forHook);
        assertThat(forMailet.isStarted()).isTrue();
        assertThat(forMailet.configuration().hop("upstream")).isPresent();
    }

    @Test
    void engineShouldStopWhenJamesStops() {
        Injector core = james();
        Injector extensions = core.createChildInjector(new RelaypackModule());
        DeliveryEngine engine = extensions.createChildInjector(Modules.EMPTY_MODULE).getInstance(DeliveryEngine.class);
        assertThat(consumerThreads()).isNotEmpty();

        stopJames(core);

        assertThat(engine.isStarted()).isFalse();
        await().untilAsserted(() -> assertThat(consumerThreads()).isEmpty());
    }

    @Test
    void mailetShouldStopJamesWithTheInstallLineWhenThePackModuleIsMissing() {
        Injector extensions = james().createChildInjector(Modules.EMPTY_MODULE);

        assertThatThrownBy(() -> extensions.createChildInjector(Modules.EMPTY_MODULE).getInstance(SmarthostDelivery.class))
            .satisfies(e -> assertThat(Throwables.getRootCause(e))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("relaypack is not installed in this James")
                .hasMessageContaining("Add the line '" + NotInstalled.EXTENSIONS_LINE + "' to conf/extensions.properties"));
    }

    @Test
    void engineShouldNotBeMadeWithoutThePackModule() {
        Injector extensions = james().createChildInjector(Modules.EMPTY_MODULE);

        assertThatThrownBy(() -> extensions.createChildInjector(Modules.EMPTY_MODULE).getInstance(DeliveryEngine.class))
            // Guice shortens class names in its own message; the cause carries them whole.
            .satisfies(e -> assertThat(Throwables.getRootCause(e))
                .hasMessageContaining(DeliveryEngine.class.getName())
                .hasMessageContaining(NotInstalled.EXTENSIONS_LINE));
    }
}
