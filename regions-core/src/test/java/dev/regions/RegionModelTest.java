package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.RegionModel;
import dev.regions.support.TrackingSource;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A region does what the javadoc of {@link Region} and {@link RegionStats} says, whatever the
 * sequence of calls: a model-based property test that runs random sequences of allocate, free,
 * reset, merge, setLimit, statsAndResetPeaks, close and reopen over one to three confined regions
 * on one {@link TrackingSource} against a plain reference model ({@link RegionModel}).
 *
 * <p>Every operation is a record whose indices are taken modulo what exists when it runs, so any
 * list of operations is valid and jqwik shrinks a failure to a short list of small numbers.
 * Misuse (freeing a piece that is not live in the region, a slice, a call on a closed region, a
 * bad argument) is part of the alphabet: it must throw the documented exception and change nothing.
 *
 * <p>After every step: every region's {@code stats()} and {@code limit()} match the model (gross
 * bytes: at least 0, 0 once closed, and all regions together hold exactly the bytes the source
 * has handed out and not got back); {@code validate()} finds no broken invariant in any open region;
 * every live piece still holds the byte pattern written into it when it was allocated (an overlap
 * or a reuse of live memory would overwrite one); the deltas of {@link Regions#globalStats()} since
 * the start of the try equal the model's sums. Pieces that die (reset, close) must have a dead scope
 * and throw {@link IllegalStateException} when touched. At the end every region is closed and the
 * source has got back every block it handed out.
 */
class RegionModelTest {

    /** The largest piece the generator asks for; the zero reference for the zeroing check is this long. */
    private static final int MAX_SIZE = 100_000;
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[MAX_SIZE]);

    // ------------------------------------------------------------------ the operations

    /** One step of a generated sequence. Region and piece numbers are taken modulo what exists. */
    sealed interface Op permits Alloc, Free, FreeWrong, FreeSlice, Reset, Close, Reopen, Merge, SetLimit,
            ResetPeaks, BadArgument {
    }

    /** {@code allocate(size)} when {@code align == 0}, else {@code allocate(size, align)}. */
    record Alloc(int region, long size, long align) implements Op {
    }

    /** Frees the {@code piece}-th live piece of the region (nothing to do if it has none). */
    record Free(int region, int piece) implements Op {
    }

    /**
     * Frees something that is not a live piece of the region: a piece freed before, dead since a
     * reset or close, moved away by a merge, or live in another region; or a segment of a plain
     * arena, or a heap segment, or {@link MemorySegment#NULL} (which must do nothing). {@code PIECE}
     * falls back to the plain arena's segment when the try has no such piece yet.
     */
    record FreeWrong(int region, int pick, Wrong kind) implements Op {
    }

    enum Wrong { PIECE, ARENA_SEGMENT, HEAP_SEGMENT, NULL }

    /** Frees a slice of a live piece of at least 1 byte (2 for the non-empty slices). */
    record FreeSlice(int region, int piece, Slice slice) implements Op {
    }

    /**
     * HEAD: all but the last byte; TAIL: all but the first; MIDDLE: the second half; EMPTY_START and
     * EMPTY_END: zero-length slices at the piece's start and just past its end (where, if pieces
     * were packed end to end, a zero-length piece could start).
     */
    enum Slice { HEAD, TAIL, MIDDLE, EMPTY_START, EMPTY_END }

    record Reset(int region) implements Op {
    }

    record Close(int region) implements Op {
    }

    /**
     * The first closed region from this slot on (if any) gives way to a new one, built with the closed
     * one as its template ({@code Region.builder(template)}: same source, confined) and this limit.
     */
    record Reopen(int region, long limit) implements Op {
    }

    /**
     * {@code dst.merge(src)} or {@code dst.mergeAndClose(src)}, src being the slot {@code offset} after
     * dst (offset 0, or a single region: dst == src, which is misuse).
     */
    record Merge(int dst, int offset, boolean andClose) implements Op {
    }

    /** mode 0: setLimit(0); mode 1: setLimit(max(0, live + delta)); mode 2: setLimit(-1 - delta), misuse. */
    record SetLimit(int region, int mode, int delta) implements Op {
    }

    record ResetPeaks(int region) implements Op {
    }

    /** kind 0: negative size; kind 1: alignment 0; kind 2: alignment not a power of two. */
    record BadArgument(int region, int kind) implements Op {
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<List<Op>> ops() {
        return Arbitraries.frequencyOf(
                        Tuple.of(40, alloc()),
                        Tuple.of(20, free()),
                        Tuple.of(5, freeWrong()),
                        Tuple.of(3, freeSlice()),
                        Tuple.of(4, reset()),
                        Tuple.of(2, close()),
                        Tuple.of(6, reopen()),
                        Tuple.of(6, merge()),
                        Tuple.of(5, setLimit()),
                        Tuple.of(2, resetPeaks()),
                        Tuple.of(1, badArgument()))
                .list().ofMinSize(1).ofMaxSize(60);
    }

    private static Arbitrary<Integer> regionIndex() {
        return Arbitraries.integers().between(0, 2);
    }

    private static Arbitrary<Integer> pieceIndex() {
        return Arbitraries.integers().between(0, 63);
    }

    private static Arbitrary<Op> alloc() {
        Arbitrary<Long> size = Arbitraries.frequencyOf(
                Tuple.of(50, Arbitraries.longs().between(0, 300)),
                Tuple.of(5, Arbitraries.just(0L)),
                Tuple.of(10, Arbitraries.longs().between(1, 32).map(k -> 16 * k)), // pieces that fill their slot
                Tuple.of(5, Arbitraries.of(0L, 16L, 256L, 257L, 4096L, 4097L, 8192L, 8193L)),
                Tuple.of(17, Arbitraries.longs().between(301, 20_000)),
                Tuple.of(8, Arbitraries.longs().between(20_001, MAX_SIZE)));
        Arbitrary<Long> align = Arbitraries.frequencyOf(
                Tuple.of(70, Arbitraries.just(0L)),
                Tuple.of(27, Arbitraries.integers().between(0, 12).map(e -> 1L << e)),
                Tuple.of(3, Arbitraries.of(8192L, 65536L)));
        return Combinators.combine(regionIndex(), size, align).as(Alloc::new);
    }

    private static Arbitrary<Op> free() {
        return Combinators.combine(regionIndex(), pieceIndex()).as(Free::new);
    }

    private static Arbitrary<Op> freeWrong() {
        Arbitrary<Wrong> kind = Arbitraries.frequencyOf(
                Tuple.of(85, Arbitraries.just(Wrong.PIECE)),
                Tuple.of(5, Arbitraries.just(Wrong.ARENA_SEGMENT)),
                Tuple.of(5, Arbitraries.just(Wrong.HEAP_SEGMENT)),
                Tuple.of(5, Arbitraries.just(Wrong.NULL)));
        return Combinators.combine(regionIndex(), pieceIndex(), kind).as(FreeWrong::new);
    }

    private static Arbitrary<Op> freeSlice() {
        return Combinators.combine(regionIndex(), pieceIndex(), Arbitraries.of(Slice.class)).as(FreeSlice::new);
    }

    private static Arbitrary<Op> reset() {
        return regionIndex().map(Reset::new);
    }

    private static Arbitrary<Op> close() {
        return regionIndex().map(Close::new);
    }

    private static Arbitrary<Op> reopen() {
        Arbitrary<Long> limit = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(0L)),
                Tuple.of(1, Arbitraries.longs().between(1, 2_000)));
        return Combinators.combine(regionIndex(), limit).as(Reopen::new);
    }

    private static Arbitrary<Op> merge() {
        Arbitrary<Integer> offset = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(9, Arbitraries.integers().between(1, 2)));
        return Combinators.combine(regionIndex(), offset, Arbitraries.of(false, false, true)).as(Merge::new);
    }

    private static Arbitrary<Op> setLimit() {
        Arbitrary<Integer> mode = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(6, Arbitraries.just(1)),
                Tuple.of(1, Arbitraries.just(2)));
        return Combinators.combine(regionIndex(), mode, Arbitraries.integers().between(-300, 300)).as(SetLimit::new);
    }

    private static Arbitrary<Op> resetPeaks() {
        return regionIndex().map(ResetPeaks::new);
    }

    private static Arbitrary<Op> badArgument() {
        return Combinators.combine(regionIndex(), Arbitraries.integers().between(0, 2)).as(BadArgument::new);
    }

    // ------------------------------------------------------------------ the property

    @Property(tries = 1000)
    void regionsBehaveLikeTheModel(@ForAll @IntRange(min = 1, max = 3) int regionCount,
            @ForAll("ops") List<Op> ops) {
        replay(regionCount, ops);
    }

    // Shrunk counterexamples the property found, kept as fixed cases.

    /**
     * Freeing a small piece from before a reset must throw and change nothing. It was accepted (live count
     * went to -1) while the directory still pointed at the piece's old page; fixed in main since.
     */
    @Example
    void aPieceFromBeforeAResetCannotBeFreed() {
        replay(1, List.of(new Alloc(0, 0, 0), new Reset(0), new FreeWrong(0, 0, Wrong.PIECE)));
    }

    /**
     * An empty slice just past the end of a piece that fills its slot must not free a zero-length piece
     * in the next slot (equal address, size and scope). Found at try ~3500 with main's fix reverted.
     */
    @Example
    void anEmptySliceAtTheEndOfAPieceIsNotTheZeroLengthPieceAfterIt() {
        replay(1, List.of(new Alloc(0, 16, 0), new Alloc(0, 0, 0), new FreeSlice(0, 0, Slice.EMPTY_END)));
    }

    /** Arena.allocate: "the returned segment is associated with this arena scope", after a merge too. */
    @Example
    void aPieceAllocatedAfterAMergeIsBoundToTheRegionScope() {
        replay(2, List.of(new Alloc(1, 0, 0), new Merge(0, 1, false), new Alloc(0, 0, 0)));
    }

    /** Runs {@code ops} over {@code regionCount} regions beside the model, checking after every step. */
    private static void replay(int regionCount, List<Op> ops) {
        TrackingSource source = new TrackingSource();
        Run run = new Run(source, regionCount);
        try {
            run.checkAll("start");
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                String where = "step " + i + " " + op;
                run.apply(op, where);
                run.checkAll(where);
            }
            for (int r = 0; r < regionCount; r++) {
                if (!run.slots[r].isClosed()) {
                    run.apply(new Close(r), "final close of slot " + r);
                }
            }
            run.checkAll("after closing every region");
            assertThat(source.outstanding()).as("blocks the source handed out and never got back").isZero();
            assertThat(source.allocateCalls()).as("source calls").isEqualTo(source.releaseCalls());
        } finally {
            run.cleanUp();
        }
    }

    // ------------------------------------------------------------------ the run: real regions beside the model

    /** One try: the real regions, the model, and the checks that compare them. */
    private static final class Run {
        final TrackingSource source;
        final RegionModel<Stamped>[] slots;
        /** Every region of this try, closed ones included (their final figures are checked too). */
        final List<RegionModel<Stamped>> all = new ArrayList<>();
        /** Every piece allocated in this try, in order. */
        final List<Stamped> pieces = new ArrayList<>();
        final Arena foreign = Arena.ofConfined();
        final MemorySegment foreignPiece = foreign.allocate(64, 16);
        final MemorySegment heapSegment = MemorySegment.ofArray(new byte[64]);
        final RegionStats globalBefore;
        long nextPieceId;

        Run(TrackingSource source, int regionCount) {
            this.source = source;
            this.globalBefore = Regions.globalStats();
            @SuppressWarnings("unchecked")
            RegionModel<Stamped>[] models = (RegionModel<Stamped>[]) new RegionModel<?>[regionCount];
            this.slots = models;
            for (int r = 0; r < regionCount; r++) {
                slots[r] = open(r, 0, Region.builder().source(source));
            }
        }

        private RegionModel<Stamped> open(int slot, long limit, Region.Builder builder) {
            Region region = builder.name("slot" + slot + "." + all.size()).limit(limit).build();
            RegionModel<Stamped> model = new RegionModel<>(region, false, limit);
            all.add(model);
            return model;
        }

        RegionModel<Stamped> slot(int index) {
            return slots[index % slots.length];
        }

        void apply(Op op, String where) {
            switch (op) {
                case Alloc a -> alloc(slot(a.region()), a.size(), a.align(), where);
                case Free f -> free(slot(f.region()), f.piece(), where);
                case FreeWrong f -> freeWrong(slot(f.region()), f.pick(), f.kind(), where);
                case FreeSlice f -> freeSlice(slot(f.region()), f.piece(), f.slice(), where);
                case Reset r -> resetOrClose(slot(r.region()), false, where);
                case Close c -> resetOrClose(slot(c.region()), true, where);
                case Reopen r -> {
                    for (int k = 0; k < slots.length; k++) {
                        int index = (r.region() + k) % slots.length;
                        if (slots[index].isClosed()) {
                            slots[index] = open(index, r.limit(), Region.builder(slots[index].region()));
                            break;
                        }
                    }
                }
                case Merge m -> merge(slot(m.dst()), slot(m.dst() + m.offset()), m.andClose(), where);
                case SetLimit s -> setLimit(slot(s.region()), s.mode(), s.delta(), where);
                case ResetPeaks p -> resetPeaks(slot(p.region()), where);
                case BadArgument b -> badArgument(slot(b.region()), b.kind(), where);
            }
        }

        // -------------------------------------------------------------- each operation, real and modelled

        private void alloc(RegionModel<Stamped> m, long size, long align, String where) {
            Region region = m.region();
            if (m.isClosed()) {
                expect(IllegalStateException.class, () -> allocate(region, size, align), where);
                return;
            }
            if (m.overLimit(size)) {
                expect(LimitExceededException.class, () -> allocate(region, size, align), where);
                return;
            }
            MemorySegment piece = allocate(region, size, align);
            assertThat(piece.byteSize()).as(where + ": piece size").isEqualTo(size);
            assertThat(piece.isNative()).as(where + ": native").isTrue();
            long alignment = Math.max(16, align);
            assertThat(piece.address() % alignment).as(where + ": address " + piece.address()
                    + " aligned to " + alignment).isZero();
            assertThat(piece.scope().isAlive()).as(where + ": new piece alive").isTrue();
            assertThat(piece.scope().equals(region.scope()))
                    .as(where + ": a new piece is bound to the region's scope() (Arena.allocate), not another one"
                            + " (in a checked region: a scope of its own)")
                    .isEqualTo(!Invariants.CHECKED);
            assertThat(MemorySegment.mismatch(piece, 0, size, ZEROS, 0, size))
                    .as(where + ": new piece zero-filled").isEqualTo(-1L);
            Stamped p = new Stamped(nextPieceId++, piece);
            MemorySegment.copy(MemorySegment.ofArray(p.stamp), 0, piece, 0, size);
            pieces.add(p);
            m.allocated(p);
        }

        private static MemorySegment allocate(Region region, long size, long align) {
            return align == 0 ? region.allocate(size) : region.allocate(size, align);
        }

        private void free(RegionModel<Stamped> m, int index, String where) {
            if (m.live().isEmpty()) {
                return;
            }
            Stamped p = m.live().get((int) (index % m.liveCount()));
            if (m.isClosed()) {
                throw new AssertionError(where + ": model holds a live piece in a closed region");
            }
            checkStamp(p, where + ": before free");
            m.region().free(p.segment());
            m.freed(p);
        }

        private void freeWrong(RegionModel<Stamped> m, int pick, Wrong kind, String where) {
            List<MemorySegment> candidates = new ArrayList<>();
            for (Stamped p : pieces) {
                if (p.state() == RegionModel.State.LIVE && p.owner() == m) {
                    continue;
                }
                if (sameAsALivePiece(m, p.segment())) {
                    continue; // a stale segment equal to a live piece frees that piece: no way to tell them apart
                }
                candidates.add(p.segment());
            }
            MemorySegment wrong = switch (kind) {
                case PIECE -> candidates.isEmpty() ? foreignPiece : candidates.get(pick % candidates.size());
                case ARENA_SEGMENT -> foreignPiece;
                case HEAP_SEGMENT -> heapSegment;
                case NULL -> MemorySegment.NULL;
            };
            if (m.isClosed()) {
                expect(IllegalStateException.class, () -> m.region().free(wrong),
                        where + ": free " + wrong + " in a closed region");
            } else if (wrong == MemorySegment.NULL) {
                m.region().free(wrong);
            } else {
                expect(IllegalArgumentException.class, () -> m.region().free(wrong), where + ": free " + wrong);
            }
        }

        private static boolean sameAsALivePiece(RegionModel<Stamped> m, MemorySegment segment) {
            for (Stamped p : m.live()) {
                if (p.segment().address() == segment.address() && p.segment().byteSize() == segment.byteSize()) {
                    return true;
                }
            }
            return false;
        }

        private void freeSlice(RegionModel<Stamped> m, int index, Slice kind, String where) {
            boolean empty = kind == Slice.EMPTY_START || kind == Slice.EMPTY_END;
            List<Stamped> big = m.live().stream().filter(p -> p.size() >= (empty ? 1 : 2)).toList();
            if (big.isEmpty()) {
                return;
            }
            Stamped p = big.get(index % big.size());
            MemorySegment slice = switch (kind) {
                case HEAD -> p.segment().asSlice(0, p.size() - 1);
                case TAIL -> p.segment().asSlice(1);
                case MIDDLE -> p.segment().asSlice(p.size() / 2);
                case EMPTY_START -> p.segment().asSlice(0, 0);
                case EMPTY_END -> p.segment().asSlice(p.size(), 0);
            };
            expect(IllegalArgumentException.class, () -> m.region().free(slice), where + ": free a slice of " + p);
        }

        private void resetOrClose(RegionModel<Stamped> m, boolean close, String where) {
            if (m.isClosed()) {
                expect(IllegalStateException.class, close ? m.region()::close : m.region()::reset, where);
                return;
            }
            List<Stamped> dying;
            if (close) {
                m.region().close();
                assertThat(m.region().scope().isAlive()).as(where + ": scope after close").isFalse();
                dying = m.close();
            } else {
                MemorySegment.Scope before = m.region().scope();
                m.region().reset();
                assertThat(before.isAlive()).as(where + ": old scope after reset").isFalse();
                assertThat(m.region().scope().isAlive()).as(where + ": new scope after reset").isTrue();
                dying = m.reset();
            }
            for (Stamped p : dying) {
                checkDead(p, where);
            }
        }

        private void merge(RegionModel<Stamped> dst, RegionModel<Stamped> src, boolean andClose, String where) {
            Runnable call = andClose ? () -> dst.region().mergeAndClose(src.region())
                    : () -> dst.region().merge(src.region());
            if (dst == src) {
                if (dst.isClosed()) { // two kinds of misuse at once: either exception will do
                    expectEither(call::run, where + ": merge of a closed region into itself");
                } else {
                    expect(IllegalArgumentException.class, call::run, where + ": merge into itself");
                }
                return;
            }
            if (dst.isClosed() || src.isClosed()) {
                expect(IllegalStateException.class, call::run, where + ": merge with a closed region");
                return;
            }
            // Moving no bytes passes no limit, even into a region already over its limit (set below its live bytes).
            if (dst.mergeOverLimit(src)) {
                expect(LimitExceededException.class, call::run, where + ": merge over the limit");
                return;
            }
            List<Stamped> moved = src.held();
            call.run();
            if (andClose) {
                dst.mergeAndClose(src);
                assertThat(src.region().scope().isAlive()).as(where + ": source scope after mergeAndClose").isFalse();
            } else {
                dst.merge(src);
            }
            for (Stamped p : moved) {
                // a freed piece of a checked region has had its own scope ended at its free
                assertThat(p.segment().scope().isAlive()).as(where + ": moved piece " + p + " alive")
                        .isEqualTo(p.isLive() || !Invariants.CHECKED);
            }
        }

        private void setLimit(RegionModel<Stamped> m, int mode, int delta, String where) {
            long bytes = switch (mode) {
                case 0 -> 0;
                case 1 -> Math.max(0, m.liveBytes() + delta);
                default -> -1 - Math.abs((long) delta);
            };
            if (bytes < 0 && m.isClosed()) {
                expectEither(() -> m.region().setLimit(bytes), where + ": negative limit on a closed region");
                return;
            }
            if (bytes < 0) {
                expect(IllegalArgumentException.class, () -> m.region().setLimit(bytes), where + ": negative limit");
                return;
            }
            if (m.isClosed()) {
                expect(IllegalStateException.class, () -> m.region().setLimit(bytes), where);
                return;
            }
            long previous = m.region().setLimit(bytes);
            assertThat(previous).as(where + ": setLimit returns the previous limit").isEqualTo(m.setLimit(bytes));
        }

        private void resetPeaks(RegionModel<Stamped> m, String where) {
            if (m.isClosed()) {
                expect(IllegalStateException.class, m.region()::statsAndResetPeaks, where);
                return;
            }
            RegionStats before = m.region().statsAndResetPeaks();
            checkStats(m, before, where + ": figures returned by statsAndResetPeaks");
            m.resetPeaks();
        }

        private void badArgument(RegionModel<Stamped> m, int kind, String where) {
            long size = kind == 0 ? -1 : 8;
            long align = kind == 0 ? 8 : kind == 1 ? 0 : 24;
            String what = where + ": allocate(" + size + ", " + align + ")";
            if (m.isClosed()) {
                expectEither(() -> m.region().allocate(size, align), what + " on a closed region");
            } else {
                expect(IllegalArgumentException.class, () -> m.region().allocate(size, align), what);
            }
        }

        // -------------------------------------------------------------- checks

        /** The call must throw {@code type} (the figures are compared with the unchanged model afterwards). */
        private static void expect(Class<? extends Throwable> type, ThrowingCallable call, String where) {
            Throwable t = catchThrowable(call);
            if (!type.isInstance(t)) {
                throw new AssertionError(where + ": expected " + type.getSimpleName() + " but "
                        + (t == null ? "nothing was thrown" : "got " + t), t);
            }
        }

        /** Misuse of two kinds at once (bad argument and closed region): the contract does not order the checks. */
        private static void expectEither(ThrowingCallable call, String where) {
            Throwable t = catchThrowable(call);
            if (!(t instanceof IllegalArgumentException) && !(t instanceof IllegalStateException)) {
                throw new AssertionError(where + ": expected IllegalArgumentException or IllegalStateException but "
                        + (t == null ? "nothing was thrown" : "got " + t), t);
            }
        }

        void checkAll(String where) {
            long liveBytes = 0;
            long liveCount = 0;
            long allocations = 0;
            long frees = 0;
            long gross = 0;
            for (RegionModel<Stamped> m : all) {
                RegionStats s = m.region().stats();
                checkStats(m, s, where + ": stats of " + m.region().name());
                assertThat(m.region().limit()).as(where + ": limit of " + m.region().name()).isEqualTo(m.limit());
                assertThat(m.region().scope().isAlive()).as(where + ": scope of " + m.region().name() + " alive")
                        .isEqualTo(!m.isClosed());
                if (!m.isClosed()) {
                    assertThat(Invariants.check(m.region())).as(where + ": validate " + m.region().name())
                            .isNull();
                    for (Stamped p : m.live()) {
                        checkStamp(p, where);
                    }
                }
                liveBytes += m.liveBytes();
                liveCount += m.liveCount();
                allocations += m.allocations();
                frees += m.frees();
                gross += s.grossBytes();
            }
            assertThat(gross).as(where + ": gross bytes of all regions = bytes the source has out")
                    .isEqualTo(source.outstandingBytes());
            RegionStats g = Regions.globalStats();
            assertThat(g.liveBytes() - globalBefore.liveBytes()).as(where + ": global live bytes delta")
                    .isEqualTo(liveBytes);
            assertThat(g.liveCount() - globalBefore.liveCount()).as(where + ": global live count delta")
                    .isEqualTo(liveCount);
            assertThat(g.allocations() - globalBefore.allocations()).as(where + ": global allocations delta")
                    .isEqualTo(allocations);
            assertThat(g.frees() - globalBefore.frees()).as(where + ": global frees delta").isEqualTo(frees);
            assertThat(g.grossBytes() - globalBefore.grossBytes()).as(where + ": global gross bytes delta")
                    .isEqualTo(gross);
        }

        private static void checkStats(RegionModel<Stamped> m, RegionStats s, String where) {
            assertThat(s).as(where + " (gross bytes not modelled)").isEqualTo(m.expected(s.grossBytes()));
            assertThat(s.grossBytes()).as(where + ": gross bytes").isGreaterThanOrEqualTo(0);
            if (m.isClosed()) {
                assertThat(s.grossBytes()).as(where + ": gross bytes after close").isZero();
            }
        }

        private static void checkStamp(Stamped p, String where) {
            assertThat(p.segment().scope().isAlive()).as(where + ": live piece " + p + " has a live scope").isTrue();
            long mismatch = MemorySegment.mismatch(p.segment(), 0, p.size(), MemorySegment.ofArray(p.stamp), 0,
                    p.size());
            assertThat(mismatch).as(where + ": live piece " + p + " still holds its stamp (first difference at)")
                    .isEqualTo(-1L);
        }

        private static void checkDead(Stamped p, String where) {
            assertThat(p.segment().scope().isAlive()).as(where + ": dead piece " + p + " scope").isFalse();
            if (p.size() > 0) {
                expect(IllegalStateException.class, () -> p.segment().get(ValueLayout.JAVA_BYTE, 0),
                        where + ": reading dead piece " + p);
                expect(IllegalStateException.class,
                        () -> p.segment().set(ValueLayout.JAVA_BYTE, p.size() - 1, (byte) 1),
                        where + ": writing dead piece " + p);
            }
        }

        /** After a failure: close what is still open, so that a failing try does not leak into the next. */
        void cleanUp() {
            for (RegionModel<Stamped> m : all) {
                if (m.region().scope().isAlive()) {
                    try {
                        m.region().close();
                    } catch (RuntimeException ignored) {
                        // the try has failed already; report that failure, not this one
                    }
                }
            }
            foreign.close();
        }
    }

    /** A piece of the run, with the pattern written into it when it was allocated (its stamp). */
    static final class Stamped extends RegionModel.Piece {
        final long id;
        final byte[] stamp;

        Stamped(long id, MemorySegment segment) {
            super(segment);
            this.id = id;
            this.stamp = new byte[(int) size()];
            new Random(id * 0x9E3779B97F4A7C15L + size()).nextBytes(stamp);
        }

        @Override
        public String toString() {
            return "piece#" + id + "[" + size() + " bytes at 0x" + Long.toHexString(segment().address()) + ", "
                    + state() + " in " + owner().region().name() + "]";
        }
    }
}
