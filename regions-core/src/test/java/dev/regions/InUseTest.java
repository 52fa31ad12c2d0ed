package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Reset and close while a piece is in use by a downcall: C {@code qsort} holds the array (its
 * scope is acquired for the call) and calls back into Java, where the comparator tries to reset
 * or close the region. The scope cannot end, so the call throws {@link IllegalStateException}
 * and, as {@code Arena.close()} promises, nothing is released.
 */
class InUseTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle QSORT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("qsort").orElseThrow(),
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));

    private static Consumer<Void> onCompare;
    private static final List<Throwable> seen = new ArrayList<>();

    static int compare(MemorySegment a, MemorySegment b) {
        if (onCompare != null) {
            try {
                onCompare.accept(null);
            } catch (Throwable t) { // an exception escaping an upcall would end the JVM
                seen.add(t);
            }
            onCompare = null;
        }
        return Integer.compare(a.reinterpret(4).get(JAVA_INT, 0), b.reinterpret(4).get(JAVA_INT, 0));
    }

    private static void sortWhile(MemorySegment ints, Runnable misuse) throws Throwable {
        seen.clear();
        onCompare = x -> misuse.run();
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle cmp = MethodHandles.lookup().findStatic(InUseTest.class, "compare",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment comparator = LINKER.upcallStub(cmp,
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), arena);
            QSORT.invokeExact(ints, ints.byteSize() / 4, 4L, comparator);
        }
    }

    private static MemorySegment ints(Region region, int... values) {
        return region.allocateFrom(JAVA_INT, values);
    }

    @Test
    void resetDuringADowncallThatHoldsAPieceThrowsAndReleasesNothing() throws Throwable {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().source(source).build()) {
            MemorySegment array = ints(region, 3, 1, 2);
            MemorySegment other = region.allocate(100);
            RegionStats before = region.stats();

            sortWhile(array, region::reset);

            assertThat(seen).singleElement().isInstanceOf(IllegalStateException.class);
            assertThat(region.stats()).isEqualTo(before);
            assertThat(other.get(JAVA_BYTE, 99)).isZero(); // still alive
            assertThat(array.toArray(JAVA_INT)).containsExactly(1, 2, 3);
            assertThat(Invariants.check(region)).isNull();
            region.free(other);
        }
        assertThat(source.outstanding()).isZero();
    }

    @Test
    void closeDuringADowncallThatHoldsAPieceThrowsAndTheRegionStaysOpen() throws Throwable {
        Region region = Region.ofConfined();
        MemorySegment array = ints(region, 5, 4);

        sortWhile(array, region::close);

        assertThat(seen).singleElement().isInstanceOf(IllegalStateException.class);
        assertThat(region.scope().isAlive()).isTrue();
        assertThat(array.toArray(JAVA_INT)).containsExactly(4, 5);
        region.close();
        assertThat(region.scope().isAlive()).isFalse();
    }

    @Test
    void whenAMergedInGenerationIsInUseTheOthersEndAndFiguresStayExact() throws Throwable {
        assumeFalse(Invariants.CHECKED, "a checked region's pieces have scopes of their own, which a reset ends one"
                + " by one (Region.Builder.checked says so)");
        TrackingSource source = new TrackingSource();
        try (Region dst = Region.builder().source(source).build();
             Region src = Region.builder().source(source).build()) {
            MemorySegment own = dst.allocate(40);
            MemorySegment moved = ints(src, 9, 8, 7);
            dst.merge(src);
            RegionStats before = dst.stats();

            sortWhile(moved, dst::reset);

            assertThat(seen).singleElement().isInstanceOf(IllegalStateException.class);
            // dst's own generation ended (its piece is dead); the merged one, in use, survived.
            assertThatThrownBy(() -> own.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            assertThat(moved.toArray(JAVA_INT)).containsExactly(7, 8, 9);
            RegionStats after = dst.stats();
            assertThat(after.liveBytes()).isEqualTo(before.liveBytes() - 40);
            assertThat(after.liveCount()).isEqualTo(1);
            assertThat(Invariants.check(dst)).isNull();

            dst.free(moved);
            dst.allocate(16);
            dst.reset();
            assertThat(dst.stats().liveBytes()).isZero();
            assertThatThrownBy(() -> moved.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        }
        assertThat(source.outstanding()).isZero();
    }

    @Test
    void aBuiltInSourceRefusesToReleaseABlockADowncallHoldsAndReleasesItAfterwards() throws Throwable {
        for (MemorySource source : List.of(MemorySource.malloc(), MemorySource.jdk())) {
            MemorySegment block = source.allocate(12, 4);
            block.copyFrom(MemorySegment.ofArray(new int[] {3, 2, 1}));

            sortWhile(block, () -> source.release(block));

            assertThat(seen).as("%s", source).singleElement().isInstanceOf(IllegalStateException.class);
            assertThat(block.toArray(JAVA_INT)).containsExactly(1, 2, 3); // not freed under the downcall
            source.release(block);
            assertThatThrownBy(() -> block.get(JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
        }
    }
}
