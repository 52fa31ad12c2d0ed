package dev.regions;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stepped watermark may miss a swing, never invent one: every peak shown is at most the highest
 * value the live bytes really took over the interval, every low at least the lowest (DESIGN.md,
 * "Precise semantics"; {@link Regions#globalStats()}, {@link Region#stats()}).
 *
 * <p>The sequences below run on one thread at a time. Other regions of the JVM are idle while
 * they run (tests run one at a time, and every region is closed after each class), so the
 * process's live bytes move only with this test's regions; global figures are read relative to
 * the live bytes at the start of the interval ({@link Regions#globalStatsAndResetPeaks()}).
 */
class WatermarkTruthTest {

    @Test
    void theGlobalPeakIsNeverAboveTheHighestLiveBytes() {
        try (Region a = Region.ofConfined(); Region b = Region.ofConfined()) {
            RegionStats start = Regions.globalStatsAndResetPeaks();
            a.allocate(4_096);
            a.free(a.allocate(61_440)); // a: 65,536 live for a moment, then 4,096
            b.allocate(100_000);        // 104,096 live: the highest of the interval

            RegionStats now = Regions.globalStats();
            assertThat(now.liveBytes()).isEqualTo(start.liveBytes() + 104_096);
            assertThat(now.peakLiveBytes())
                    .as("global peak; live bytes went from %d to at most %d", start.liveBytes(),
                            start.liveBytes() + 104_096)
                    .isLessThanOrEqualTo(start.liveBytes() + 104_096);
        }
    }

    @Test
    void theGlobalLowIsNeverBelowTheLowestLiveBytes() {
        try (Region a = Region.ofConfined(); Region b = Region.ofConfined()) {
            a.allocate(61_440);
            RegionStats start = Regions.globalStatsAndResetPeaks(); // a's 61,440 live from here on
            b.allocate(70_000);
            b.reset();

            RegionStats now = Regions.globalStats();
            assertThat(now.liveBytes()).isEqualTo(start.liveBytes());
            assertThat(now.lowLiveBytes())
                    .as("global low; live bytes never went below %d", start.liveBytes())
                    .isGreaterThanOrEqualTo(start.liveBytes());
        }
    }

    @Test
    void aSharedRegionsPeakIsNeverAboveItsHighestLiveBytes() throws Exception {
        try (Region region = Region.ofShared()) {
            inThreadOfItsOwn(() -> { // one lane
                region.allocate(4_096);
                region.free(region.allocate(61_440)); // 65,536 live for a moment, then 4,096
            });
            inThreadOfItsOwn(() -> region.allocate(100_000)); // another lane: 104,096 live, the highest

            RegionStats stats = region.stats();
            assertThat(stats.liveBytes()).isEqualTo(104_096);
            assertThat(stats.peakLiveBytes()).as("the region's peak; its live bytes never went over 104,096")
                    .isLessThanOrEqualTo(104_096);
        }
    }

    /** Runs {@code action} in a new thread (a new thread takes a lane no other thread used here) and waits for it. */
    private static void inThreadOfItsOwn(Runnable action) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        assertThat(failure.get()).isNull();
    }
}
