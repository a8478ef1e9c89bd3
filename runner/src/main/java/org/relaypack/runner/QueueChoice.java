package org.relaypack.runner;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import com.google.inject.Module;
import com.google.inject.util.Modules;

/**
 * Which James mail queue the memory server runs on: {@code activemq} (durable, KahaDB in the
 * working directory; the default) or {@code memory} (James's memory queue: whatever is queued is
 * lost when the JVM stops). The pack does not know which: it only sees {@code MailQueueFactory}.
 */
public enum QueueChoice {
    ACTIVEMQ(new ActiveMqQueueModule(), "ActiveMQ, KahaDB under <workdir>/var/store/activemq (durable)"),
    MEMORY(Modules.EMPTY_MODULE, "James's memory queue (lost when James stops)");

    public static final QueueChoice DEFAULT = ACTIVEMQ;

    private final Module module;
    private final String description;

    QueueChoice(Module module, String description) {
        this.module = module;
        this.description = description;
    }

    public static QueueChoice parse(String value) {
        return Arrays.stream(values())
            .filter(choice -> choice.optionValue().equals(value))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("--queue: unknown queue '" + value + "'; expected one of "
                + Arrays.stream(values()).map(QueueChoice::optionValue).collect(Collectors.joining("|"))));
    }

    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The override of the memory server's modules that puts its queues on this choice. */
    public Module module() {
        return module;
    }

    public String description() {
        return description;
    }
}
