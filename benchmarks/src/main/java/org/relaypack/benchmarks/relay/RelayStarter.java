package org.relaypack.benchmarks.relay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Starts the relays of a run side by side (booting James is what takes longest in quick mode), all pointed at one sink. */
final class RelayStarter {
    private RelayStarter() {
    }

    /**
     * One relay per configuration, in their order: James in {@code runDir/<name>}, Postfix in
     * {@code postfixDir}. Whatever started is closed again when one fails.
     */
    static Map<String, Relay> startAll(List<Configuration> configurations, Path root, Path runDir, Path postfixDir, int sinkPort,
                                       JamesProcess.Launch launch) throws IOException, InterruptedException {
        ExecutorService starter = Executors.newFixedThreadPool(configurations.size());
        Map<String, Relay> started = new LinkedHashMap<>();
        try {
            Map<String, Future<Relay>> starting = new LinkedHashMap<>();
            for (Configuration configuration : configurations) {
                starting.put(configuration.name, starter.submit(() -> start(configuration, root, runDir, postfixDir, sinkPort, launch)));
            }
            ExecutionException failure = null;
            for (Map.Entry<String, Future<Relay>> entry : starting.entrySet()) {
                try {
                    started.put(entry.getKey(), entry.getValue().get());
                } catch (ExecutionException e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                for (Relay relay : started.values()) {
                    relay.close();
                }
                throw new IOException(failure.getCause().getMessage(), failure.getCause());
            }
            return started;
        } finally {
            starter.shutdown();
        }
    }

    private static Relay start(Configuration configuration, Path root, Path runDir, Path postfixDir, int sinkPort,
                               JamesProcess.Launch launch) throws IOException, InterruptedException {
        if (configuration.kind == Configuration.Kind.POSTFIX) {
            return PostfixProcess.start(postfixDir, sinkPort);
        }
        Path workdir = Files.createDirectories(runDir.resolve(configuration.name));
        return JamesProcess.start(configuration.name, root.resolve("benchmarks").resolve("conf").resolve(configuration.folder), workdir,
            Collections.singletonMap(JamesProcess.SHIPPED_SINK_PORT, sinkPort), launch, configuration.queue);
    }
}
