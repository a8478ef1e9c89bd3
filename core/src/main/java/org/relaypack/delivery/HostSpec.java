package org.relaypack.delivery;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import com.google.common.base.MoreObjects;
import com.google.common.base.Preconditions;
import com.google.common.net.InetAddresses;

/**
 * One entry of a next hop's host list, written as Postfix writes a relayhost:
 * {@code [host]:port} is used as given (no MX lookup); {@code host} or {@code host:port} means
 * "look up the MX records of host" and deliver to them in preference order.
 */
public final class HostSpec {
    public static final int DEFAULT_PORT = 25;

    /**
     * @throws IllegalArgumentException naming the bad value when the text is not a host spec
     */
    public static HostSpec parse(String text) {
        String value = text.trim();
        Preconditions.checkArgument(!value.isEmpty(), "empty host");
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            Preconditions.checkArgument(close > 1, "'%s': missing ']'", text);
            HostName host = checkHost(text, value.substring(1, close));
            String rest = value.substring(close + 1);
            Optional<Integer> port = rest.isEmpty() ? Optional.empty() : Optional.of(parsePort(text, stripColon(text, rest)));
            return new HostSpec(host, port.orElse(DEFAULT_PORT), false);
        }
        int colon = value.lastIndexOf(':');
        if (colon >= 0) {
            return new HostSpec(checkHost(text, value.substring(0, colon)), parsePort(text, value.substring(colon + 1)), true);
        }
        return new HostSpec(checkHost(text, value), DEFAULT_PORT, true);
    }

    public static HostSpec literal(String host, int port) {
        return new HostSpec(HostName.of(host), port, false);
    }

    private static String stripColon(String text, String rest) {
        Preconditions.checkArgument(rest.startsWith(":"), "'%s': expected ':port' after ']'", text);
        return rest.substring(1);
    }

    private static HostName checkHost(String text, String host) {
        try {
            return HostName.of(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(String.format("'%s': bad host name", text), e);
        }
    }

    private static int parsePort(String text, String port) {
        try {
            int value = Integer.parseInt(port);
            Preconditions.checkArgument(value >= 1 && value <= 65535, "'%s': port %s out of range 1-65535", text, port);
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format("'%s': port '%s' is not a number", text, port));
        }
    }

    private final HostName host;
    private final int port;
    private final boolean mxLookup;
    /** {@code [192.0.2.1]}: the address itself, found once, not per delivery. */
    private final Optional<InetAddress> addressLiteral;

    private HostSpec(HostName host, int port, boolean mxLookup) {
        this.host = host;
        this.port = port;
        this.mxLookup = mxLookup;
        this.addressLiteral = !mxLookup && host.isAddress() ? Optional.of(InetAddresses.forString(host.asString())) : Optional.empty();
    }

    /** The address of a {@code [address]} host: nothing to look up. */
    public Optional<InetAddress> addressLiteral() {
        return addressLiteral;
    }

    /** The host, normalised ({@link HostName}): lower case, no trailing dot. */
    public String host() {
        return host.asString();
    }

    public HostName hostName() {
        return host;
    }

    public int port() {
        return port;
    }

    /** True for {@code host} (resolve its MX records), false for {@code [host]} (use as given). */
    public boolean mxLookup() {
        return mxLookup;
    }

    public String asString() {
        return mxLookup ? host.asString() + (port == DEFAULT_PORT ? "" : ":" + port) : "[" + host.asString() + "]:" + port;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof HostSpec) {
            HostSpec that = (HostSpec) o;
            return port == that.port && mxLookup == that.mxLookup && Objects.equals(host, that.host);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, mxLookup);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).addValue(asString()).toString();
    }
}
