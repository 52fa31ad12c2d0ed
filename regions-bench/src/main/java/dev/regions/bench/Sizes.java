package dev.regions.bench;

import java.util.SplittableRandom;

/**
 * The precomputed piece sizes every peer gets: the same fixed-seed sequence for every allocator,
 * so that all of them do exactly the same operations.
 */
public final class Sizes {
    /** The seed of every sequence (W3's thread {@code i} uses {@code SEED + i}). */
    public static final long SEED = 42;
    /** Small pieces (W1, W2, W3, space): uniform in 16..256 bytes. */
    public static final int SMALL_MIN = 16;
    /** Largest small piece. */
    public static final int SMALL_MAX = 256;
    /** Large pieces (W4): uniform in 64 KiB..4 MiB. */
    public static final int LARGE_MIN = 64 << 10;
    /** Largest large piece. */
    public static final int LARGE_MAX = 4 << 20;
    /** Length of a cyclic sequence (a power of two, so that an index wraps with a mask). */
    public static final int CYCLE = 1 << 16;

    private Sizes() {
    }

    /**
     * Small sizes.
     *
     * @param seed the seed
     * @param count how many
     * @return {@code count} sizes uniform in {@link #SMALL_MIN}..{@link #SMALL_MAX}
     */
    public static int[] small(long seed, int count) {
        return uniform(seed, count, SMALL_MIN, SMALL_MAX);
    }

    /**
     * Large sizes.
     *
     * @param seed the seed
     * @param count how many
     * @return {@code count} sizes uniform in {@link #LARGE_MIN}..{@link #LARGE_MAX}
     */
    public static int[] large(long seed, int count) {
        return uniform(seed, count, LARGE_MIN, LARGE_MAX);
    }

    private static int[] uniform(long seed, int count, int min, int max) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = random.nextInt(min, max + 1);
        }
        return sizes;
    }
}
