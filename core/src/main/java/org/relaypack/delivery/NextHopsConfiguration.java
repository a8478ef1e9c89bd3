package org.relaypack.delivery;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.filesystem.api.FileSystem;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.Secrets;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;

/**
 * The {@code <nexthops>} section of relaypack.xml, parsed and checked once: the section's {@code <retry>} and
 * {@code <loopDetection>} here, each {@code <nexthop>} by {@link NextHopElement}, fallbacks by {@link Fallbacks}.
 * See docs/relaypack-xml.md.
 */
public final class NextHopsConfiguration {
    public static final String SECTION = "nexthops";

    static final String LOOP_DETECTION = "loopDetection";
    static final String LOCAL_ADDRESSES = "localAddresses";
    static final String ALLOW_LOOPBACK_MX = "allowLoopbackMx";

    public static NextHopsConfiguration empty() {
        return new NextHopsConfiguration(ImmutableMap.of());
    }

    public static NextHopsConfiguration of(NextHop... hops) {
        ImmutableMap.Builder<String, NextHop> builder = ImmutableMap.builder();
        for (NextHop hop : hops) {
            builder.put(hop.name(), hop);
        }
        return new NextHopsConfiguration(builder.build());
    }

    /** Reads {@code <nexthops>} from the root of relaypack.xml; absent section means no hops. */
    public static NextHopsConfiguration from(HierarchicalConfiguration<ImmutableNode> relaypackXml, FileSystem fileSystem,
                                             Function<String, String> environment) throws ConfigurationException {
        Optional<ConfigElement> section = ConfigElement.root(relaypackXml).child(SECTION);
        if (section.isEmpty()) {
            return empty();
        }
        return parse(section.get(), new NextHopElement(new Secrets(fileSystem, environment)));
    }

    private static NextHopsConfiguration parse(ConfigElement section, NextHopElement hopReader) throws ConfigurationException {
        section.checkAllowed(ImmutableSet.of(), ImmutableSet.of(LimitsElement.RETRY, LOOP_DETECTION, NextHopElement.NEXTHOP));
        RetryPolicy defaultRetry = LimitsElement.retry(section, RetryPolicy.defaults());
        LoopDetection loopDetection = loopDetection(section);
        Map<String, NextHop> hops = new LinkedHashMap<>();
        for (ConfigElement element : section.children(NextHopElement.NEXTHOP)) {
            NextHop hop = hopReader.parse(element, defaultRetry, loopDetection);
            if (hops.containsKey(hop.name())) {
                throw element.error(NextHopElement.NAME, hop.name(), "is defined twice");
            }
            hops.put(hop.name(), hop);
        }
        Fallbacks.check(section, hops);
        return new NextHopsConfiguration(ImmutableMap.copyOf(hops));
    }

    private static LoopDetection loopDetection(ConfigElement section) throws ConfigurationException {
        Optional<ConfigElement> child = section.child(LOOP_DETECTION);
        if (child.isEmpty()) {
            return LoopDetection.defaults();
        }
        ConfigElement element = child.get().checkAllowed(ImmutableSet.of(LOCAL_ADDRESSES, ALLOW_LOOPBACK_MX), ImmutableSet.of());
        ImmutableSet.Builder<InetAddress> addresses = ImmutableSet.builder();
        for (String address : element.list(LOCAL_ADDRESSES)) {
            if (!InetAddresses.isInetAddress(address)) {
                throw element.error(LOCAL_ADDRESSES, address, "is not an IP address");
            }
            addresses.add(InetAddresses.forString(address));
        }
        return LoopDetection.of(addresses.build(), element.bool(ALLOW_LOOPBACK_MX).orElse(false));
    }

    private final ImmutableMap<String, NextHop> hops;

    private NextHopsConfiguration(ImmutableMap<String, NextHop> hops) {
        this.hops = hops;
    }

    /** The hops in the order of the file. */
    public ImmutableMap<String, NextHop> hops() {
        return hops;
    }

    public Optional<NextHop> hop(String name) {
        return Optional.ofNullable(hops.get(name));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NextHopsConfiguration && hops.equals(((NextHopsConfiguration) o).hops);
    }

    @Override
    public int hashCode() {
        return hops.hashCode();
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("hops", hops.values()).toString();
    }
}
