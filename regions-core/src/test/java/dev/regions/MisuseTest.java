package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guarantee 2 of DESIGN.md: misuse is a clear exception and changes nothing. Each case builds a
 * region (confined or shared) holding a few live pieces, small and large, performs one misuse, and
 * checks the exception's type and message, that every region involved reports exactly the figures
 * (and limit) it had before, that no block was taken from or given back to the source, that the
 * live pieces still hold their bytes, that the internal invariants hold, and that the region still
 * works afterwards (allocate, write, free, reset). Cases that misuse a closed region compare with
 * its final figures and check that they stay readable.
 */
class MisuseTest {

    enum Kind {
        CONFINED, SHARED;

        Region.Builder builder() {
            return Region.builder().shared(this == SHARED);
        }

        Kind other() {
            return this == CONFINED ? SHARED : CONFINED;
        }

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    @FunctionalInterface
    interface Action {
        void run() throws Throwable;
    }

    /** Sets up the fixture for one misuse (legitimate calls only) and returns the misuse itself. */
    @FunctionalInterface
    interface Misuse {
        Action prepare(Fixture f) throws Throwable;
    }

    /**
     * One named misuse.
     *
     * @param name     what the caller does wrong
     * @param expected the exception type it must get
     * @param mentions words the exception's message must contain (ignoring case): what was wrong
     * @param kinds    the kinds of region the case applies to
     * @param misuse   the setup, returning the misusing call
     */
    record Case(String name, Class<? extends Throwable> expected, List<String> mentions, Set<Kind> kinds,
            Misuse misuse) {
    }

    private static final Set<Kind> BOTH = EnumSet.allOf(Kind.class);
    private static final Set<Kind> CONFINED_ONLY = EnumSet.of(Kind.CONFINED);

    private static Case both(String name, Class<? extends Throwable> expected, List<String> mentions, Misuse m) {
        return new Case(name, expected, mentions, BOTH, m);
    }

    private static Case confined(String name, Class<? extends Throwable> expected, List<String> mentions,
            Misuse m) {
        return new Case(name, expected, mentions, CONFINED_ONLY, m);
    }

    static List<Case> allCases() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        Class<WrongThreadException> wte = WrongThreadException.class;
        Class<LimitExceededException> lee = LimitExceededException.class;
        List<Case> cases = new ArrayList<>();

        // ---- bad arguments to allocate
        cases.add(both("allocate(-1)", iae, List.of("size", "-1"), f -> () -> f.region.allocate(-1)));
        cases.add(both("allocate(Long.MIN_VALUE, 16)", iae, List.of("size"),
                f -> () -> f.region.allocate(Long.MIN_VALUE, 16)));
        cases.add(both("allocate(16, 0): alignment 0", iae, List.of("alignment", "0"),
                f -> () -> f.region.allocate(16, 0)));
        cases.add(both("allocate(16, 3): alignment 3", iae, List.of("alignment", "3"),
                f -> () -> f.region.allocate(16, 3)));
        cases.add(both("allocate(16, -8): alignment -8", iae, List.of("alignment", "-8"),
                f -> () -> f.region.allocate(16, -8)));
        cases.add(both("allocate(20000, 3): large piece, alignment 3", iae, List.of("alignment", "3"),
                f -> () -> f.region.allocate(20_000, 3)));
        cases.add(both("allocate(0, 24): alignment 24", iae, List.of("alignment", "24"),
                f -> () -> f.region.allocate(0, 24)));

