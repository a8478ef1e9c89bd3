package org.relaypack.delivery;

import java.util.Locale;
import java.util.Objects;

import com.google.common.base.Preconditions;
import com.google.common.net.InetAddresses;

/**
 * A host name as this pack uses it everywhere (SNI, certificate identity, pool keys, logs): lower
 * case, without the trailing dot of an absolute DNS name ({@code MX1.Example.NET.} from James's
 * dnsjava-based DNSService is {@code mx1.example.net}), an IP address in its canonical text form.
 * Made once, where a name enters: an MX target, a configured host, an address literal.
 */
public final class HostName {
    /**
     * @throws IllegalArgumentException when the text is empty, only a dot, or holds white space
     */
    public static HostName of(String text) {
        Objects.requireNonNull(text);
        String name = text.trim();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        Preconditions.checkArgument(!name.isEmpty(), "'%s' is not a host name", text);
        Preconditions.checkArgument(name.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c)),
            "'%s' is not a host name", text);
        if (InetAddresses.isInetAddress(name)) {
            return new HostName(InetAddresses.toAddrString(InetAddresses.forString(name)));
        }
        return new HostName(name.toLowerCase(Locale.ROOT));
    }

    private final String name;

    private HostName(String name) {
        this.name = name;
    }

    public String asString() {
        return name;
    }

    /** True for an IP address written as a name (an address literal, or an MX that names an address). */
    public boolean isAddress() {
        return InetAddresses.isInetAddress(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostName && name.equals(((HostName) o).name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
