package dev.regions.internal.block;

import java.util.Arrays;

/**
 * A small map from a unit of a {@link CarvedBlock} to the exact size of the piece that starts
 * there, for the pieces whose size does not fit a code byte (see {@link CarvedBlock}): medium
 * pieces and zero-length ones. Open addressing with linear probing; a removal shifts the run
 * after it back, so there are no tombstones. Not thread-safe: used under its block's monitor.
 */
final class UnitSizes {
    private static final int EMPTY = -1;

    private int[] keys = newKeys(8);
    private int[] sizes = new int[8];
    private int count;

    private static int[] newKeys(int capacity) {
        int[] keys = new int[capacity];
        Arrays.fill(keys, EMPTY);
        return keys;
    }

    /** The size recorded at {@code unit}, or -1. */
    int get(int unit) {
        int mask = keys.length - 1;
        for (int i = hash(unit) & mask; ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == unit) {
                return sizes[i];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    void put(int unit, int size) {
        if ((count + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int i = hash(unit) & mask;
        while (keys[i] != EMPTY && keys[i] != unit) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            count++;
        }
        keys[i] = unit;
        sizes[i] = size;
    }

    void remove(int unit) {
        int mask = keys.length - 1;
        int i = hash(unit) & mask;
        while (keys[i] != unit) {
            if (keys[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        count--;
        // Shift back every entry of the run after i that would no longer be found past the hole.
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = hash(keys[j]) & mask;
            if (((j - home) & mask) >= ((j - i) & mask)) {
                keys[i] = keys[j];
                sizes[i] = sizes[j];
                i = j;
            }
        }
        keys[i] = EMPTY;
    }

    /** Forgets every unit (the block was rewound to its start). */
    void clear() {
        if (count > 0) {
            Arrays.fill(keys, EMPTY);
            count = 0;
        }
    }

    int size() {
        return count;
    }

    private void grow() {
        int[] oldKeys = keys;
        int[] oldSizes = sizes;
        keys = newKeys(oldKeys.length * 2);
        sizes = new int[oldKeys.length * 2];
        count = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], oldSizes[i]);
            }
        }
    }

    private static int hash(int unit) {
        return unit * 0x9E3779B9 >>> 16;
    }
}