        // ---- free of something that is not a live piece of this region
        cases.add(both("free(null)", NullPointerException.class, List.of("piece"), f -> () -> f.region.free(null)));
        cases.add(both("free a small piece of another region", iae, List.of("not a piece"), f -> {
            MemorySegment foreign = f.another().allocate(24);
            return () -> f.region.free(foreign);
        }));
        cases.add(both("free a large piece of another region", iae, List.of("not a piece"), f -> {
            MemorySegment foreign = f.another().allocate(20_000);
            return () -> f.region.free(foreign);
        }));
        cases.add(both("free a piece of a region of the other kind", iae, List.of("not a piece"), f -> {
            MemorySegment foreign = f.anotherOfOtherKind().allocate(24);
            return () -> f.region.free(foreign);
        }));
        cases.add(both("free a piece of a closed region", iae, List.of("close"), f -> {
            Region other = f.another();
            MemorySegment dead = other.allocate(24);
            other.close();
            return () -> f.region.free(dead);
        }));
        cases.add(both("free a segment of Arena.ofConfined()", iae, List.of("not a piece"), f -> {
            Arena arena = f.closeLater(Arena.ofConfined());
            MemorySegment foreign = arena.allocate(24);
            return () -> f.region.free(foreign);
        }));
        cases.add(both("free a large segment of Arena.ofConfined()", iae, List.of("not a piece"), f -> {
            Arena arena = f.closeLater(Arena.ofConfined());
            MemorySegment foreign = arena.allocate(100_000, 4096);
            return () -> f.region.free(foreign);
        }));
        cases.add(both("free MemorySegment.ofAddress(a live small piece's address)", iae, List.of("not a piece"),
                f -> () -> f.region.free(MemorySegment.ofAddress(f.small.address()))));
        cases.add(both("free MemorySegment.ofAddress(a live zero-length piece's address)", iae,
                List.of("not a piece"), f -> () -> f.region.free(MemorySegment.ofAddress(f.empty.address()))));
        cases.add(both("free MemorySegment.ofAddress(a live large piece's address)", iae, List.of("not a piece"),
                f -> () -> f.region.free(MemorySegment.ofAddress(f.large.address()))));
        cases.add(both("free MemorySegment.ofAddress(0x12345678)", iae, List.of("not a piece"),
                f -> () -> f.region.free(MemorySegment.ofAddress(0x1234_5678L))));
        cases.add(both("free a heap segment MemorySegment.ofArray(new byte[24])", iae, List.of("heap segment"),
                f -> () -> f.region.free(MemorySegment.ofArray(new byte[24]))));
        cases.add(both("free a heap segment MemorySegment.ofArray(new long[4])", iae, List.of("heap segment"),
                f -> () -> f.region.free(MemorySegment.ofArray(new long[4]))));

        cases.add(both("free a small piece twice", iae, List.of("already freed"), f -> {
            MemorySegment p = f.region.allocate(40);
            f.region.free(p);
            return () -> f.region.free(p);
        }));
        cases.add(both("free a zero-length piece twice", iae, List.of("already freed"), f -> {
            MemorySegment p = f.region.allocate(0);
            f.region.free(p);
            return () -> f.region.free(p);
        }));
        cases.add(both("free a large piece twice", iae, List.of("already freed"), f -> {
            MemorySegment p = f.region.allocate(50_000);
            f.region.free(p);
            return () -> f.region.free(p);
        }));
        cases.add(both("free a fixture piece twice (small, after other frees)", iae, List.of("already freed"), f -> {
            f.freeLegit(f.small);
            f.freeLegit(f.aligned);
            return () -> f.region.free(f.small);
        }));

        cases.add(both("free a small piece from before a reset (nothing allocated since)", iae, List.of("reset"),
                f -> {
                    MemorySegment old = f.small;
                    f.resetLegit();
                    return () -> f.region.free(old);
                }));
        cases.add(both("free a small piece from before a reset (pieces allocated again since)", iae,
                List.of("reset"), f -> {
                    MemorySegment old = f.small;
                    f.resetLegit();
                    f.allocateFixturePieces();
                    return () -> f.region.free(old);
                }));
        cases.add(both("free a small piece from before a reset (a large piece allocated since)", iae,
                List.of("reset"), f -> {
                    MemorySegment old = f.aligned;
                    f.resetLegit();
                    f.keep(f.region.allocate(30_000), 3);
                    return () -> f.region.free(old);
                }));
        cases.add(both("free a zero-length piece from before a reset", iae, List.of("reset"), f -> {
            MemorySegment old = f.empty;
            f.resetLegit();
            return () -> f.region.free(old);
        }));
        cases.add(both("free a large piece from before a reset", iae, List.of("reset"), f -> {
            MemorySegment old = f.large;
            f.resetLegit();
            f.allocateFixturePieces();
            return () -> f.region.free(old);
        }));

