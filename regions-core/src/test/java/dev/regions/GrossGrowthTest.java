package dev.regions;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-lived region that takes in scratch regions (merge) and is reset now and then must not
 * grow for ever: its live bytes are bounded, so its gross bytes should be too. Found by
 * {@link SoakTest}: the shared region, reset every second, held 160 MB gross with 0 live bytes
 * after 5 s of merges.
 */
class GrossGrowthTest {

    /**
     * 500 rounds of: a scratch region with 20 pieces of 4000 bytes, merged into the region (and
     * closed), then the region reset. The region's peak live bytes are 80,000 in every round, yet
     * each merge brings about 96 KiB of blocks. Before the fix a reset kept every block (its own
     * and every merged one) for good: 0.98 MB gross after 10 rounds, 9.8 MB after 100, 98 MB after
     * 1,000, 197 MB after 2,000. A reset now keeps blocks only for as many bytes as were carved.
     */
    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aRegionResetAfterEveryMergeKeepsItsGrossBytesBounded(boolean shared) {
        try (Region region = Region.builder().shared(shared).build()) {
            long grossAfter10 = 0;
            for (int round = 1; round <= 500; round++) {
                Region scratch = Region.builder(region).build();
                for (int k = 0; k < 20; k++) {
                    scratch.allocate(4000);
                }
                region.mergeAndClose(scratch);
                region.reset();
                if (round == 10) {
                    grossAfter10 = region.stats().grossBytes();
                }
            }
            RegionStats after500 = region.stats();
            assertThat(after500.peakLiveBytes()).isEqualTo(80_000);
            assertThat(after500.grossBytes()).as("gross bytes after 500 merge+reset rounds, vs %,d after 10",
                    grossAfter10).isLessThanOrEqualTo(2 * grossAfter10);
        }
    }
}
