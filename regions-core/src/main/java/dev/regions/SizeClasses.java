package dev.regions;

/**
 * The size classes of small pieces, and the page size each class is carved in.
 *
 * <pre>
 *   class  0..15 : 16, 32, 48, ... 256 bytes       (16-byte steps: waste under 16 bytes a piece)
 *   class 16..35 : 320, 384, 448, 512, 640, ... 8192  (4 steps per doubling: waste under 25%)
 *   larger than 8192 bytes, or aligned beyond 4096: a large piece (see {@link LargeBlock})
 * </pre>
 *
 * A slot of class c sits at {@code pageBase + i * size(c)} and the page base is 4096-aligned, so
 * a slot is aligned to the lowest set bit of its class size (at most 4096). A piece asking for
 * more alignment takes the smallest class at least as large whose slots are aligned enough.
 *
 * <p>Pages hold at least 8 slots, are between 4 KiB and 64 KiB, and a power of two: a class's
 * free space stays with that class until the region resets (as PostgreSQL's {@code aset.c} keeps
 * freed chunks on per-size free lists), so small pages bound that waste.
 */
final class SizeClasses {
    private SizeClasses() {
    }

    static final int COUNT = 36;
    static final int MAX_SMALL = 8192;
    static final int MAX_SMALL_ALIGN = 4096;
    static final int MIN_PAGE = 4096;
    static final int MAX_PAGE = 64 * 1024;

    private static final int[] SIZE = new int[COUNT];
    private static final int[] PAGE = new int[COUNT];

    static {
        for (int c = 0; c < COUNT; c++) {
            int size;
            if (c < 16) {
                size = (c + 1) << 4;
            } else {
                int k = c - 16;
                int e = 8 + k / 4;
                size = (1 << e) + (k % 4 + 1) * (1 << (e - 2));
            }
            SIZE[c] = size;
            PAGE[c] = Math.min(MAX_PAGE, Math.max(MIN_PAGE, Integer.highestOneBit(size * 8 - 1) << 1));
        }
    }

    /** The class of a piece of {@code byteSize} bytes (0..MAX_SMALL), 16-byte aligned. */
    static int classOf(long byteSize) {
        if (byteSize <= 256) {
            return byteSize == 0 ? 0 : (int) ((byteSize + 15) >>> 4) - 1;
        }
        int s = (int) byteSize - 1;
        int e = 31 - Integer.numberOfLeadingZeros(s);
        return 16 + (e - 8) * 4 + ((s >>> (e - 2)) & 3);
    }

    /** The smallest class that holds {@code byteSize} bytes aligned to {@code byteAlignment}, or -1. */
    static int classOf(long byteSize, long byteAlignment) {
        for (int c = classOf(byteSize); c < COUNT; c++) {
            if (slotAlignment(c) >= byteAlignment) {
                return c;
            }
        }
        return -1;
    }

    static int size(int sizeClass) {
        return SIZE[sizeClass];
    }

    static int pageBytes(int sizeClass) {
        return PAGE[sizeClass];
    }

    static int slotAlignment(int sizeClass) {
        return Math.min(MAX_SMALL_ALIGN, Integer.lowestOneBit(SIZE[sizeClass]));
    }

    /** Large pieces: 4 classes per doubling from 4 KiB up, so a reused block wastes under 25%. */
    static final int LARGE_COUNT = 4 * (62 - 12) + 1;

    static int largeClassOf(long byteSize) {
        if (byteSize <= MIN_PAGE) {
            return 0;
        }
        long s = byteSize - 1;
        int e = 63 - Long.numberOfLeadingZeros(s);
        return (e - 12) * 4 + (int) ((s >>> (e - 2)) & 3) + 1;
    }

    static long largeClassBytes(int largeClass) {
        if (largeClass == 0) {
            return MIN_PAGE;
        }
        int k = largeClass - 1;
        int e = 12 + k / 4;
        return (1L << e) + (long) (k % 4 + 1) * (1L << (e - 2));
    }

    /** The largest piece a large class can hold. */
    static final long MAX_LARGE = largeClassBytes(LARGE_COUNT - 1);
}