        cases.add(both("free small.asSlice(8)", iae, List.of("slice"), f -> () -> f.region.free(f.small.asSlice(8))));
        cases.add(both("free small.asSlice(0, n - 1)", iae, List.of("slice"),
                f -> () -> f.region.free(f.small.asSlice(0, f.small.byteSize() - 1))));
        cases.add(both("free aligned.asSlice(64)", iae, List.of("slice"),
                f -> () -> f.region.free(f.aligned.asSlice(64))));
        cases.add(both("free large.asSlice(8)", iae, List.of("slice"), f -> () -> f.region.free(f.large.asSlice(8))));
        cases.add(both("free large.asSlice(0, n - 1)", iae, List.of("slice"),
                f -> () -> f.region.free(f.large.asSlice(0, f.large.byteSize() - 1))));
        cases.add(both("free large.asSlice(8192) (a slice past the block's first 4 KiB)", iae, List.of("slice"),
                f -> () -> f.region.free(f.large.asSlice(8192))));
        cases.add(both("free the empty slice at the end of a 16-byte piece, next to a live zero-length piece", iae,
                List.of("slice"), f -> {
                    // Were zero-length pieces placed in plain slots, this one would sit where the
                    // 16-byte piece ends, and the empty slice would be equal to it.
                    f.resetLegit();
                    MemorySegment sixteen = f.keep(f.region.allocate(16), 9);
                    f.keep(f.region.allocate(0), 0);
                    return () -> f.region.free(sixteen.asSlice(16));
                }));
        cases.add(both("free a piece moved away by a merge (src.free after dst.merge(src))", iae,
                List.of("not a piece"), f -> {
                    Region dst = f.another();
                    dst.merge(f.region);
                    return () -> f.region.free(f.small);
                }));
        cases.add(both("free a large piece moved away by a merge", iae, List.of("not a piece"), f -> {
            Region dst = f.another();
            dst.merge(f.region);
            return () -> f.region.free(f.large);
        }));

        cases.add(both("free twice a piece moved in by a merge", iae, List.of("already freed"), f -> {
            Region src = f.another();
            MemorySegment moved = src.allocate(48);
            f.region.merge(src);
            f.region.free(moved);
            return () -> f.region.free(moved);
        }));

        // ---- merge misuse
        cases.add(both("merge a region into itself", iae, List.of("itself"), f -> () -> f.region.merge(f.region)));
        cases.add(both("mergeAndClose a region into itself", iae, List.of("itself"),
                f -> () -> f.region.mergeAndClose(f.region)));
        cases.add(both("merge a closed region", ise, List.of("closed"), f -> {
            Region src = f.another();
            src.allocate(24);
            src.close();
            return () -> f.region.merge(src);
        }));
        cases.add(both("merge it into a closed region", ise, List.of("closed"), f -> {
            Region dst = f.another();
            dst.allocate(24);
            dst.close();
            return () -> dst.merge(f.region);
        }));
        cases.add(both("merge a region of the other kind into it (confined <-> shared)", iae, List.of("shared"),
                f -> {
                    Region src = f.anotherOfOtherKind();
                    f.keep(src.allocate(24), 4);
                    return () -> f.region.merge(src);
                }));
        cases.add(both("merge it into a region of the other kind (confined <-> shared)", iae, List.of("shared"),
                f -> {
                    Region dst = f.anotherOfOtherKind();
                    f.keep(dst.allocate(24), 4);
                    return () -> dst.merge(f.region);
                }));
        cases.add(both("merge a region confined to another thread into it", iae, List.of("thread"), f -> {
            Region src = f.confinedElsewhere();
            return () -> f.region.merge(src);
        }));
        cases.add(both("merge it into a region confined to another thread (called from this one)", wte,
                List.of("confined to thread"), f -> {
                    Region dst = f.confinedElsewhere();
                    return () -> dst.merge(f.region);
                }));
        cases.add(both("merge over the destination's limit", lee, List.of("limit"), f -> {
            Region src = f.another();
            f.keep(src.allocate(100), 5);
            f.region.setLimit(f.region.stats().liveBytes() + 99);
            return () -> f.region.merge(src);
        }));

