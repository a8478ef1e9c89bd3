package org.relaypack.benchmarks.relay;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One relay configuration of the benchmark: a James configuration folder under
 * {@code benchmarks/conf/} on one of James's mail queues, or a Postfix instance.
 */
final class Configuration {
    enum Kind { JAMES, POSTFIX }

    static final Configuration NULL = james("null", "(a) James, transport ends in Null", "null", "memory");
    static final Configuration REMOTE_DELIVERY = james("remote-delivery", "(b) James, stock RemoteDelivery, gateway = sink",
        "remote-delivery", "memory");
    static final Configuration SMARTHOST = james("smarthost", "(c) James, relaypack SmarthostDelivery, next hop = sink",
        "smarthost", "memory");
    static final Configuration REMOTE_DELIVERY_ACTIVEMQ = james("remote-delivery-activemq",
        "(d) James on ActiveMQ, stock RemoteDelivery, gateway = sink", "remote-delivery", "activemq");
    static final Configuration SMARTHOST_ACTIVEMQ = james("smarthost-activemq",
        "(e) James on ActiveMQ, relaypack SmarthostDelivery, next hop = sink", "smarthost", "activemq");
    static final Configuration POSTFIX = new Configuration("postfix", "(f) Postfix, relayhost = sink, queue on disk", Kind.POSTFIX,
        "", "postfix");
    static final List<Configuration> ALL = Arrays.asList(NULL, REMOTE_DELIVERY, SMARTHOST, REMOTE_DELIVERY_ACTIVEMQ,
        SMARTHOST_ACTIVEMQ, POSTFIX);
    /** The default run: James's memory queue. */
    static final List<String> MEMORY_QUEUE = Arrays.asList(NULL.name, REMOTE_DELIVERY.name, SMARTHOST.name);
    /** {@code --durable}: the durable row of issue 12. */
    static final List<String> DURABLE = Arrays.asList(REMOTE_DELIVERY_ACTIVEMQ.name, SMARTHOST_ACTIVEMQ.name, POSTFIX.name);

    final String name;
    final String label;
    final Kind kind;
    /** The folder under benchmarks/conf/ (James only). */
    final String folder;
    /** {@code memory} or {@code activemq} for James (the runner's {@code --queue}); {@code postfix} for Postfix. */
    final String queue;

    private Configuration(String name, String label, Kind kind, String folder, String queue) {
        this.name = name;
        this.label = label;
        this.kind = kind;
        this.folder = folder;
        this.queue = queue;
    }

    private static Configuration james(String name, String label, String folder, String queue) {
        return new Configuration(name, label, Kind.JAMES, folder, queue);
    }

    static Configuration named(String name) {
        return ALL.stream().filter(c -> c.name.equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--configs: '" + name + "' is not one of " + names()));
    }

    static List<String> names() {
        return ALL.stream().map(c -> c.name).collect(Collectors.toList());
    }

    boolean runsThePack() {
        return folder.equals(SMARTHOST.folder);
    }
}
