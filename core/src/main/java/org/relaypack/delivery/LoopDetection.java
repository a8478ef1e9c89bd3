package org.relaypack.delivery;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.common.base.MoreObjects;
import com.google.common.base.Suppliers;
import com.google.common.collect.ImmutableSet;

/**
 * Which addresses are this relay, so that an MX pointing at them is a loop (Postfix's
 * {@code inet_interfaces} and {@code proxy_interfaces}, "mail for DOMAIN loops back to myself"):
 * every address of this machine's network interfaces, the unspecified address, loopback unless
 * {@code allowLoopbackMx}, and the configured {@code localAddresses} (a public address in front
 * of a NAT or a load balancer; a loopback address listed there stays this relay even with
 * {@code allowLoopbackMx}). From {@code <nexthops><loopDetection/>} in relaypack.xml.
 */
public final class LoopDetection {
    private static final Logger LOGGER = LoggerFactory.getLogger(LoopDetection.class);
    private static final Duration INTERFACES_REFRESH = Duration.ofMinutes(1);
    /** Interfaces come and go (DHCP, VPN): read again at most once a minute, for the whole JVM. */
    private static final Supplier<ImmutableSet<InetAddress>> MACHINE_ADDRESSES =
        Suppliers.memoizeWithExpiration(LoopDetection::interfaceAddresses, INTERFACES_REFRESH.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

    public static LoopDetection defaults() {
        return new LoopDetection(ImmutableSet.of(), false, MACHINE_ADDRESSES);
    }

    public static LoopDetection of(ImmutableSet<InetAddress> localAddresses, boolean allowLoopbackMx) {
        return new LoopDetection(localAddresses, allowLoopbackMx, MACHINE_ADDRESSES);
    }

    /** Test seam: the machine's interface addresses as given. */
    static LoopDetection of(ImmutableSet<InetAddress> localAddresses, boolean allowLoopbackMx, Supplier<ImmutableSet<InetAddress>> machineAddresses) {
        return new LoopDetection(localAddresses, allowLoopbackMx, machineAddresses);
    }

    private static ImmutableSet<InetAddress> interfaceAddresses() {
        try {
            ImmutableSet.Builder<InetAddress> addresses = ImmutableSet.builder();
            for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(networkInterface.getInetAddresses()));
            }
            return addresses.build();
        } catch (SocketException | RuntimeException e) {
            LOGGER.warn("Cannot list this machine's network addresses: only loopback and <loopDetection localAddresses> count as this relay", e);
            return ImmutableSet.of();
        }
    }

    private final ImmutableSet<InetAddress> localAddresses;
    private final boolean allowLoopbackMx;
    private final Supplier<ImmutableSet<InetAddress>> machineAddresses;

    private LoopDetection(ImmutableSet<InetAddress> localAddresses, boolean allowLoopbackMx, Supplier<ImmutableSet<InetAddress>> machineAddresses) {
        this.localAddresses = Objects.requireNonNull(localAddresses);
        this.allowLoopbackMx = allowLoopbackMx;
        this.machineAddresses = machineAddresses;
    }

    /** True when mail sent to this address would come back to this relay. */
    public boolean isSelf(InetAddress address) {
        if (address.isAnyLocalAddress() || localAddresses.contains(address)) {
            return true;
        }
        if (address.isLoopbackAddress()) {
            return !allowLoopbackMx;
        }
        return machineAddresses.get().contains(address);
    }

    public ImmutableSet<InetAddress> localAddresses() {
        return localAddresses;
    }

    public boolean allowLoopbackMx() {
        return allowLoopbackMx;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof LoopDetection) {
            LoopDetection that = (LoopDetection) o;
            return allowLoopbackMx == that.allowLoopbackMx && localAddresses.equals(that.localAddresses);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(localAddresses, allowLoopbackMx);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("localAddresses", localAddresses).add("allowLoopbackMx", allowLoopbackMx).toString();
    }
}
