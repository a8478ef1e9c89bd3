package org.relaypack.benchmarks.relay;

import java.io.IOException;
import java.util.OptionalDouble;

/** A relay under test, in processes of its own: a James JVM or a Postfix instance. */
interface Relay extends AutoCloseable {
    /** Its configuration's name ({@link Configuration#name}). */
    String name();

    /** Where the load generator connects, on 127.0.0.1. */
    int smtpPort();

    /** CPU time (user + system) its processes have used so far, in seconds. */
    double cpuSeconds() throws IOException;

    /** Peak resident set size in MiB, where one process holds it all; empty otherwise. */
    OptionalDouble peakRssMib() throws IOException;

    @Override
    void close() throws InterruptedException;
}
