package org.relaypack.delivery;

/**
 * A set of 128-bit fingerprints held in one {@code long[]} (open addressing, no removal): 21 to 43
 * bytes per entry and no object per entry, so that a ledger of a million deliveries costs tens of
 * megabytes, not hundreds. A fingerprint of a uniform hash (SHA-256) is used as its own slot index.
 */
final class Fingerprints {
    private static final int INITIAL_SLOTS = 64;

    private long[] slots = new long[2 * INITIAL_SLOTS];
    private int size;
    private boolean containsZero;

    /** Adds the fingerprint; false when it was there already. */
    boolean add(long high, long low) {
        if (high == 0 && low == 0) {
            boolean added = !containsZero;
            containsZero = true;
            size += added ? 1 : 0;
            return added;
        }
        if (4 * (size + 1) > 3 * (slots.length / 2)) {
            grow();
        }
        int slot = find(slots, high, low);
        if (slots[slot] != 0 || slots[slot + 1] != 0) {
            return false;
        }
        slots[slot] = high;
        slots[slot + 1] = low;
        size++;
        return true;
    }

    boolean contains(long high, long low) {
        if (high == 0 && low == 0) {
            return containsZero;
        }
        int slot = find(slots, high, low);
        return slots[slot] != 0 || slots[slot + 1] != 0;
    }

    int size() {
        return size;
    }

    /** The slot holding the fingerprint, or the empty slot where it would go. */
    private static int find(long[] slots, long high, long low) {
        int mask = slots.length / 2 - 1;
        int index = (int) (low ^ (low >>> 32)) & mask;
        while (true) {
            int slot = 2 * index;
            if ((slots[slot] == 0 && slots[slot + 1] == 0) || (slots[slot] == high && slots[slot + 1] == low)) {
                return slot;
            }
            index = (index + 1) & mask;
        }
    }

    /** Doubles the slots: the load stays at most three quarters. */
    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        for (int slot = 0; slot < old.length; slot += 2) {
            if (old[slot] != 0 || old[slot + 1] != 0) {
                int target = find(slots, old[slot], old[slot + 1]);
                slots[target] = old[slot];
                slots[target + 1] = old[slot + 1];
            }
        }
    }
}
