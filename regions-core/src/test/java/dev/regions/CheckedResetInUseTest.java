package dev.regions;

import dev.regions.internal.Invariants;

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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reset of a checked region that a downcall stops: C {@code qsort} holds the second of three
 * pieces (its scope is acquired for the call), and its comparator resets the region. The reset
 * throws {@link IllegalStateException}; the checked mode ends every piece's scope one by one, so
 * the first piece is dead by then (package documentation, "The checked mode"). What a user then
 * sees must agree with what is live: the figures count only the pieces {@code livePieces()} lists,
 * and the dead piece no longer counts against the limit.
 */
class CheckedResetInUseTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle QSORT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("qsort").orElseThrow(),
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));

    private static Runnable onCompare;
    private static final List<Throwable> seen = new ArrayList<>();

    static int compare(MemorySegment a, MemorySegment b) {
        if (onCompare != null) {
            Runnable misuse = onCompare;
            onCompare = null;
            try {
                misuse.run();
            } catch (Throwable t) { // an exception escaping an upcall would end the JVM
                seen.add(t);
            }
        }
        return Integer.compare(a.reinterpret(4).get(JAVA_INT, 0), b.reinterpret(4).get(JAVA_INT, 0));
    }

    private static void sortWhile(MemorySegment ints, Runnable misuse) throws Throwable {
        seen.clear();
        onCompare = misuse;
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle cmp = MethodHandles.lookup().findStatic(CheckedResetInUseTest.class, "compare",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment comparator = LINKER.upcallStub(cmp, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), arena);
            QSORT.invokeExact(ints, ints.byteSize() / 4, 4L, comparator);
        }
    }

    /** 100 + 100 + 132 bytes; the second piece (25 ints) is the one qsort holds. */
    private static MemorySegment[] threePieces(Region region) {
        int[] values = new int[25];
        for (int i = 0; i < values.length; i++) {
            values[i] = values.length - i;
        }
        return new MemorySegment[] {region.allocate(100), region.allocateFrom(JAVA_INT, values), region.allocate(132)};
    }

    @Test
    void afterAResetADowncallStoppedTheFiguresCountExactlyTheLivePieces() throws Throwable {
        try (Region region = Region.builder().checked(true).build()) {
            MemorySegment[] pieces = threePieces(region);

            sortWhile(pieces[1], region::reset);

            assertThat(seen).singleElement().isInstanceOf(IllegalStateException.class);
            List<PieceInfo> live = region.livePieces();
            RegionStats stats = region.stats();
            assertThat(live).extracting(PieceInfo::byteSize).containsExactly(100L, 132L);
            assertThat(stats.liveCount()).as("live count against livePieces()").isEqualTo(live.size());
            assertThat(stats.liveBytes()).as("live bytes against livePieces()")
                    .isEqualTo(live.stream().mapToLong(PieceInfo::byteSize).sum());
            assertThat(Invariants.check(region)).isNull();
            region.free(pieces[1]);
            region.free(pieces[2]);
            assertThat(region.stats().liveCount()).isZero();
            assertThat(region.stats().liveBytes()).isZero();
        }
    }

    @Test
    void afterAResetADowncallStoppedTheDeadPiecesNoLongerCountAgainstTheLimit() throws Throwable {
        try (Region region = Region.builder().checked(true).limit(332).build()) {
            MemorySegment[] pieces = threePieces(region);

            sortWhile(pieces[1], region::reset);

            assertThat(seen).singleElement().isInstanceOf(IllegalStateException.class);
            // live: 100 + 132 = 232 bytes; 100 more reach the limit exactly, which is allowed
            MemorySegment more = region.allocate(100);
            assertThat(region.stats().liveBytes()).isEqualTo(332);
            region.free(more);
            region.free(pieces[1]);
            region.free(pieces[2]);
        }
    }
}
