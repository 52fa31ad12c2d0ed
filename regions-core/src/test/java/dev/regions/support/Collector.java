package dev.regions.support;

import dev.regions.Regions;

import static org.assertj.core.api.Assertions.fail;

/** Runs the garbage collector for the tests that drop regions and watch them being reclaimed. */
public final class Collector {
    private Collector() {
    }

    /** Collects until whatever earlier tests dropped has been reclaimed; returns the reclaim count. */
    public static long settle() throws InterruptedException {
        long seen;
        int rounds = 0;
        do {
            seen = Regions.reclaimedRegions();
            System.gc();
            Thread.sleep(20);
        } while (Regions.reclaimedRegions() != seen && ++rounds < 10);
        return Regions.reclaimedRegions();
    }

    /** Collects until {@code count} regions have been reclaimed in all, failing after 50 rounds. */
    public static void awaitReclaimed(long count) throws InterruptedException {
        for (int round = 0; Regions.reclaimedRegions() < count; round++) {
            if (round == 50) {
                fail("not reclaimed after 50 rounds of System.gc(): %d regions reclaimed, expected %d",
                        Regions.reclaimedRegions(), count);
            }
            System.gc();
            Thread.sleep(20);
        }
    }
}
