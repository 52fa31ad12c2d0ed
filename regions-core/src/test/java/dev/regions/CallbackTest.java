package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a region does when code it calls misbehaves: a cleanup action or a source that throws an
 * {@link Error}, a source that calls back into the region it serves, a source that hands over a
 * block the region cannot safely use. In every case the region says what went wrong, loses no
 * memory and keeps working.
 */
class CallbackTest {

    /** A tracking source that runs a hook before each call it serves. */
    private static final class HookedSource implements MemorySource {
        final TrackingSource tracking = new TrackingSource();
        Runnable beforeAllocate = () -> { };
        Consumer<MemorySegment> beforeRelease = block -> { };

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            beforeAllocate.run();
            return tracking.allocate(byteSize, byteAlignment);
        }

        @Override
        public void release(MemorySegment block) {
            tracking.release(block);
            beforeRelease.accept(block);
        }
    }

    private static Region region(boolean shared, MemorySource source) {
        return Region.builder().shared(shared).source(source).build();
    }

    private static void assertValid(Region region) {
        assertThat(Invariants.check(region)).isNull();
    }

    private static void bindCleanup(Region region, Runnable action) {
        MemorySegment.ofAddress(region.allocate(8).address()).reinterpret(8, region, s -> action.run());
    }

    // ------------------------------------------------------------ errors, not exceptions

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aCleanupThatThrowsAnErrorDoesNotStopTheReset(boolean shared) {
        HookedSource source = new HookedSource();
        try (Region region = region(shared, source)) {
            MemorySegment old = region.allocate(64);
            region.allocate(100_000);
            bindCleanup(region, () -> {
                throw new AssertionError("cleanup failed");
            });

            assertThatThrownBy(region::reset).isInstanceOf(AssertionError.class).hasMessage("cleanup failed");

            assertThat(region.stats().liveCount()).isZero();
            assertThatThrownBy(() -> old.get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
            MemorySegment fresh = region.allocate(64);
            fresh.set(JAVA_LONG, 0, 42);
            assertThat(fresh.scope().isAlive()).isTrue();
            region.free(fresh);
            assertValid(region);
        }
        assertThat(source.tracking.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aCleanupThatThrowsAnErrorDoesNotStopTheClose(boolean shared) {
        HookedSource source = new HookedSource();
        Region region = region(shared, source);
        region.allocate(64);
        region.allocate(100_000);
        bindCleanup(region, () -> {
            throw new StackOverflowError("cleanup failed");
        });

        assertThatThrownBy(region::close).isInstanceOf(StackOverflowError.class);

        assertThat(source.tracking.outstanding()).isZero();
        assertThat(region.stats().grossBytes()).isZero();
        assertThatThrownBy(() -> region.allocate(8)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aSourceWhoseReleaseThrowsAnErrorStillGetsEveryOtherBlockBack(boolean shared) {
        HookedSource source = new HookedSource();
        List<MemorySegment> released = new ArrayList<>();
        source.beforeRelease = block -> {
            released.add(block);
            if (released.size() == 1) {
                throw new InternalError("release failed");
            }
        };
        Region region = region(shared, source);
        for (int i = 0; i < 2000; i++) {
            region.allocate(200); // several blocks
        }
        region.allocate(100_000);
        region.allocate(300_000);
        long blocks = source.tracking.outstanding();

        assertThatThrownBy(region::close).isInstanceOf(InternalError.class).hasMessage("release failed");

        assertThat(released).hasSize((int) blocks);
        assertThat(source.tracking.outstanding()).isZero();
        assertThat(region.stats().grossBytes()).isZero();
    }

    // ------------------------------------------------------------ a source that calls back

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aSourceThatCallsTheRegionItServesIsRefusedAndNothingBreaks(boolean shared) {
        HookedSource source = new HookedSource();
        Region region = region(shared, source);
        Region other = region(shared, MemorySource.malloc());
        List<Throwable> refused = new ArrayList<>();
        List<Runnable> callbacks = List.of(region::reset, region::close, () -> region.allocate(16),
                () -> region.setLimit(1), () -> region.merge(other), () -> other.merge(region));
        source.beforeAllocate = () -> callbacks.forEach(call -> {
            try {
                call.run();
            } catch (IllegalStateException e) {
                refused.add(e);
            }
        });

        MemorySegment piece = region.allocate(100);

        assertThat(refused).hasSize(callbacks.size()).allSatisfy(e ->
                assertThat(e).hasMessageContaining("is calling its memory source"));
        piece.set(JAVA_LONG, 0, 7);
        assertThat(region.limit()).isZero();
        assertThat(region.stats().liveCount()).isEqualTo(1);
        assertValid(region);
        source.beforeAllocate = () -> { };
        region.close();
        other.close();
        assertThat(source.tracking.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aSourceThatCallsTheRegionFromReleaseIsRefusedAndTheCloseCompletes(boolean shared) {
        HookedSource source = new HookedSource();
        Region region = region(shared, source);
        region.allocate(100);
        region.allocate(100_000);
        List<Throwable> refused = new ArrayList<>();
        source.beforeRelease = block -> {
            try {
                region.reset();
            } catch (IllegalStateException e) {
                refused.add(e);
            }
        };

        region.close();

        assertThat(refused).hasSize(2)
                .allSatisfy(e -> assertThat(e).hasMessageContaining("is calling its memory source"));
        assertThat(source.tracking.outstanding()).isZero();
        assertThatThrownBy(region::reset).hasMessageContaining("closed");
    }

    // ------------------------------------------------------------ blocks a region cannot use

    private static final class FixedSource implements MemorySource {
        final MemorySegment block;
        int released;

        FixedSource(MemorySegment block) {
            this.block = block;
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            return block;
        }

        @Override
        public void release(MemorySegment block) {
            released++;
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aReadOnlyBlockIsRefusedAndGivenBack(boolean shared) {
        try (Arena arena = Arena.ofConfined()) {
            FixedSource source = new FixedSource(arena.allocate(1 << 20, 4096).asReadOnly());
            try (Region region = region(shared, source)) {
                assertThatThrownBy(() -> region.allocate(64)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("writable");
                assertThat(source.released).isEqualTo(1);
                assertThat(region.stats().grossBytes()).isZero();
                assertThat(region.stats().allocations()).isZero();
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aBlockWhoseScopeEndedIsRefusedAndGivenBack(boolean shared) {
        Arena arena = Arena.ofShared();
        MemorySegment block = arena.allocate(1 << 20, 4096);
        arena.close();
        FixedSource source = new FixedSource(block);
        try (Region region = region(shared, source)) {
            assertThatThrownBy(() -> region.allocate(64)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("alive");
            assertThat(source.released).isEqualTo(1);
            assertThat(region.stats().grossBytes()).isZero();
        }
    }
}
