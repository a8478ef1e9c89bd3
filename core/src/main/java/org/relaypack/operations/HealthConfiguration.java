package org.relaypack.operations;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.DurationRange;
import org.relaypack.lifecycle.NotInstalled;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;
import com.google.inject.ProvidedBy;

/**
 * The {@code <health degradedAfter="10m"/>} element of relaypack.xml: how long a next hop may fail
 * before its health check turns degraded. Optional; the default is {@link #DEFAULT_DEGRADED_AFTER}.
 * See docs/where-is-my-mail.md.
 */
@ProvidedBy(HealthConfiguration.NotInstalledProvider.class)
public final class HealthConfiguration {
    /** Without the pack's Guice module (the health check is built by James's root loader too): say which line to add. */
    public static final class NotInstalledProvider extends NotInstalled<HealthConfiguration> {
        public NotInstalledProvider() {
            super(HealthConfiguration.class);
        }
    }

    public static final String SECTION = "health";
    public static final String DEGRADED_AFTER = "degradedAfter";
    public static final Duration DEFAULT_DEGRADED_AFTER = Duration.ofMinutes(10);
    /** More than zero (a hop failing once would be degraded at once), at most a week. */
    static final DurationRange DEGRADED_AFTER_RANGE = DurationRange.positiveUpTo(Duration.ofDays(7));
    public static final HealthConfiguration DEFAULT = new HealthConfiguration(DEFAULT_DEGRADED_AFTER);

    public static HealthConfiguration from(HierarchicalConfiguration<ImmutableNode> relaypackXml) throws ConfigurationException {
        Optional<ConfigElement> section = ConfigElement.root(relaypackXml).child(SECTION);
        if (section.isEmpty()) {
            return DEFAULT;
        }
        ConfigElement element = section.get().checkAllowed(ImmutableSet.of(DEGRADED_AFTER), ImmutableSet.of());
        return new HealthConfiguration(element.duration(DEGRADED_AFTER, DEGRADED_AFTER_RANGE).orElse(DEFAULT_DEGRADED_AFTER));
    }

    public static HealthConfiguration degradedAfter(Duration degradedAfter) {
        return new HealthConfiguration(degradedAfter);
    }

    private final Duration degradedAfter;

    private HealthConfiguration(Duration degradedAfter) {
        this.degradedAfter = Objects.requireNonNull(degradedAfter);
    }

    /** A hop failing for longer than this is degraded. */
    public Duration degradedAfter() {
        return degradedAfter;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof HealthConfiguration) {
            return degradedAfter.equals(((HealthConfiguration) o).degradedAfter);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(degradedAfter);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("degradedAfter", degradedAfter).toString();
    }
}
