package org.relaypack.runner;

import java.util.List;

import org.apache.james.ExtraProperties;
import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerMain;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.modules.server.JMXServerModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.Module;

/**
 * The James 3.8.1 memory server with its mail queues on a {@link QueueChoice}: the memory server's
 * own modules, with the queue bindings overridden.
 */
public final class JamesAssembly {
    private static final Logger LOGGER = LoggerFactory.getLogger(JamesAssembly.class);

    private JamesAssembly() {
    }

    /** The server as a test or an embedding program builds it (no JMX, no shutdown hook). */
    public static GuiceJamesServer server(MemoryJamesConfiguration configuration, QueueChoice queue) {
        return MemoryJamesServerMain.createServer(configuration).overrideWith(queue.module());
    }

    /**
     * What {@code MemoryJamesServerMain.main} does, on the chosen queue: the working directory from
     * the {@code working.directory} system property, JMX, and a shutdown hook that stops James
     * (and so the queue's broker) on SIGTERM or Ctrl-C; {@code overrides} are a run's own bindings
 * laid over it (the loopback DNS).
     */
    public static GuiceJamesServer startMain(QueueChoice queue, List<Module> overrides) throws Exception {
        ExtraProperties.initialize();
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .build();
        LOGGER.info("Mail queues: {}", queue.description());
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .combineWith(new FakeSearchMailboxModule(), new JMXServerModule())
            .overrideWith(RunArgumentsModule.EMPTY)
            .overrideWith(queue.module())
            .overrideWith(overrides);
        JamesServerMain.main(server);
        return server;
    }
}
