package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.MisuseFixture;
import dev.regions.support.MisuseFixture.Kind;
import dev.regions.support.TrackingSource;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Guarantee 2 of DESIGN.md: misuse is a clear exception and changes nothing; and the misuse
 * catalogue, every misuse a user can commit with the exception class and the message the user
 * sees, taken from the real exceptions and written to {@code target/misuse-catalogue.md} as a
 * Markdown table ({@code | # | misuse | exception | message |}) for the docs to quote. Addresses
 * and identity hash codes in messages are shown as {@code …}, so that the file is the same from
 * run to run.
 *
 * <p>Misuse of a region with live pieces ({@link #allCases()}): each case builds a region
 * (confined or shared) holding a few live pieces, small and large ({@link MisuseFixture}),
 * performs one misuse, and checks the exception's type and message, that every region involved
 * reports exactly the figures (and limit) it had before, that no block was taken from or given
 * back to the source, that the live pieces still hold their bytes, that the internal invariants
 * hold, and that the region still works afterwards (allocate, write, free, reset). Cases that
 * misuse a closed region compare with its final figures and check that they stay readable. Each
 * case is a catalogue row, from its run on a confined region unless it is about shared ones.
 *
 * <p>Misuse that does not fit the fixture ({@link #extras()}), each on regions of its own and
 * each a row too: sizes and alignments no source can give, null arguments elsewhere than
 * {@code free}, regions not built by Regions, touching pieces after a reset or a close (on this
 * thread or another), and code the region calls (a source, a cleanup action) calling back into it.
 * Its exception must be of the expected class, its message must contain the expected fragment,
 * and the regions it made must all be closed afterwards.
 */
class MisuseTest {

    private static final Path CATALOGUE = Path.of("target", "misuse-catalogue.md");

    /** A catalogue row: what was done, and the exception it got. */
    private record Row(String misuse, Throwable thrown) {
    }

    private static final Map<Integer, Row> ROWS = new TreeMap<>();

    // ------------------------------------------------------------------ misuse of a region with live pieces

    @FunctionalInterface
    interface Action {
        void run() throws Throwable;
    }

    /** Sets up the fixture for one misuse (legitimate calls only) and returns the misuse itself. */
    @FunctionalInterface
    interface Misuse {
        Action prepare(MisuseFixture f) throws Throwable;
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
        List<Case> cases = allCases();
        return IntStream.range(0, cases.size()).boxed().flatMap(i -> cases.get(i).kinds().stream()
                .map(kind -> argumentSet(kind + ": " + cases.get(i).name(), i, kind, cases.get(i))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void misuseIsAClearExceptionAndChangesNothing(int index, Kind kind, Case c) throws Throwable {
        try (MisuseFixture f = new MisuseFixture(kind)) {
            Action misuse = c.misuse().prepare(f);
            Map<String, MisuseFixture.Snapshot> before = f.snapshot();
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
            if (kind == catalogueKind(c)) {
                record(index, c.name() + (c.kinds().size() == 1 ? " (" + kind + " region)" : ""), thrown);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void freeOfMemorySegmentNullDoesNothing(Kind kind) throws Throwable {
        try (MisuseFixture f = new MisuseFixture(kind)) {
            Map<String, MisuseFixture.Snapshot> before = f.snapshot();
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

    /** The kind a case's catalogue row comes from: confined, unless the case is about shared regions. */
    private static Kind catalogueKind(Case c) {
        return c.kinds().contains(Kind.CONFINED) ? Kind.CONFINED : Kind.SHARED;
    }

    // ------------------------------------------------------------------ misuse the fixture cannot stage

    /** Commits one misuse on regions of its own (closing them after) and returns what it threw. */
    @FunctionalInterface
    interface Provoke {
        Throwable run() throws Exception;
    }

    record Extra(String name, Class<? extends Throwable> expected, String fragment, Provoke provoke) {
    }

    static List<Extra> extras() {
        List<Extra> extras = new ArrayList<>();
        extras.add(new Extra("allocate(Long.MAX_VALUE): more than any source can give", OutOfMemoryError.class,
                "larger than any a source can give", () -> onRegion(r -> r.allocate(Long.MAX_VALUE))));
        extras.add(new Extra("allocate(16, 2^62): an alignment no source can give", OutOfMemoryError.class,
                "aligned to 4611686018427387904", () -> onRegion(r -> r.allocate(16, 1L << 62))));
        extras.add(new Extra("allocate(0, 2^62): a zero-length piece with an alignment no source can give",
                OutOfMemoryError.class, "larger than any a source can give",
                () -> onRegion(r -> r.allocate(0, 1L << 62))));
        extras.add(new Extra("allocate(-1, 3) on a closed region: bad arguments are reported first",
                IllegalArgumentException.class, "invalid allocation size", () -> {
                    Region r = named(false);
                    r.close();
                    return catchThrowable(() -> r.allocate(-1, 3));
                }));
        extras.add(new Extra("merge(null)", NullPointerException.class, "source",
                () -> onRegion(r -> r.merge(null))));
        extras.add(new Extra("mergeAndClose(null)", NullPointerException.class, "source",
                () -> onRegion(r -> r.mergeAndClose(null))));
        extras.add(new Extra("Region.builder(null)", NullPointerException.class, "template",
                () -> catchThrowable(() -> Region.builder(null))));
        extras.add(new Extra("Region.builder().source(null)", NullPointerException.class, "source",
                () -> catchThrowable(() -> Region.builder().source(null))));
        extras.add(new Extra("Region.builder().name(null)", NullPointerException.class, "name",
                () -> catchThrowable(() -> Region.builder().name(null))));
        extras.add(new Extra("Region.builder().limit(-1)", IllegalArgumentException.class, "invalid limit",
                () -> catchThrowable(() -> Region.builder().limit(-1))));
        extras.add(new Extra("read a piece after its region was reset", IllegalStateException.class, "closed", () -> {
            try (Region r = named(false)) {
                MemorySegment piece = r.allocate(64);
                r.reset();
                return catchThrowable(() -> piece.get(JAVA_BYTE, 0));
            }
        }));
        extras.add(new Extra("write a piece after its region was closed", IllegalStateException.class, "closed",
                () -> {
                    Region r = named(true);
                    MemorySegment piece = r.allocate(20_000);
                    r.close();
                    return catchThrowable(() -> piece.set(JAVA_BYTE, 0, (byte) 1));
                }));
        extras.add(new Extra("read a piece of a shared region after another thread closed the region",
                IllegalStateException.class, "closed", () -> {
                    Region r = named(true);
                    MemorySegment piece = r.allocate(64);
                    Thread closer = new Thread(r::close, "closer");
                    closer.start();
                    closer.join();
                    return catchThrowable(() -> piece.get(JAVA_BYTE, 0));
                }));
        extras.add(new Extra("read a piece moved by merge after the destination was reset", IllegalStateException.class,
                "closed", () -> {
                    try (Region dst = named(false); Region src = named(false)) {
                        MemorySegment piece = src.allocate(64);
                        dst.merge(src);
                        dst.reset();
                        return catchThrowable(() -> piece.get(JAVA_BYTE, 0));
                    }
                }));
        extras.add(new Extra("a memory source that calls the region it serves (from allocate)",
                IllegalStateException.class, "is calling its memory source", () -> {
                    CallingSource source = new CallingSource();
                    try (Region r = Region.builder().name("mine").source(source).build()) {
                        source.call = () -> r.allocate(16);
                        r.allocate(16);
                        return source.thrown.get();
                    } finally {
                        assertThat(source.tracking.outstanding()).isZero();
                    }
                }));
        extras.add(new Extra("a memory source that resets the region it serves (from release, during close)",
                IllegalStateException.class, "is calling its memory source", () -> {
                    CallingSource source = new CallingSource();
                    Region r = Region.builder().name("mine").source(source).build();
                    r.allocate(16);
                    source.callOnRelease = r::reset;
                    r.close();
                    assertThat(source.tracking.outstanding()).isZero();
                    return source.thrown.get();
                }));
        extras.add(new Extra("a cleanup action that allocates in the region being reset", IllegalStateException.class,
                "is being reset or closed", () -> {
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    try (Region r = named(false)) {
                        bindCleanup(r, () -> thrown.set(catchThrowable(() -> r.allocate(16))));
                        r.reset();
                    }
                    return thrown.get();
                }));
        extras.add(new Extra("a cleanup action that closes the region being closed", IllegalStateException.class,
                "is being reset or closed", () -> {
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    Region r = named(true);
                    bindCleanup(r, () -> thrown.set(catchThrowable(r::close)));
                    r.close();
                    return thrown.get();
                }));
        return extras;
    }

    static Stream<Arguments> extraCases() {
        int base = allCases().size();
        List<Extra> extras = extras();
        return IntStream.range(0, extras.size()).mapToObj(i -> argumentSet(extras.get(i).name(), base + i,
                extras.get(i)));
    }

    @ParameterizedTest
    @MethodSource("extraCases")
    void extraCase(int index, Extra extra) throws Exception {
        RegionStats global0 = Regions.globalStats();
        Throwable thrown = extra.provoke().run();
        assertThat(thrown).as(extra.name()).isInstanceOf(extra.expected());
        assertThat(thrown.getMessage()).as("message of %s", thrown).contains(extra.fragment());
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.liveBytes()).as("every region of the case closed").isEqualTo(global0.liveBytes());
        assertThat(global1.grossBytes()).as("every region of the case closed").isEqualTo(global0.grossBytes());
        record(index, extra.name(), thrown);
    }

    // ------------------------------------------------------------------ the catalogue

    private static void record(int index, String misuse, Throwable thrown) {
        synchronized (ROWS) {
            ROWS.put(index, new Row(misuse, thrown));
        }
    }

    @AfterAll
    static void writeCatalogue() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Misuse catalogue\n\n")
                .append("What a user sees for each misuse, from the exceptions Regions really throws")
                .append(" (generated by MisuseTest; addresses and identity hash codes shown as `…`).\n\n")
                .append("| # | misuse | exception | message |\n|---|---|---|---|\n");
        int n = 0;
        synchronized (ROWS) {
            for (Row row : ROWS.values()) {
                md.append("| ").append(++n).append(" | ").append(row.misuse().replace("|", "\\|")).append(" | `")
                        .append(row.thrown().getClass().getName()).append("` | ")
                        .append(cell(String.valueOf(row.thrown().getMessage()))).append(" |\n");
            }
        }
        Files.createDirectories(CATALOGUE.getParent());
        Files.writeString(CATALOGUE, md);
        if (n > 0) {
            System.out.println("Misuse catalogue: " + n + " rows in " + CATALOGUE.toAbsolutePath());
        }
    }

    private static String cell(String text) {
        return text.replaceAll("0x[0-9a-fA-F]{5,}", "0x…").replaceAll("(\\[[A-Z])@[0-9a-f]+", "$1@…")
                .replace("|", "\\|").replace("\n", " ");
    }

    // ------------------------------------------------------------------ helpers

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

    @FunctionalInterface
    interface RegionCall {
        void run(Region r) throws Throwable;
    }

    /** A region named "mine", so that the catalogue's messages are the same whatever ran before. */
    private static Region named(boolean shared) {
        return Region.builder().name("mine").shared(shared).build();
    }

    /** Runs the misuse on a fresh confined region, closes it, returns what the misuse threw. */
    private static Throwable onRegion(RegionCall call) {
        try (Region r = named(false)) {
            return catchThrowable(() -> call.run(r));
        }
    }

    @SuppressWarnings("restricted")
    private static void bindCleanup(Region region, Runnable action) {
        MemorySegment.ofAddress(region.allocate(8).address()).reinterpret(8, region, s -> action.run());
    }

    /** A tracking source that, once told, calls back into a region from allocate or release. */
    private static final class CallingSource implements MemorySource {
        final TrackingSource tracking = new TrackingSource();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        volatile Runnable call;
        volatile Runnable callOnRelease;

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            Runnable c = call;
            if (c != null) {
                call = null;
                thrown.compareAndSet(null, catchThrowable(c::run));
            }
            return tracking.allocate(byteSize, byteAlignment);
        }

        @Override
        public void release(MemorySegment block) {
            tracking.release(block);
            Runnable c = callOnRelease;
            if (c != null) {
                callOnRelease = null;
                thrown.compareAndSet(null, catchThrowable(c::run));
            }
        }
    }
}
