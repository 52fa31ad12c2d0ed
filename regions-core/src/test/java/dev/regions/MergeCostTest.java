package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a merge costs in memory, for the original's interpreter pattern: a scratch region that
 * builds a few pieces per statement and is merged into the program's region after each one.
 * A merge hands over the scratch region's blocks; the scratch region must then start
 * again small, not with a block that doubled at every merge.
 */
class MergeCostTest {

    @Test
    void mergingAScratchRegionAfterEveryStatementCostsAtMostAFirstChunkPerMerge() {
        int statements = 100;
        TrackingSource source = new TrackingSource();
        try (Region program = Region.builder().source(source).build();
             Region scratch = Region.builder(program).build()) {
            for (int i = 0; i < statements; i++) {
                for (int node = 0; node < 4; node++) {
                    scratch.allocate(32);
                }
                program.merge(scratch);
            }
            assertThat(program.stats().liveCount()).isEqualTo(4L * statements);
            // 16 KiB a merge; the bug this guards against took up to 1 MiB a merge (over 90 MiB here).
            assertThat(program.stats().grossBytes()).isLessThanOrEqualTo(statements * 16L * 1024);
            assertThat(source.outstandingBytes())
                    .isEqualTo(program.stats().grossBytes() + scratch.stats().grossBytes());
            assertThat(Invariants.check(program)).isNull();
        }
        assertThat(source.outstanding()).isZero();
    }

    @Test
    void piecesAllocatedAfterAMergeBelongToTheDestinationsOwnScope() {
        try (Region program = Region.ofConfined(); Region scratch = Region.ofConfined()) {
            scratch.allocate(32);
            scratch.free(scratch.allocate(32)); // a partly used page with a free slot
            program.merge(scratch);

            MemorySegment programs = program.allocate(32);
            MemorySegment scratchs = scratch.allocate(32);
            if (!Invariants.CHECKED) { // a checked region's pieces have scopes of their own (Region.Builder.checked)
                assertThat(programs.scope()).isEqualTo(program.scope());
                assertThat(scratchs.scope()).isEqualTo(scratch.scope());
            }
            scratch.reset();
            assertThat(scratchs.scope().isAlive()).as("a scratch piece dies with the scratch region's reset").isFalse();
            assertThat(programs.scope().isAlive()).as("the program's piece lives on").isTrue();
            assertThat(Invariants.check(program)).isNull();
            assertThat(Invariants.check(scratch)).isNull();
        }
    }
}
