package dev.regions;

import dev.regions.support.ProcessMemory;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.SplittableRandom;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No native leak seen from outside the process: 200 cycles of building a region (confined and
 * shared in turn), allocating 10,000 pieces in it (mostly small, some large), writing them,
 * freeing half, allocating 2,000 more and closing it, each cycle taking and giving back some 15 MB.
 * After every cycle the global figures are back to where they started, and after a warm-up (the
 * first 50 cycles, while the JIT and the C heap settle) the process's resident set size must grow
 * by less than 16 MiB across the other 150.
 *
 * <p>The bound applies to the RSS outside the Java heap ({@link ProcessMemory#rssOutsideJavaHeapBytes}),
 * where native memory lives: the whole VmRSS, printed too, also grows while the collector touches
 * young-generation pages for the first time or resizes it (by tens of MB in this test, depending
 * on what ran before it in the JVM), which says nothing about native memory. Where the heap's
 * mappings cannot be found the bound applies to the whole VmRSS.
 */
@Tag("slow") // measures RSS and runs long; still part of the default build
class NativeMemoryCycleTest {

    private static final int CYCLES = 200;
    private static final int WARMUP = 50;
    private static final int PIECES = 10_000;
    private static final long BOUND = 16L << 20;

    private static long size(SplittableRandom rnd) {
        int r = rnd.nextInt(100);
        return r < 70 ? 16 + rnd.nextInt(241) : r < 98 ? 257 + rnd.nextInt(3840) : 8193 + rnd.nextInt(57_344);
    }

    /** One cycle: build, use, close; returns the region's gross bytes before the close. */
    private static long cycle(int n, SplittableRandom rnd, MemorySegment[] pieces) {
        try (Region region = Region.builder().shared(n % 2 == 1).name("cycle").build()) {
            for (int i = 0; i < PIECES; i++) {
                pieces[i] = region.allocate(size(rnd));
                pieces[i].set(JAVA_BYTE, pieces[i].byteSize() - 1, (byte) i);
            }
            for (int i = 0; i < PIECES; i += 2) {
                region.free(pieces[i]);
            }
            for (int i = 0; i < PIECES / 5; i++) {
                pieces[2 * i] = region.allocate(size(rnd));
                pieces[2 * i].fill((byte) 1);
            }
            return region.stats().grossBytes();
        }
    }

    @Test
    void repeatedCyclesDoNotGrowTheResidentSetSize() {
        assumeTrue(ProcessMemory.available(), "needs /proc/self (Linux)");
        RegionStats global0 = Regions.globalStats();
        SplittableRandom rnd = new SplittableRandom(2024);
        MemorySegment[] pieces = new MemorySegment[PIECES];
        boolean outsideHeap = ProcessMemory.rssOutsideJavaHeapBytes() >= 0;
        long[] rss = new long[CYCLES];
        long[] native_ = new long[CYCLES];
        long grossPerCycle = 0;
        for (int n = 0; n < CYCLES; n++) {
            grossPerCycle = Math.max(grossPerCycle, cycle(n, rnd, pieces));
            checkGlobal(global0, n);
            rss[n] = ProcessMemory.rssBytes();
            native_[n] = outsideHeap ? ProcessMemory.rssOutsideJavaHeapBytes() : rss[n];
        }
        long rssGrowth = max(rss) - rss[WARMUP - 1];
        long nativeGrowth = max(native_) - native_[WARMUP - 1];
        System.out.printf(Locale.ROOT, "Native memory cycles: %d cycles of %,d pieces, up to %,d gross bytes each;"
                + " after the %d warm-up cycles VmRSS grew by %,d bytes (%,d to %,d), RSS outside the Java heap by %s%n",
                CYCLES, PIECES, grossPerCycle, WARMUP, rssGrowth, rss[WARMUP - 1], max(rss),
                outsideHeap ? String.format(Locale.ROOT, "%,d bytes (%,d to %,d)", nativeGrowth, native_[WARMUP - 1],
                        max(native_)) : "(heap mappings not found)");
        assertThat(nativeGrowth).as("RSS growth %s after the warm-up (bytes)",
                outsideHeap ? "outside the Java heap" : "(whole VmRSS)").isLessThan(BOUND);
    }

    /** The highest value after the warm-up. */
    private static long max(long[] values) {
        long max = Long.MIN_VALUE;
        for (int i = WARMUP; i < values.length; i++) {
            max = Math.max(max, values[i]);
        }
        return max;
    }

    private static void checkGlobal(RegionStats global0, int cycle) {
        RegionStats g = Regions.globalStats();
        assertThat(g.liveBytes()).as("global live bytes after cycle %d", cycle).isEqualTo(global0.liveBytes());
        assertThat(g.grossBytes()).as("global gross bytes after cycle %d", cycle).isEqualTo(global0.grossBytes());
    }
}
