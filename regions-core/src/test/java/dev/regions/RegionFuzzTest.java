package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.RegionModel;
import dev.regions.support.RegionModel.State;
import dev.regions.support.TrackingSource;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Guarantees 1 to 4 of DESIGN.md under a fuzzer: Jazzer's bytes become a sequence of operations
 * over one to three regions (confined, and shared ones used from this thread), run beside the
 * reference model ({@link RegionModel}); after every step each region's figures (watermarks
 * included), limit and live pieces match the model, the internal invariants hold
 * ({@code validate()}), and every region together holds exactly what the source has handed out.
 * The alphabet is mostly misuse: sizes from 0 to a few MiB and beyond any
 * source (negative, over 2^62), alignments of any value (0, negative, not a power of two, 2^62);
 * frees of live, freed, dead (after reset or close), foreign (another region's, an
 * {@code Arena.ofConfined()}'s, a heap segment, NULL, null) and sliced pieces; reset, close, merge
 * and mergeAndClose in every direction, closed regions and a region with itself included;
 * setLimit (negative too); reads and writes of pieces, dead ones included. Each misuse must throw
 * the type of exception the contract names and change nothing (no figure, no source call). At the
 * end every region is closed and the source has every block back.
 *
 * <h2>Regression mode (plain {@code ./mvnw verify})</h2>
 * Jazzer runs the method once on the empty input and once per file in
 * {@code src/test/resources/dev/regions/RegionFuzzTestInputs/operationSequences/} (the seed corpus,
 * and any crash found by fuzzing, which Jazzer writes there).
 *
 * <h2>Fuzzing</h2>
 * From the repository root (Jazzer fuzzes one {@code @FuzzTest} per run; the duration defaults to
 * the annotation's 60 s):
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -pl regions-core test -Dtest=RegionFuzzTest -Djazzer.max_duration=30m
 * </pre>
 * New interesting inputs go to {@code regions-core/.cifuzz-corpus/dev.regions.RegionFuzzTest/operationSequences/}
 * (git-ignored; copy the ones worth keeping into the inputs directory above), and a failing input
 * goes to the inputs directory itself as {@code crash-<sha1>}, where plain {@code ./mvnw verify}
 * then replays it. Progress is libFuzzer's status lines in the test output
 * ({@code regions-core/target/surefire-reports/dev.regions.RegionFuzzTest-output.txt}):
 * {@code #N} is the number of executions so far, {@code cov:} the coverage points (edges) reached,
 * {@code ft:} the features, {@code corp:} the corpus size, {@code exec/s} the speed; the final
 * {@code Done N runs in S second(s)} gives the total.
 */
class RegionFuzzTest {

    /** Steps per input: enough for long sequences, few enough that one execution stays in milliseconds. */
    private static final int MAX_STEPS = 300;
    private static final int MAX_PIECES = 400;
    /** Bytes the source has out above which no more pieces are asked for (large alignments cost whole blocks). */
    private static final long MAX_GROSS = 256L << 20;
    /** Larger than any piece a large size class holds: refused before the source is asked. */
    private static final long MAX_LARGE = Invariants.MAX_LARGE;

    @FuzzTest(maxDuration = "60s")
    void operationSequences(FuzzedDataProvider data) {
        new Run(data).go();
    }

    // ------------------------------------------------------------------ the model: RegionModel

    /** One piece ever handed out in this run, with the byte it was last filled with. */
    static final class Filled extends RegionModel.Piece {
        byte fill;

        Filled(MemorySegment segment, byte fill) {
            super(segment);
            this.fill = fill;
        }

        @Override
        public String toString() {
            return size() + "B@" + Long.toHexString(segment().address()) + "/" + state();
        }
    }

    // ------------------------------------------------------------------ one execution

    static final class Run {
        final FuzzedDataProvider data;
        final TrackingSource source = new TrackingSource();
        final RegionStats global0 = Regions.globalStats();
        final RegionModel<Filled>[] slots;
        final List<RegionModel<Filled>> every = new ArrayList<>();
        final List<Filled> pieces = new ArrayList<>();
        final Arena arena = Arena.ofConfined();
        final MemorySegment arenaSegment = arena.allocate(64, 16);
        final MemorySegment heapSegment = MemorySegment.ofArray(new byte[64]);
        final Deque<String> trail = new ArrayDeque<>();
        int step;
        int serial;

        Run(FuzzedDataProvider data) {
            this.data = data;
            @SuppressWarnings("unchecked")
            RegionModel<Filled>[] models = (RegionModel<Filled>[]) new RegionModel<?>[data.consumeInt(1, 3)];
            this.slots = models;
            for (int i = 0; i < slots.length; i++) {
                slots[i] = open(i, data.consumeBoolean());
            }
        }

        RegionModel<Filled> open(int index, boolean shared) {
            Region r = Region.builder().shared(shared).name("s" + index + "." + every.size()).source(source).build();
            RegionModel<Filled> s = new RegionModel<>(r, shared, 0);
            every.add(s);
            return s;
        }

        void go() {
            try {
                check();
                while (data.remainingBytes() > 0 && step < MAX_STEPS) {
                    step++;
                    try {
                        apply(data.consumeInt(0, 15));
                    } catch (RuntimeException e) { // what the model did not expect: say how it got there
                        throw new AssertionError("unexpected " + e + "\nlast steps:\n  " + String.join("\n  ", trail), e);
                    }
                    check();
                }
                for (RegionModel<Filled> s : slots) {
                    if (!s.isClosed()) {
                        note("final close of " + s);
                        s.region().close();
                        killAll(s.close());
                    }
                }
                check();
                RegionStats g = Regions.globalStats();
                require(source.outstanding() == 0, "blocks not returned to the source: " + source.outstanding());
                require(g.liveBytes() == global0.liveBytes() && g.grossBytes() == global0.grossBytes()
                        && g.liveCount() == global0.liveCount(), "global figures not back: " + g + " vs " + global0);
            } finally {
                for (RegionModel<Filled> s : every) {
                    if (s.region().scope().isAlive()) {
                        try {
                            s.region().close();
                        } catch (RuntimeException ignored) {
                            // the run failed already; report that
                        }
                    }
                }
                arena.close();
            }
        }

        void apply(int op) {
            switch (op) {
                case 0, 1, 2 -> allocate();
                case 3, 4 -> freeLive();
                case 5 -> freeStale();
                case 6 -> freeDead();
                case 7 -> freeForeign();
                case 8 -> freeSlice();
                case 9 -> reset();
                case 10 -> close();
                case 11 -> merge();
                case 12 -> setLimit();
                case 13 -> touch();
                case 14 -> reopen();
                default -> {
                    RegionModel<Filled> s = slot();
                    note("stats of " + s);
                }
            }
        }

        RegionModel<Filled> slot() {
            return slots[data.consumeInt(0, slots.length - 1)];
        }

        // -------------------------------------------------------------- operations

        void allocate() {
            RegionModel<Filled> s = slot();
            long size = switch (data.consumeInt(0, 9)) {
                case 0, 1, 2, 3, 4 -> data.consumeLong(0, 300);
                case 5, 6 -> data.consumeLong(301, 20_000);
                case 7 -> data.consumeLong(20_001, 4L << 20);
                case 8 -> data.consumeLong(Long.MIN_VALUE, -1);
                default -> data.consumeLong(MAX_LARGE + 1, Long.MAX_VALUE);
            };
            int alignMode = data.consumeInt(0, 5);
            long align = switch (alignMode) {
                case 0 -> 1;
                case 1, 2 -> 1L << data.consumeInt(0, 16);
                case 3 -> 1L << data.consumeInt(17, 24);
                case 4 -> tame(data.consumeLong());
                default -> new long[] {0, -1, -16, 1L << 62, Long.MIN_VALUE, 24}[data.consumeInt(0, 5)];
            };
            boolean badArgs = size < 0 || align <= 0 || Long.bitCount(align) != 1;
            if (!badArgs && !impossible(size, align)
                    && (pieces.size() >= MAX_PIECES || source.outstandingBytes() > MAX_GROSS)) {
                return; // keep the run small: what matters is the sequence, not the volume
            }
            note((alignMode == 0 ? "allocate(" + size : "allocate(" + size + ", " + align) + ") in " + s);
            Runnable call = alignMode == 0 ? () -> s.region().allocate(size) : () -> s.region().allocate(size, align);
            if (badArgs) {
                // A closed region given bad arguments: the contract does not say which check comes first.
                misuse(IllegalArgumentException.class, call, s.isClosed() ? IllegalStateException.class : null);
                return;
            }
            if (s.isClosed()) {
                misuse(IllegalStateException.class, call, null);
                return;
            }
            if (s.overLimit(size)) {
                misuse(LimitExceededException.class, call, null);
                return;
            }
            if (impossible(size, align)) {
                // No source can give it: OutOfMemoryError, and nothing changes (the source may have been asked).
                long before = source.outstanding();
                Throwable t = thrown(call);
                require(t instanceof OutOfMemoryError, "expected OutOfMemoryError, got " + t);
                require(source.outstanding() == before, "a failed allocation kept a block");
                return;
            }
            MemorySegment piece = alignMode == 0 ? s.region().allocate(size) : s.region().allocate(size, align);
            require(piece.byteSize() == size, "asked " + size + " bytes, got " + piece);
            require(piece.address() % Math.max(16, align) == 0, "asked alignment " + align + ", got " + piece);
            if (size > 0) {
                require(piece.get(JAVA_BYTE, 0) == 0 && piece.get(JAVA_BYTE, size - 1) == 0, "not zero-filled");
            }
            byte fill = (byte) (++serial | 1);
            piece.fill(fill);
            Filled p = new Filled(piece, fill);
            pieces.add(p);
            s.allocated(p);
        }

        /** A power of two between 2^25 and 2^61 would make the source reserve that much: use 2^62 instead. */
        static long tame(long align) {
            return align > (1L << 24) && align < (1L << 62) && Long.bitCount(align) == 1 ? 1L << 62 : align;
        }

        /** Requests that no source can satisfy: past the largest size class, or an alignment of 2^62. */
        static boolean impossible(long size, long align) {
            return size > MAX_LARGE || align >= (1L << 62);
        }

        void freeLive() {
            List<Filled> live = pieces.stream().filter(p -> p.state() == State.LIVE).toList();
            if (live.isEmpty()) {
                return;
            }
            Filled p = live.get(data.consumeInt(0, live.size() - 1));
            RegionModel<?> owner = p.owner();
            note("free live " + p + " in its region " + owner);
            intact(p);
            owner.region().free(p.segment());
            owner.freed(p);
        }

        void freeStale() {
            List<Filled> stale = pieces.stream().filter(p -> p.state() == State.FREED).toList();
            if (stale.isEmpty()) {
                return;
            }
            Filled p = stale.get(data.consumeInt(0, stale.size() - 1));
            RegionModel<?> s = data.consumeBoolean() ? p.owner() : slot();
            note("free freed " + p + " in " + s);
            if (s.isClosed()) {
                misuse(IllegalStateException.class, () -> s.region().free(p.segment()), null);
                return;
            }
            // Its slot may hold a new piece of the same size now, in the same generation: then the two
            // segments are equal and the free is the new piece's.
            RegionModel.Piece twin = s.liveTwinOf(p.segment());
            if (twin == null) {
                misuse(IllegalArgumentException.class, () -> s.region().free(p.segment()), null);
            } else {
                s.region().free(p.segment());
                s.freed(twin);
            }
        }

        void freeDead() {
            List<Filled> dead = pieces.stream().filter(p -> p.state() == State.DEAD).toList();
            if (dead.isEmpty()) {
                return;
            }
            Filled p = dead.get(data.consumeInt(0, dead.size() - 1));
            RegionModel<Filled> s = slot();
            note("free dead " + p + " in " + s);
            misuse(s.isClosed() ? IllegalStateException.class : IllegalArgumentException.class,
                    () -> s.region().free(p.segment()), null);
        }

        void freeForeign() {
            RegionModel<Filled> s = slot();
            int kind = data.consumeInt(0, 4);
            MemorySegment foreign;
            switch (kind) {
                case 0 -> {
                    List<Filled> others = pieces.stream().filter(p -> p.state() == State.LIVE && p.owner() != s)
                            .toList();
                    foreign = others.isEmpty() ? arenaSegment
                            : others.get(data.consumeInt(0, others.size() - 1)).segment();
                }
                case 1 -> foreign = arenaSegment;
                case 2 -> foreign = heapSegment;
                case 3 -> foreign = MemorySegment.NULL;
                default -> foreign = null;
            }
            note("free foreign " + foreign + " in " + s);
            if (foreign == null) {
                misuse(NullPointerException.class, () -> s.region().free(null), null);
            } else if (s.isClosed()) {
                misuse(IllegalStateException.class, () -> s.region().free(foreign), null);
            } else if (foreign == MemorySegment.NULL) {
                long calls = source.allocateCalls() + source.releaseCalls();
                s.region().free(foreign); // does nothing
                require(source.allocateCalls() + source.releaseCalls() == calls, "free(NULL) called the source");
            } else {
                misuse(IllegalArgumentException.class, () -> s.region().free(foreign), null);
            }
        }

        void freeSlice() {
            List<Filled> live = pieces.stream().filter(p -> p.state() == State.LIVE && p.size() >= 2).toList();
            if (live.isEmpty()) {
                return;
            }
            Filled p = live.get(data.consumeInt(0, live.size() - 1));
            MemorySegment slice = switch (data.consumeInt(0, 4)) {
                case 0 -> p.segment().asSlice(0, p.size() - 1);
                case 1 -> p.segment().asSlice(1);
                case 2 -> p.segment().asSlice(data.consumeLong(1, p.size() - 1));
                case 3 -> p.segment().asSlice(0, 0);
                default -> p.segment().asSlice(p.size(), 0);
            };
            note("free slice " + slice + " of " + p);
            misuse(IllegalArgumentException.class, () -> p.owner().region().free(slice), null);
        }

        void reset() {
            RegionModel<Filled> s = slot();
            note("reset " + s);
            if (s.isClosed()) {
                misuse(IllegalStateException.class, s.region()::reset, null);
                return;
            }
            MemorySegment.Scope old = s.region().scope();
            s.region().reset();
            require(!old.isAlive() && s.region().scope().isAlive(), "reset did not start a new generation");
            killAll(s.reset());
        }

        void close() {
            RegionModel<Filled> s = slot();
            note("close " + s);
            if (s.isClosed()) {
                misuse(IllegalStateException.class, s.region()::close, null);
                return;
            }
            s.region().close();
            killAll(s.close());
        }

        /** Every piece the region held (live or freed, its own or merged in), dead now in the model, is dead. */
        void killAll(List<Filled> dying) {
            for (Filled p : dying) {
                require(!p.segment().scope().isAlive(), "piece " + p + " outlived its region's reset or close");
            }
        }

        void merge() {
            RegionModel<Filled> dst = slot();
            RegionModel<Filled> src = slot();
            boolean andClose = data.consumeBoolean();
            note((andClose ? "mergeAndClose " : "merge ") + src + " into " + dst);
            Runnable call = andClose ? () -> dst.region().mergeAndClose(src.region())
                    : () -> dst.region().merge(src.region());
            if (dst.isClosed()) {
                misuse(IllegalStateException.class, call, null);
            } else if (dst == src) {
                misuse(IllegalArgumentException.class, call, null);
            } else if (dst.isShared() != src.isShared()) {
                misuse(IllegalArgumentException.class, call, null);
            } else if (src.isClosed()) {
                misuse(IllegalStateException.class, call, null);
            } else if (dst.mergeOverLimit(src)) {
                misuse(LimitExceededException.class, call, null);
            } else {
                List<Filled> moved = src.held();
                call.run();
                if (andClose) {
                    dst.mergeAndClose(src);
                } else {
                    dst.merge(src);
                }
                for (Filled p : moved) {
                    require(p.segment().scope().isAlive(), "moved piece " + p + " died");
                }
                if (andClose) {
                    require(!src.region().scope().isAlive(), "mergeAndClose left the source open");
                }
            }
        }

        void setLimit() {
            RegionModel<Filled> s = slot();
            int mode = data.consumeInt(0, 2);
            long bytes = switch (mode) {
                case 0 -> 0;
                case 1 -> Math.max(0, s.liveBytes() + data.consumeLong(-1000, 100_000));
                default -> data.consumeLong(Long.MIN_VALUE, -1);
            };
            note("setLimit(" + bytes + ") on " + s);
            if (bytes < 0) {
                misuse(IllegalArgumentException.class, () -> s.region().setLimit(bytes), null);
            } else if (s.isClosed()) {
                misuse(IllegalStateException.class, () -> s.region().setLimit(bytes), null);
            } else {
                long previous = s.region().setLimit(bytes);
                long modelled = s.setLimit(bytes);
                require(previous == modelled, "setLimit returned " + previous + ", the limit was " + modelled);
            }
        }

        void touch() {
            List<Filled> some = pieces.stream().filter(p -> p.size() > 0).toList();
            if (some.isEmpty()) {
                return;
            }
            Filled p = some.get(data.consumeInt(0, some.size() - 1));
            boolean write = data.consumeBoolean();
            long offset = data.consumeLong(0, p.size() - 1);
            note((write ? "write " : "read ") + p + " at " + offset);
            if (p.state() == State.DEAD) {
                Runnable call = write ? () -> p.segment().set(JAVA_BYTE, offset, (byte) 7)
                        : () -> p.segment().get(JAVA_BYTE, offset);
                misuse(IllegalStateException.class, call, null);
            } else if (p.state() == State.LIVE && write) {
                byte fill = (byte) (++serial | 1);
                p.segment().fill(fill);
                p.fill = fill;
            } else {
                p.segment().get(JAVA_BYTE, offset); // a freed piece stays readable until reset or close
            }
        }

        void reopen() {
            int i = data.consumeInt(0, slots.length - 1);
            if (slots[i].isClosed() && every.size() < 30) {
                boolean shared = data.consumeBoolean();
                note("reopen slot " + i + (shared ? " shared" : " confined"));
                slots[i] = open(i, shared);
            }
        }

        // -------------------------------------------------------------- checks

        /**
         * The call must throw {@code expected} (or {@code alternative}, where the contract does not
         * order two misuses) and change nothing: no figure (checked by {@link #check} after the
         * step) and no source call.
         */
        void misuse(Class<? extends Throwable> expected, Runnable call, Class<? extends Throwable> alternative) {
            long calls = source.allocateCalls() + source.releaseCalls();
            Throwable t = thrown(call);
            require(expected.isInstance(t) || (alternative != null && alternative.isInstance(t)),
                    "expected " + expected.getSimpleName() + ", got " + t);
            require(source.allocateCalls() + source.releaseCalls() == calls, "a rejected call used the source");
        }

        static Throwable thrown(Runnable call) {
            try {
                call.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }

        void intact(Filled p) {
            if (p.size() > 0) {
                long[] at = {0, p.size() / 2, p.size() - 1};
                for (long i : at) {
                    byte b = p.segment().get(JAVA_BYTE, i);
                    require(b == p.fill, "live piece " + p + " overwritten at " + i + ": " + b + " != " + p.fill);
                }
            }
        }

        void check() {
            long live = 0;
            long count = 0;
            long gross = 0;
            for (RegionModel<Filled> s : every) {
                RegionStats st = s.region().stats();
                RegionStats model = s.expected(st.grossBytes());
                require(st.equals(model), s + ": figures " + st + ", model " + model + " (gross bytes not modelled)");
                require(s.region().limit() == s.limit(), s + ": limit " + s.region().limit() + ", model " + s.limit());
                require(s.region().scope().isAlive() == !s.isClosed(),
                        s + ": scope alive " + s.region().scope().isAlive());
                if (s.isClosed()) {
                    require(st.grossBytes() == 0, s + ": gross bytes after close " + st.grossBytes());
                } else {
                    String broken = Invariants.check(s.region());
                    require(broken == null, s + ": invariant broken: " + broken);
                    s.live().forEach(this::intact);
                }
                live += st.liveBytes();
                count += st.liveCount();
                gross += st.grossBytes();
            }
            require(gross == source.outstandingBytes(), "regions hold " + gross + " gross bytes, the source has "
                    + source.outstandingBytes() + " out");
            RegionStats g = Regions.globalStats();
            require(g.liveBytes() - global0.liveBytes() == live && g.liveCount() - global0.liveCount() == count
                    && g.grossBytes() - global0.grossBytes() == gross, "global figures " + g + " from " + global0
                    + " do not add up to live " + live + " in " + count + ", gross " + gross);
        }

        void note(String what) {
            trail.addLast(step + ": " + what);
            if (trail.size() > 40) {
                trail.removeFirst();
            }
        }

        void require(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError(what + "\nlast steps:\n  " + String.join("\n  ", trail));
            }
        }
    }
}
