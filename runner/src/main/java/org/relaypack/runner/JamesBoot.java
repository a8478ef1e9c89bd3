package org.relaypack.runner;

import java.util.List;

import org.apache.james.ExtraProperties;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.modules.server.JMXServerModule;

import com.google.inject.Module;

/**
 * Starts James 3.8.1's memory server as {@link MemoryJamesServerMain#main} does (same modules, same
 * working directory property), with a run's own bindings laid over it (the loopback DNS).
 */
final class JamesBoot {
    static GuiceJamesServer start(List<Module> overrides) throws Exception {
        ExtraProperties.initialize();
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .build();
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .combineWith(new FakeSearchMailboxModule(), new JMXServerModule())
            .overrideWith(new RunArgumentsModule(new String[0]))
            .overrideWith(overrides);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return server;
    }

    private JamesBoot() {
    }
}
