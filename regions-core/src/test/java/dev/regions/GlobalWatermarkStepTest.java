package dev.regions;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The process's watermarks move in steps of at most 64 KiB per region (DESIGN.md, "Precise
 * semantics"; {@link Regions#globalStats()}), however many threads share the region: a shared
 * region's lanes together may hide less than one step from the global peak.
 *
 * <p>Other regions of the JVM are idle while this runs (tests run one at a time, and every region
 * is closed after each class), so the process's live bytes move only with this test's region;
 * the figures are read relative to the live bytes at the start of the interval.
 */
class GlobalWatermarkStepTest {
    private static final long STEP = 64 * 1024;
    private static final int THREADS = 4;
    private static final long HELD = 60 * 1024;

    @Test
    void theGlobalPeakMissesLessThanOneStepWhenFourThreadsHoldPiecesOfOneSharedRegionAtOnce() throws Exception {
        try (Region region = Region.ofShared()) {
            RegionStats start = Regions.globalStatsAndResetPeaks();
            CyclicBarrier allHold = new CyclicBarrier(THREADS);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                threads.add(new Thread(() -> {
                    try {
                        MemorySegment piece = region.allocate(HELD);
                        allHold.await(); // 4 x 60 KiB = 240 KiB live at once
                        region.free(piece);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "holder-" + t));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).isEmpty();

            RegionStats after = Regions.globalStats();
            long trueMax = start.liveBytes() + THREADS * HELD;
            assertThat(after.peakLiveBytes())
                    .as("global peak after %d threads held %d bytes each in one shared region at once (interval"
                            + " started at %d live bytes)", THREADS, HELD, start.liveBytes())
                    .isGreaterThan(trueMax - STEP)
                    .isLessThanOrEqualTo(trueMax);
        }
    }
}
