package org.relaypack.delivery;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.DurationRange;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/**
 * The {@code <deliveredLedger margin="1h" maxEntries="1000000" fsync="false"/>} element of
 * relaypack.xml: how long the {@link DeliveredLedger} keeps a delivery beyond the longest retry delay
 * of the next hops, how many it keeps at most, and whether each record is synced to the disk.
 * Optional; every attribute has a default. See docs/durability.md.
 */
public final class LedgerConfiguration {
    public static final String SECTION = "deliveredLedger";
    public static final String MARGIN = "margin";
    public static final String MAX_ENTRIES = "maxEntries";
    public static final String FSYNC = "fsync";
    public static final Duration DEFAULT_MARGIN = Duration.ofHours(1);
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;
    static final DurationRange MARGIN_RANGE = DurationRange.positiveUpTo(Duration.ofDays(7));
    static final int MIN_ENTRIES = 1_000;
    static final int MAX_MAX_ENTRIES = 100_000_000;
    public static final LedgerConfiguration DEFAULT = new LedgerConfiguration(DEFAULT_MARGIN, DEFAULT_MAX_ENTRIES, false);

    public static LedgerConfiguration from(HierarchicalConfiguration<ImmutableNode> relaypackXml) throws ConfigurationException {
        Optional<ConfigElement> section = ConfigElement.root(relaypackXml).child(SECTION);
        if (section.isEmpty()) {
            return DEFAULT;
        }
        ConfigElement element = section.get().checkAllowed(ImmutableSet.of(MARGIN, MAX_ENTRIES, FSYNC), ImmutableSet.of());
        return new LedgerConfiguration(
            element.duration(MARGIN, MARGIN_RANGE).orElse(DEFAULT_MARGIN),
            element.integer(MAX_ENTRIES, MIN_ENTRIES, MAX_MAX_ENTRIES).orElse(DEFAULT_MAX_ENTRIES),
            element.bool(FSYNC).orElse(false));
    }

    public static LedgerConfiguration of(Duration margin, int maxEntries, boolean fsync) {
        return new LedgerConfiguration(margin, maxEntries, fsync);
    }

    private final Duration margin;
    private final int maxEntries;
    private final boolean fsync;

    private LedgerConfiguration(Duration margin, int maxEntries, boolean fsync) {
        this.margin = Objects.requireNonNull(margin);
        this.maxEntries = maxEntries;
        this.fsync = fsync;
    }

    public Duration margin() {
        return margin;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public boolean fsync() {
        return fsync;
    }

    /** How long a delivery is kept: the longest retry delay of the hops (a queued copy waits at most that), plus the margin. */
    public Duration retention(NextHopsConfiguration nextHops) {
        return nextHops.hops().values().stream()
            .flatMap(hop -> hop.scheduling().retry().delays().stream())
            .max(Duration::compareTo)
            .orElse(Duration.ZERO)
            .plus(margin);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof LedgerConfiguration) {
            LedgerConfiguration that = (LedgerConfiguration) o;
            return maxEntries == that.maxEntries && fsync == that.fsync && margin.equals(that.margin);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(margin, maxEntries, fsync);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("margin", margin).add("maxEntries", maxEntries).add("fsync", fsync).toString();
    }
}
