package dev.regions.bench;

/**
 * The small pseudo-random generator larson uses ({@code lran2}, by Wolfram Gloger, 1996: a linear
 * congruential generator, modulus 714,025, behind a shuffle table of 97 entries), ported so that
 * {@link Larson} draws the same victims and sizes as the C benchmark for the same seed. Values are
 * in {@code 0..714024}. Not thread-safe: each larson slot has its own, handed from one thread to
 * the next with the slot.
 */
final class Lran2 {
    /** The modulus: values are below it. */
    static final long MAX = 714_025L;
    private static final long IA = 1_366L;
    private static final long IC = 150_889L;

    private final long[] table = new long[97];
    private long x;
    private long y;

    /**
     * A generator, seeded as {@code lran2_init} does.
     *
     * @param seed the seed
     */
    Lran2(long seed) {
        long v = (IC - seed) % MAX;
        if (v < 0) {
            v = -v;
        }
        for (int j = 0; j < table.length; j++) {
            v = (IA * v + IC) % MAX;
            table[j] = v;
        }
        x = (IA * v + IC) % MAX;
        y = x;
    }

    /** The next value, in {@code 0..MAX-1}. */
    long next() {
        int j = (int) (y % 97);
        y = table[j];
        x = (IA * x + IC) % MAX;
        table[j] = x;
        return y;
    }
}
