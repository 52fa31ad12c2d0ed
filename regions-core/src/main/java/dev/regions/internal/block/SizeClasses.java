package dev.regions.internal.block;

/**
 * Units and size classes: how many bytes of a block a piece takes, and which free list it goes
 * back to.
 *
 * <pre>
 *   unit           16 bytes: every piece starts on a unit and takes whole units
 *   class  0..15   small  pieces of 1..256 bytes:  1..16 units, exactly (waste under 16 bytes)
 *   class 16..35   medium pieces of 257..8192 bytes: 320, 384, 448, 512, 640, ... 8192
 *                  (4 classes per doubling: waste under 25%, so that a freed medium piece
 *                  serves any later piece of its class)
 *   larger than 8192 bytes, or aligned beyond 4096: a large piece, in a block of its own
 * </pre>
 *
 * A piece of any class is carved from the same block as pieces of every other class (see
 * {@link CarvedBlock}); the class only decides how many units it takes and which free list its
 * units join when it is freed. Blocks come in sizes that grow by about 1.4 a step, from
 * {@value #FIRST_BLOCK} bytes to {@value #MAX_BLOCK}: a region of a few pieces holds one small
 * block, and one of millions wastes at most a block's tail per block.
 */
public final class SizeClasses {
    private SizeClasses() {
    }

    public static final int UNIT_SHIFT = 4;
    public static final int UNIT = 1 << UNIT_SHIFT;
    public static final int SMALL_MAX = 256;
    public static final int MEDIUM_MAX = 8192;
    /** The largest alignment a carved piece gets by padding its start; beyond it, a large piece. */
    public static final int MAX_CARVED_ALIGNMENT = 4096;
    public static final int COUNT = 36;


    /** Larger than any piece a machine can hold: refused before the source is asked. */
    public static final long MAX_LARGE = 1L << 62;


    static final int FIRST_BLOCK = 4096;
    static final int MAX_BLOCK = 1 << 20;
    /** Blocks and large blocks are 4 KiB-aligned multiples of 4 KiB (see {@link AddressDirectory}). */
    public static final int BLOCK_ALIGNMENT = 4096;


    private static final int[] UNITS = new int[COUNT];

    static {
        for (int c = 0; c < COUNT; c++) {
            UNITS[c] = bytes(c) >>> UNIT_SHIFT;
        }
    }

    /** Units a piece of {@code byteSize} bytes takes when carved exactly (small pieces, zero-length ones). */
    public static int unitsOf(long byteSize) {
        return (int) ((byteSize + UNIT - 1) >>> UNIT_SHIFT);
    }

    /** The class of a piece of 1..{@value #MEDIUM_MAX} bytes. */
    public static int classOf(long byteSize) {
        if (byteSize <= SMALL_MAX) {
            return unitsOf(byteSize) - 1;
        }
        int s = (int) byteSize - 1;
        int e = 31 - Integer.numberOfLeadingZeros(s);
        return 16 + (e - 8) * 4 + ((s >>> (e - 2)) & 3);
    }

    /** The class whose pieces take exactly {@code units} units, or -1 if no class does. */
    static int classOfUnits(int units) {
        if (units <= 0 || units > MEDIUM_MAX >>> UNIT_SHIFT) {
            return -1;
        }
        int c = classOf((long) units << UNIT_SHIFT);
        return UNITS[c] == units ? c : -1;
    }

    /** The units every piece of {@code sizeClass} takes. */
    public static int units(int sizeClass) {
        return UNITS[sizeClass];
    }

    private static int bytes(int sizeClass) {
        if (sizeClass < 16) {
            return (sizeClass + 1) << UNIT_SHIFT;
        }
        int k = sizeClass - 16;
        int e = 8 + k / 4;
        return (1 << e) + (k % 4 + 1) * (1 << (e - 2));
    }

    /** The size of the block that follows one of {@code previous} bytes (0 for the first). */
    public static long nextBlockSize(long previous) {
        if (previous < FIRST_BLOCK) {
            return FIRST_BLOCK;
        }
        // 4K, 8K, 12K, 16K, 24K, 32K, 48K, ...: times 1.5 from a power of two, else times 4/3
        long pages = previous / FIRST_BLOCK;
        long next = pages == 1 ? 2 : Long.bitCount(pages) == 1 ? pages / 2 * 3 : pages / 3 * 4;
        return Math.min(MAX_BLOCK, next * FIRST_BLOCK);
    }

    /** {@code byteSize} rounded up to whole 4 KiB units, or -1 on overflow. */
    public static long roundToBlock(long byteSize) {
        long rounded = (byteSize + BLOCK_ALIGNMENT - 1) & -BLOCK_ALIGNMENT;
        return rounded < byteSize ? -1 : rounded;
    }
}
