package dev.regions;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * No native leak seen from outside the process: repeated cycles of building a region (confined and
 * shared in turn), allocating 10,000 pieces in it (mostly small, some large), writing them, freeing
 * half, allocating 2,000 more and closing it, each cycle taking and giving back some 15 MB. After
 * a warm-up, the process's resident set size (VmRSS) must grow by less than 16 MiB across the next
 * 150 cycles, and after every cycle the global figures are back to where they started.
 *
 * <p>The warm-up lasts 50 cycles, and at least until the Java heap has been collected once (and
 * 10 cycles more): until then the young generation's pages are being touched for the first time,
 * which grows the RSS by tens of MB for reasons that have nothing to do with native memory.
 */
class NativeMemoryCycleTest {

    private static final int PIECES = 10_000;
    private static final int MIN_WARMUP = 50;
    private static final int MAX_WARMUP = 400;
    private static final int MEASURED = 150;
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

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void repeatedCyclesDoNotGrowTheResidentSetSize() {
        assumeTrue(ProcessMemory.available(), "needs /proc/self/status (Linux)");
        RegionStats global0 = Regions.globalStats();
        SplittableRandom rnd = new SplittableRandom(2024);
        MemorySegment[] pieces = new MemorySegment[PIECES];
        long rssStart = ProcessMemory.rssBytes();
        long grossPerCycle = 0;
        int n = 0;
        int warmup = MIN_WARMUP;
        boolean collected = false;
        long used = heapUsed();
        for (; n < warmup; n++) {
            grossPerCycle = Math.max(grossPerCycle, cycle(n, rnd, pieces));
            checkGlobal(global0, n);
            long nowUsed = heapUsed();
            if (!collected && nowUsed < used) {
                collected = true;
                warmup = Math.max(MIN_WARMUP, n + 10);
            } else if (!collected && warmup < MAX_WARMUP) {
                warmup = n + 2;
            }
            used = nowUsed;
        }
        long atWarmup = ProcessMemory.rssBytes();
        long maxAfter = atWarmup;
        for (int end = n + MEASURED; n < end; n++) {
            grossPerCycle = Math.max(grossPerCycle, cycle(n, rnd, pieces));
            checkGlobal(global0, n);
            maxAfter = Math.max(maxAfter, ProcessMemory.rssBytes());
        }
        System.out.printf(Locale.ROOT, "Native memory cycles: %d cycles of %,d pieces, up to %,d gross bytes each; RSS"
                + " %,d at the start, %,d after the warm-up (%d cycles%s), at most %,d in the %d cycles after"
                + " (growth %,d bytes)%n", n, PIECES, grossPerCycle, rssStart, atWarmup, warmup,
                collected ? "" : ", no heap collection seen", maxAfter, MEASURED, maxAfter - atWarmup);
        assertThat(maxAfter - atWarmup).as("RSS growth after the warm-up (bytes)").isLessThan(BOUND);
    }

    private static void checkGlobal(RegionStats global0, int cycle) {
        RegionStats g = Regions.globalStats();
        assertThat(g.liveBytes()).as("global live bytes after cycle %d", cycle).isEqualTo(global0.liveBytes());
        assertThat(g.grossBytes()).as("global gross bytes after cycle %d", cycle).isEqualTo(global0.grossBytes());
    }
}
