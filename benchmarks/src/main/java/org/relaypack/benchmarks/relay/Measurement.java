package org.relaypack.benchmarks.relay;

/** One load pass against one configuration: timings, James's CPU, what the sink got. */
final class Measurement {
    final String configuration;
    final String phase;
    final InboundMode inbound;
    final int messages;
    final long accepted;
    final long failed;
    final double intakeSeconds;
    final double endToEndSeconds;
    final double cpuSeconds;
    final long sinkConnections;
    final double loadAverage;
    final boolean drained;
    /** Distinct messages of this phase at the sink and duplicates, read at the end of the run. */
    long received;
    long duplicates;

    Measurement(String configuration, String phase, InboundMode inbound, int messages, long accepted, long failed, double intakeSeconds,
                double endToEndSeconds, double cpuSeconds, long sinkConnections, double loadAverage, boolean drained) {
        this.configuration = configuration;
        this.phase = phase;
        this.inbound = inbound;
        this.messages = messages;
        this.accepted = accepted;
        this.failed = failed;
        this.intakeSeconds = intakeSeconds;
        this.endToEndSeconds = endToEndSeconds;
        this.cpuSeconds = cpuSeconds;
        this.sinkConnections = sinkConnections;
        this.loadAverage = loadAverage;
        this.drained = drained;
    }

    boolean deliversToSink() {
        return !configuration.equals("null");
    }

    double intakeRate() {
        return messages / intakeSeconds;
    }

    double endToEndRate() {
        return messages / endToEndSeconds;
    }

    double cpuPerThousand() {
        return cpuSeconds * 1000.0 / messages;
    }

    double connectionsPerThousand() {
        return sinkConnections * 1000.0 / messages;
    }

    /** Every message accepted by James, and (for a relaying configuration) each received once by the sink, none at the null one. */
    boolean counts() {
        boolean intake = accepted == messages && failed == 0;
        return deliversToSink() ? intake && received == messages && duplicates == 0 : intake && received == 0 && drained;
    }

    String countsText() {
        if (failed > 0 || accepted != messages) {
            return "James accepted " + accepted + " of " + messages + " (" + failed + " failed)";
        }
        if (!deliversToSink()) {
            return received == 0 ? (drained ? "dropped " + messages + ", none at the sink" : "spool not drained") : received + " at the sink!";
        }
        if (received == messages && duplicates == 0) {
            return "exactly " + messages + ", no duplicates";
        }
        return "received " + received + " of " + messages + ", " + duplicates + " duplicates";
    }
}