        // ---- limits
        cases.add(both("setLimit(-1)", iae, List.of("limit", "-1"), f -> {
            f.region.setLimit(1 << 20);
            return () -> f.region.setLimit(-1);
        }));
        cases.add(both("allocate a small piece over the limit", lee, List.of("limit"), f -> {
            f.region.setLimit(f.region.stats().liveBytes() + 100);
            return () -> f.region.allocate(101);
        }));
        cases.add(both("allocate a large piece over the limit", lee, List.of("limit"), f -> {
            f.region.setLimit(f.region.stats().liveBytes() + 20_000);
            return () -> f.region.allocate(20_001);
        }));
        cases.add(both("allocateFrom(String) over the limit", lee, List.of("limit"), f -> {
            f.region.setLimit(f.region.stats().liveBytes() + 3);
            return () -> f.region.allocateFrom("four");
        }));
        cases.add(both("allocate under a limit set below the live bytes", lee, List.of("limit"), f -> {
            f.region.setLimit(1);
            return () -> f.region.allocate(1);
        }));

        // ---- after close: every call but stats/limit/name/scope throws IllegalStateException
        List<String> closed = List.of("closed");
        cases.add(both("allocate after close", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.allocate(16);
        }));
        cases.add(both("allocate a large piece after close", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.allocate(20_000);
        }));
        cases.add(both("allocateFrom(String) after close", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.allocateFrom("late");
        }));
        cases.add(both("free a piece after close", ise, closed, f -> {
            MemorySegment p = f.small;
            f.closeLegit();
            return () -> f.region.free(p);
        }));
        cases.add(both("free(MemorySegment.NULL) after close", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.free(MemorySegment.NULL);
        }));
        cases.add(both("reset after close", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.reset();
        }));
        cases.add(both("merge an open region into it after close", ise, closed, f -> {
            Region src = f.another();
            f.keep(src.allocate(24), 6);
            f.closeLegit();
            return () -> f.region.merge(src);
        }));
        cases.add(both("mergeAndClose an open region into it after close", ise, closed, f -> {
            Region src = f.another();
            f.keep(src.allocate(24), 6);
            f.closeLegit();
            return () -> f.region.mergeAndClose(src);
        }));
        cases.add(both("merge it into an open region after close", ise, closed, f -> {
            Region dst = f.another();
            f.keep(dst.allocate(24), 6);
            f.closeLegit();
            return () -> dst.merge(f.region);
        }));
        cases.add(both("setLimit after close", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.setLimit(100);
        }));
        cases.add(both("statsAndResetPeaks after close", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.statsAndResetPeaks();
        }));
        cases.add(both("close twice", ise, closed, f -> {
            f.closeLegit();
            return () -> f.region.close();
        }));

        // ---- a confined region used from another thread
        List<String> confinedTo = List.of("confined");
        cases.add(confined("allocate from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> f.region.allocate(16))));
        cases.add(confined("allocate a large piece from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> f.region.allocate(20_000))));
        cases.add(confined("allocateFrom(String) from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> f.region.allocateFrom("hi"))));
        cases.add(confined("free from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> run(() -> f.region.free(f.small)))));
        cases.add(confined("free a large piece from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> run(() -> f.region.free(f.large)))));
        cases.add(confined("reset from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> run(f.region::reset))));
        cases.add(confined("close from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> run(f.region::close))));
        cases.add(confined("merge into it from another thread", wte, confinedTo, f -> {
            Region src = f.another();
            f.keep(src.allocate(24), 7);
            return () -> f.onOtherThread(() -> run(() -> f.region.merge(src)));
        }));
        cases.add(confined("merge it into another region from another thread", wte, confinedTo, f -> {
            Region dst = f.another();
            f.keep(dst.allocate(24), 7);
            return () -> f.onOtherThread(() -> run(() -> dst.merge(f.region)));
        }));
        cases.add(confined("mergeAndClose from another thread", wte, confinedTo, f -> {
            Region src = f.another();
            f.keep(src.allocate(24), 7);
            return () -> f.onOtherThread(() -> run(() -> f.region.mergeAndClose(src)));
        }));
        cases.add(confined("setLimit from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(() -> f.region.setLimit(10))));
        cases.add(confined("statsAndResetPeaks from another thread", wte, confinedTo,
                f -> () -> f.onOtherThread(f.region::statsAndResetPeaks)));
        cases.add(confined("read a small piece from another thread", wte, List.of("thread"),
                f -> () -> f.onOtherThread(() -> f.small.get(JAVA_BYTE, 0))));
        cases.add(confined("write a large piece from another thread", wte, List.of("thread"),
                f -> () -> f.onOtherThread(() -> run(() -> f.large.set(JAVA_LONG, 0, -1L)))));
        return cases;
    }

    static Stream<Arguments> cases() {
        return allCases().stream().flatMap(c -> c.kinds().stream()
                .map(kind -> argumentSet(kind + ": " + c.name(), kind, c)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void misuseIsAClearExceptionAndChangesNothing(Kind kind, Case c) throws Throwable {
        try (Fixture f = new Fixture(kind)) {
            Action misuse = c.misuse().prepare(f);
            Map<String, Snapshot> before = f.snapshot();
            long sourceAllocations = f.source.allocateCalls();
            long sourceReleases = f.source.releaseCalls();

            Throwable thrown = catchThrowable(misuse::run);

            if (thrown == null) {
                fail("%s: '%s' threw nothing, expected %s; figures before %s, after %s; invariants: %s", kind,
                        c.name(), c.expected().getSimpleName(), before, f.snapshot(), f.validation());
            }
            assertThat(thrown).as("%s: %s", kind, c.name()).isInstanceOf(c.expected());
            assertThat(thrown.getMessage()).as("message of %s", thrown).isNotBlank();
            for (String word : c.mentions()) {
                assertThat(thrown.getMessage()).as("message of %s", thrown).containsIgnoringCase(word);
            }
            assertThat(f.snapshot()).as("figures and limits of every region involved").isEqualTo(before);
            assertThat(f.source.allocateCalls()).as("source allocate calls").isEqualTo(sourceAllocations);
            assertThat(f.source.releaseCalls()).as("source release calls").isEqualTo(sourceReleases);
            f.assertValid();
            f.assertPiecesIntact();
            if (f.closed) {
                f.assertClosedButReadable();
            } else {
                f.assertStillWorks();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void freeOfMemorySegmentNullDoesNothing(Kind kind) throws Throwable {
        try (Fixture f = new Fixture(kind)) {
            Map<String, Snapshot> before = f.snapshot();
            long sourceCalls = f.source.allocateCalls() + f.source.releaseCalls();

            f.region.free(MemorySegment.NULL);
            f.region.free(MemorySegment.NULL);

            assertThat(f.snapshot()).isEqualTo(before);
            assertThat(f.source.allocateCalls() + f.source.releaseCalls()).isEqualTo(sourceCalls);
            f.assertValid();
            f.assertPiecesIntact();
            f.assertStillWorks();
        }
    }

    /**
     * What a stale free from before a reset must not do: if the allocator accepts it, the dead
     * page the piece was on goes back on its class's list, and later allocations of that class
     * hand out (or fail on) slots of an ended generation.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRejectedStaleFreeLeavesLaterAllocationsUsable(Kind kind) {
        TrackingSource source = new TrackingSource();
        try (Region region = kind.builder().source(source).build()) {
            List<MemorySegment> old = new ArrayList<>();
            for (int i = 0; i < 300; i++) { // more than one full page of 16-byte slots
                old.add(region.allocate(16));
            }
            region.reset();
            RegionStats before = region.stats();

            Throwable staleFree = catchThrowable(() -> region.free(old.get(0)));
            RegionStats after = region.stats();
            List<String> broken = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                try {
                    MemorySegment fresh = region.allocate(16);
                    fresh.set(JAVA_LONG, 0, i);
                    if (fresh.get(JAVA_LONG, 0) != i) {
                        broken.add("piece " + i + " does not keep what was written");
                    }
                } catch (RuntimeException e) {
                    broken.add("allocation " + i + " after the reset: " + e);
                }
            }
            RegionStats end = region.stats();
            String invariants = Invariants.check(region);
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(staleFree).as("free of a piece from before the reset")
                        .isInstanceOf(IllegalArgumentException.class);
                softly.assertThat(after).as("figures after the stale free").isEqualTo(before);
                softly.assertThat(broken).as("allocations after the stale free").isEmpty();
                softly.assertThat(end.liveCount()).isEqualTo(300);
                softly.assertThat(end.liveBytes()).isEqualTo(300 * 16);
                softly.assertThat(invariants).isNull();
            });
        }
        assertThat(source.outstanding()).isZero();
    }

    // ------------------------------------------------------------------ fixture

    /** A region's figures and limit: what a misuse must leave as it was. */
    record Snapshot(RegionStats stats, long limit) {
    }

    private record Piece(MemorySegment segment, byte fill) {
    }

    private static Object run(Action action) throws Exception {
        try {
            action.run();
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return null;
    }

    /**
     * The region under test, holding five live pieces filled with known bytes, plus every other
     * region and arena a case makes (all on one {@link TrackingSource}, all closed at the end, after
     * which the source must have every block back).
     */
    static final class Fixture implements AutoCloseable {
        final Kind kind;
        final TrackingSource source = new TrackingSource();
        final Region region;
        MemorySegment small;   // 24 bytes
        MemorySegment aligned; // 100 bytes aligned to 64
        MemorySegment empty;   // 0 bytes
        MemorySegment large;   // 20,000 bytes
        MemorySegment huge;    // 100,000 bytes aligned to 4096
        boolean closed;

        private final List<Piece> live = new ArrayList<>();
        private final Map<String, Region> watched = new LinkedHashMap<>();
        private final List<Region> mine = new ArrayList<>();
        private final List<Region> elsewhereRegions = new ArrayList<>();
        private final List<AutoCloseable> arenas = new ArrayList<>();
        private ExecutorService elsewhere;

        Fixture(Kind kind) {
            this.kind = kind;
            this.region = kind.builder().name("under-test").source(source).build();
            watched.put("region under test", region);
            allocateFixturePieces();
        }

        void allocateFixturePieces() {
            small = keep(region.allocate(24), 1);
            aligned = keep(region.allocate(100, 64), 2);
            empty = keep(region.allocate(0), 0);
            large = keep(region.allocate(20_000), 3);
            huge = keep(region.allocate(100_000, 4096), 4);
        }

        /** Fills a live piece with {@code fill} and remembers it, to check its bytes survive. */
        MemorySegment keep(MemorySegment piece, int fill) {
            piece.fill((byte) fill);
            live.add(new Piece(piece, (byte) fill));
            return piece;
        }

        void freeLegit(MemorySegment piece) {
            region.free(piece);
            live.removeIf(p -> p.segment() == piece);
        }

        void resetLegit() {
            region.reset();
            live.removeIf(p -> !p.segment().scope().isAlive());
        }

        void closeLegit() {
            region.close();
            closed = true;
            live.removeIf(p -> !p.segment().scope().isAlive());
        }

        /** Another region of the same kind, owned by this thread, on the same source. */
        Region another() {
            return track(kind.builder().name("other-" + watched.size()).source(source).build());
        }

        Region anotherOfOtherKind() {
            return track(kind.other().builder().name("other-kind-" + watched.size()).source(source).build());
        }

        /** A confined region built by another thread, holding a live piece. */
        Region confinedElsewhere() throws Throwable {
            Region r = onOtherThread(() -> {
                Region built = Region.builder().name("elsewhere").source(source).build();
                built.allocate(24).fill((byte) 8);
                return built;
            });
            elsewhereRegions.add(r);
            watched.put("region confined to another thread", r);
            return r;
        }

        private Region track(Region r) {
            mine.add(r);
            watched.put(r.name(), r);
            return r;
        }

        <A extends AutoCloseable> A closeLater(A arena) {
            arenas.add(arena);
            return arena;
        }

        /** Runs {@code task} on a second thread (the same one every time) and rethrows what it threw. */
        <T> T onOtherThread(Callable<T> task) throws Throwable {
            if (elsewhere == null) {
                elsewhere = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
            }
            try {
                return elsewhere.submit(task).get();
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        }

        Map<String, Snapshot> snapshot() {
            Map<String, Snapshot> s = new LinkedHashMap<>();
            watched.forEach((name, r) -> s.put(name, new Snapshot(r.stats(), r.limit())));
            return s;
        }

        Map<String, String> validation() {
            Map<String, String> v = new LinkedHashMap<>();
            watched.forEach((name, r) -> v.put(name, Invariants.check(r)));
            return v;
        }

        void assertValid() {
            watched.forEach((name, r) ->
                    assertThat(Invariants.check(r)).as("invariants of %s", name).isNull());
        }

        void assertPiecesIntact() {
            for (Piece p : live) {
                MemorySegment s = p.segment();
                for (long i = 0; i < s.byteSize(); i += Math.max(1, s.byteSize() / 64)) {
                    assertThat(s.get(JAVA_BYTE, i)).as("byte %d of live piece %s", i, s).isEqualTo(p.fill());
                }
                if (s.byteSize() > 0) {
                    assertThat(s.get(JAVA_BYTE, s.byteSize() - 1)).as("last byte of live piece %s", s)
                            .isEqualTo(p.fill());
                }
            }
        }

        void assertClosedButReadable() {
            assertThat(region.scope().isAlive()).isFalse();
            assertThat(region.stats().liveBytes()).isZero();
            assertThat(region.name()).isEqualTo("under-test");
            assertThat(region.limit()).isGreaterThanOrEqualTo(0);
        }

        /** Allocate (small and large), write, free, reset: the region works as if nothing happened. */
        void assertStillWorks() {
            region.setLimit(0);
            RegionStats s0 = region.stats();
            MemorySegment p = region.allocate(40);
            MemorySegment q = region.allocate(30_000, 64);
            assertThat(p.get(JAVA_LONG, 0)).as("a new piece is zero-filled").isZero();
            assertThat(q.get(JAVA_LONG, 29_992)).as("a new piece is zero-filled").isZero();
            p.fill((byte) 0x5A);
            q.fill((byte) 0x5B);
            RegionStats s1 = region.stats();
            assertThat(s1.liveBytes()).isEqualTo(s0.liveBytes() + 30_040);
            assertThat(s1.liveCount()).isEqualTo(s0.liveCount() + 2);
            assertThat(s1.allocations()).isEqualTo(s0.allocations() + 2);
            assertPiecesIntact();
            assertThat(p.get(JAVA_BYTE, 39)).isEqualTo((byte) 0x5A);
            assertThat(q.get(JAVA_BYTE, 29_999)).isEqualTo((byte) 0x5B);
            region.free(p);
            region.free(q);
            RegionStats s2 = region.stats();
            assertThat(s2.liveBytes()).isEqualTo(s0.liveBytes());
            assertThat(s2.liveCount()).isEqualTo(s0.liveCount());
            assertThat(s2.frees()).isEqualTo(s0.frees() + 2);
            assertThat(Invariants.check(region)).isNull();

            MemorySegment.Scope generation = region.scope();
            List<Piece> ours = live.stream().filter(x -> x.segment().scope().equals(generation)).toList();
            region.reset();
            live.removeAll(ours);
            RegionStats s3 = region.stats();
            assertThat(s3.liveBytes()).isZero();
            assertThat(s3.liveCount()).isZero();
            assertThat(Invariants.check(region)).isNull();
            for (Piece x : ours) {
                assertThat(x.segment().scope().isAlive()).as("a piece from before the reset is dead").isFalse();
                if (x.segment().byteSize() > 0) {
                    assertThatThrownBy(() -> x.segment().get(JAVA_BYTE, 0))
                            .as("touching a piece from before the reset").isInstanceOf(IllegalStateException.class);
                }
            }
            MemorySegment r = region.allocate(16);
            r.set(JAVA_LONG, 8, 42L);
            assertThat(r.get(JAVA_LONG, 8)).isEqualTo(42L);
            assertThat(region.stats().liveCount()).isEqualTo(1);
        }

        @Override
        public void close() {
            try {
                if (region.scope().isAlive()) {
                    region.close();
                }
                for (Region r : mine) {
                    if (r.scope().isAlive()) {
                        r.close();
                    }
                }
                for (AutoCloseable a : arenas) {
                    a.close();
                }
                if (!elsewhereRegions.isEmpty()) {
                    elsewhere.submit(() -> {
                        for (Region r : elsewhereRegions) {
                            if (r.scope().isAlive()) {
                                r.close();
                            }
                        }
                        return null;
                    }).get();
                }
            } catch (Exception e) {
                throw new AssertionError("closing the fixture's regions failed", e);
            } finally {
                if (elsewhere != null) {
                    elsewhere.shutdownNow();
                }
            }
            assertThat(source.outstanding()).as("blocks not returned to the source after closing everything")
                    .isZero();
        }
    }
}
