package dev.regions;

import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Region#setGrossLimit}: the source is never asked for more than the cap; an allocation
 * that needs it is refused like the limit, nothing changed (guarantees 2 and 3).
 */
class GrossLimitTest {

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void theSourceIsNeverAskedForMoreThanTheCap(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().name("capped").shared(shared).source(source).grossLimit(64 * 1024)
                .build()) {
            assertThat(region.grossLimit()).isEqualTo(64 * 1024);
            LimitExceededException refused = null;
            for (int i = 0; i < 10_000 && refused == null; i++) {
                RegionStats before = region.stats();
                long calls = source.allocateCalls();
                try {
                    region.allocate(100);
                } catch (LimitExceededException e) {
                    refused = e;
                    assertThat(region.stats()).isEqualTo(before);
                    assertThat(source.allocateCalls()).isEqualTo(calls);
                }
                assertThat(region.stats().grossBytes()).isLessThanOrEqualTo(64 * 1024);
            }
            assertThat(refused).isNotNull().hasMessageContaining("gross limit").hasMessageContaining("'capped'");
            assertThatThrownBy(() -> region.allocate(70_000)).isInstanceOf(LimitExceededException.class);
        }
    }

    @Test
    void aLargePieceOverTheCapTakesNothing() {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().source(source).grossLimit(100_000).build()) {
            assertThatThrownBy(() -> region.allocate(200_000)).isInstanceOf(LimitExceededException.class);

            assertThat(source.allocateCalls()).isZero();
            assertThat(region.allocate(50_000).byteSize()).isEqualTo(50_000);
        }
    }

    @Test
    void aResetKeepsItsBlocksAndTheyCount() {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().source(source).grossLimit(16 * 1024).build()) {
            for (int i = 0; i < 50; i++) {
                region.allocate(100);
            }
            long gross = region.stats().grossBytes();
            long calls = source.allocateCalls();
            region.reset();

            for (int i = 0; i < 50; i++) {
                region.allocate(100); // in the kept blocks
            }
            assertThat(source.allocateCalls()).isEqualTo(calls);
            assertThat(region.stats().grossBytes()).isEqualTo(gross);
        }
    }

    @Test
    void setGrossLimitReturnsThePreviousAndAcceptsACapBelowTheGross() {
        try (Region region = Region.ofConfined()) {
            region.allocate(100);
            assertThat(region.setGrossLimit(1024)).isZero();
            assertThat(region.setGrossLimit(2048)).isEqualTo(1024);

            region.allocate(100); // the current block has room
            assertThatThrownBy(() -> region.allocate(100_000)).isInstanceOf(LimitExceededException.class)
                    .hasMessageContaining("gross limit");
            assertThat(region.setGrossLimit(0)).isEqualTo(2048);
            region.allocate(100_000);
        }
    }

    @Test
    void misuse() throws InterruptedException, ExecutionException {
        assertThatThrownBy(() -> Region.builder().grossLimit(-1)).isInstanceOf(IllegalArgumentException.class);
        Region region = Region.builder().grossLimit(8192).build();
        assertThatThrownBy(() -> region.setGrossLimit(-1)).isInstanceOf(IllegalArgumentException.class);
        Throwable thrown = CompletableFuture.supplyAsync(() -> {
            try {
                region.setGrossLimit(1);
                return null;
            } catch (Throwable e) {
                return e;
            }
        }).get();
        assertThat(thrown).isInstanceOf(WrongThreadException.class);
        assertThat(CompletableFuture.supplyAsync(region::grossLimit).get()).isEqualTo(8192);
        region.close();
        assertThatThrownBy(() -> region.setGrossLimit(1)).isInstanceOf(IllegalStateException.class);
        assertThat(region.grossLimit()).isEqualTo(8192);
    }

    @Test
    void threadsOfASharedRegionNeverPassTheCapTogether() throws InterruptedException, ExecutionException {
        long cap = 256 * 1024;
        try (Region region = Region.builder().shared(true).grossLimit(cap).build()) {
            List<CompletableFuture<Integer>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    int refused = 0;
                    List<MemorySegment> held = new ArrayList<>();
                    for (int i = 0; i < 2_000; i++) {
                        try {
                            held.add(region.allocate(1000));
                        } catch (LimitExceededException e) {
                            refused++;
                        }
                    }
                    return refused;
                }));
            }
            int refused = 0;
            for (CompletableFuture<Integer> f : all) {
                refused += f.get();
            }
            assertThat(refused).isPositive();
            assertThat(region.stats().grossBytes()).isLessThanOrEqualTo(cap);
        }
    }

    @Test
    void aTemplateDoesNotPassItsGrossLimitOn() {
        try (Region template = Region.builder().grossLimit(8192).build();
                Region region = Region.builder(template).build()) {
            assertThat(region.grossLimit()).isZero();
        }
    }
}
