package org.relaypack.routing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;

import com.google.common.base.Preconditions;
import com.google.common.collect.ImmutableMap;

/**
 * An immutable route table laid out for a million entries: the keys are packed, sorted, into one
 * UTF-8 byte array and found through an open-addressing hash index; each entry costs its key bytes,
 * a 4-byte offset, a 2-byte hop index (hop names are stored once) and 4 to 8 bytes of index. Rewritten
 * addresses, rare in files, sit in a map.
 */
public final class RouteTable {
    public static final int MAX_HOPS = Short.MAX_VALUE;

    public static RouteTable empty() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Thrown by {@link Builder#build()} for a key given twice. */
    public static final class DuplicateKeyException extends IllegalArgumentException {
        private final int firstLine;
        private final int secondLine;
        private final String key;

        DuplicateKeyException(String key, int firstLine, int secondLine) {
            super("duplicate key '" + key + "' (first on line " + firstLine + ")");
            this.key = key;
            this.firstLine = firstLine;
            this.secondLine = secondLine;
        }

        public String key() {
            return key;
        }

        public int firstLine() {
            return firstLine;
        }

        public int secondLine() {
            return secondLine;
        }
    }

    public static final class Builder {
        private final List<byte[]> keys = new ArrayList<>();
        private final Map<String, Short> hopIndexes = new HashMap<>();
        private final List<String> hopNames = new ArrayList<>();
        private short[] hops = new short[1024];
        private int[] lines = new int[1024];
        private final Map<String, MailAddress> rewrites = new HashMap<>();

        private Builder() {
        }

        /** Adds an entry; {@code key} must already be normalized ({@link RouteKey#normalize(String)}). */
        public Builder add(String key, Route route, int line) {
            int index = keys.size();
            if (index == hops.length) {
                hops = Arrays.copyOf(hops, index * 2);
                lines = Arrays.copyOf(lines, index * 2);
            }
            keys.add(key.getBytes(StandardCharsets.UTF_8));
            hops[index] = hopIndex(route.hop());
            lines[index] = line;
            route.rewrittenRecipient().ifPresent(address -> rewrites.put(key, address));
            return this;
        }

        public Builder add(RouteEntry entry) {
            return add(entry.key(), entry.route(), keys.size() + 1);
        }

        private short hopIndex(String hop) {
            Short index = hopIndexes.get(hop);
            if (index == null) {
                Preconditions.checkArgument(hopNames.size() < MAX_HOPS, "more than %s distinct next hops", MAX_HOPS);
                index = (short) hopNames.size();
                hopIndexes.put(hop, index);
                hopNames.add(hop);
            }
            return index;
        }

        /**
         * @throws DuplicateKeyException when a key was added twice
         */
        public RouteTable build() {
            int size = keys.size();
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys.get(a), keys.get(b)));
            int totalBytes = 0;
            for (byte[] key : keys) {
                totalBytes += key.length;
            }
            byte[] packed = new byte[totalBytes];
            int[] offsets = new int[size + 1];
            short[] sortedHops = new short[size];
            int position = 0;
            for (int i = 0; i < size; i++) {
                int entry = order[i];
                byte[] key = keys.get(entry);
                if (i > 0 && Arrays.equals(key, keys.get(order[i - 1]))) {
                    int previous = order[i - 1];
                    throw new DuplicateKeyException(new String(key, StandardCharsets.UTF_8),
                        Math.min(lines[previous], lines[entry]), Math.max(lines[previous], lines[entry]));
                }
                System.arraycopy(key, 0, packed, position, key.length);
                offsets[i] = position;
                position += key.length;
                sortedHops[i] = hops[entry];
            }
            offsets[size] = position;
            return new RouteTable(packed, offsets, sortedHops, index(packed, offsets, size), hopNames.toArray(new String[0]),
                ImmutableMap.copyOf(rewrites));
        }
    }

    /**
     * An open-addressing hash index over the sorted entries (entry number + 1, 0 for an empty slot),
     * at most half full: a lookup touches one or two slots instead of the twenty cache lines of a
     * binary search over a million keys.
     */
    private static int[] index(byte[] keys, int[] offsets, int size) {
        int[] slots = new int[capacity(size)];
        int mask = slots.length - 1;
        for (int entry = 0; entry < size; entry++) {
            int slot = hash(keys, offsets[entry], offsets[entry + 1]) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = entry + 1;
        }
        return slots;
    }

    private static int capacity(int size) {
        int capacity = 2;
        while (capacity < 2L * size) {
            capacity <<= 1;
        }
        return capacity;
    }

    private static int hash(byte[] bytes, int from, int to) {
        int hash = 0x811c9dc5;
        for (int i = from; i < to; i++) {
            hash = (hash ^ (bytes[i] & 0xff)) * 0x01000193;
        }
        return hash ^ (hash >>> 16);
    }

    private final byte[] keys;
    private final int[] offsets;
    private final short[] hops;
    private final int[] slots;
    private final String[] hopNames;
    private final ImmutableMap<String, MailAddress> rewrites;

    private RouteTable(byte[] keys, int[] offsets, short[] hops, int[] slots, String[] hopNames, ImmutableMap<String, MailAddress> rewrites) {
        this.keys = keys;
        this.offsets = offsets;
        this.hops = hops;
        this.slots = slots;
        this.hopNames = hopNames;
        this.rewrites = rewrites;
    }

    public int size() {
        return hops.length;
    }

    /** @param key a normalized key */
    public Optional<Route> get(String key) {
        int index = indexOf(key.getBytes(StandardCharsets.UTF_8));
        if (index < 0) {
            return Optional.empty();
        }
        return Optional.of(routeAt(index, key));
    }

    /** The distinct next hop names this table routes to. */
    public List<String> hopNames() {
        return List.of(hopNames);
    }

    public Stream<RouteEntry> entries() {
        return IntStream.range(0, size())
            .mapToObj(index -> {
                String key = keyAt(index);
                return RouteEntry.normalized(key, routeAt(index, key));
            });
    }

    /** The bytes held by this table's arrays (not counting the rewrite map), for the benchmark. */
    public long footprintBytes() {
        return keys.length + 4L * offsets.length + 2L * hops.length + 4L * slots.length;
    }

    private Route routeAt(int index, String key) {
        return Route.trusted(hopNames[hops[index]], Optional.ofNullable(rewrites.get(key)));
    }

    private String keyAt(int index) {
        return new String(keys, offsets[index], offsets[index + 1] - offsets[index], StandardCharsets.UTF_8);
    }

    private int indexOf(byte[] key) {
        int mask = slots.length - 1;
        int slot = hash(key, 0, key.length) & mask;
        while (slots[slot] != 0) {
            int entry = slots[slot] - 1;
            if (Arrays.equals(keys, offsets[entry], offsets[entry + 1], key, 0, key.length)) {
                return entry;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }
}
