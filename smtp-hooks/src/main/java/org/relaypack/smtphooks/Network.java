package org.relaypack.smtphooks;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

import com.google.common.net.InetAddresses;

/** An IPv4 or IPv6 network in CIDR notation ({@code 192.0.2.0/24}, {@code ::1/128}); a bare address is a /32 or /128. */
public final class Network {
    public static Network parse(String cidr) {
        String trimmed = cidr.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!InetAddresses.isInetAddress(address)) {
            throw new IllegalArgumentException("not an IP address: '" + address + "'");
        }
        byte[] bytes = InetAddresses.forString(address).getAddress();
        int maxBits = bytes.length * 8;
        int prefix = maxBits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a prefix length: '" + trimmed.substring(slash + 1) + "'", e);
            }
            if (prefix < 0 || prefix > maxBits) {
                throw new IllegalArgumentException("prefix length " + prefix + " out of range 0.." + maxBits);
            }
        }
        return new Network(mask(bytes, prefix), prefix);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] masked = address.clone();
        for (int i = 0; i < masked.length; i++) {
            int bitsInThisByte = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] = (byte) (masked[i] & (0xFF << (8 - bitsInThisByte)));
        }
        return masked;
    }

    private final byte[] base;
    private final int prefix;

    private Network(byte[] base, int prefix) {
        this.base = base;
        this.prefix = prefix;
    }

    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == base.length && Arrays.equals(mask(bytes, prefix), base);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof Network) {
            Network that = (Network) o;
            return prefix == that.prefix && Arrays.equals(base, that.base);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefix, Arrays.hashCode(base));
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(base).getHostAddress() + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
