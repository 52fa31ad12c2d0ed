package dev.regions;

import dev.regions.support.LogCapture;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * A thread may die; its memory must not. A confined region whose thread has ended can be reset and
 * closed by any other thread (while its thread lives, other threads still get
 * {@link WrongThreadException}); a region nobody closed, that became unreachable with its pieces,
 * gives its memory back by itself within a few garbage collections, is counted by
 * {@link Regions#reclaimedRegions()} and is reported as a warning on the logger {@code dev.regions};
 * a piece someone still holds keeps its region, and its memory, alive.
 *
 * <p>Everything is checked through what a user sees: the region's own figures, the process's
 * ({@link Regions#globalStats()}: live and gross bytes back to where they were before the test),
 * the reclaim count, the logged warnings, and the pieces' contents. The tests that wait for the
 * garbage collector run {@link System#gc()} a bounded number of times ({@value #GC_ROUNDS} rounds
 * of {@value #GC_PAUSE_MS} ms) and fail with the figures they saw if that was not enough.
 *
 * <p>Regions are built and dropped in helper methods, never in the test method's own frame: an
 * interpreted frame can keep a dead local reachable, and with it the region.
 */
@Timeout(60)
class ThreadDeathTest {

    /** What each worker allocates: a few small pieces (1,000 bytes) and one large piece. */
    private static final long[] SMALL = {100, 200, 300, 400};
    private static final long LARGE = 100_000;
    private static final long LIVE = 101_000;
    private static final long COUNT = SMALL.length + 1;

    private static final int GC_ROUNDS = 30;
    private static final long GC_PAUSE_MS = 25;
    /** Rounds run after the figures came back, to see that nothing else is reclaimed (nothing released twice). */
    private static final int CONFIRM_ROUNDS = 2;

    private static final Pattern REGION_NAME = Pattern.compile("region '([^']*)'");

    private LogCapture log;

    @BeforeEach
    void captureTheReclaimWarnings() throws ReflectiveOperationException {
        log = new LogCapture("dev.regions");
    }

    @AfterEach
    void restoreTheLogger() throws ReflectiveOperationException {
        log.close();
    }

    // ------------------------------------------------------------------ figures and the collector

    /** The process's live and gross bytes and reclaim count. */
    record Figures(long live, long gross, long reclaimed) {
        static Figures now() {
            long reclaimed = Regions.reclaimedRegions(); // first: a reclaim updates the figures, then counts
            RegionStats stats = Regions.globalStats();
            return new Figures(stats.liveBytes(), stats.grossBytes(), reclaimed);
        }

        @Override
        public String toString() {
            return "live " + live + " bytes, gross " + gross + " bytes, " + reclaimed + " regions reclaimed";
        }
    }

    private static void gcRound() throws InterruptedException {
        System.gc();
        Thread.sleep(GC_PAUSE_MS);
    }

    /**
     * The figures once whatever earlier tests dropped has been reclaimed (so that it cannot be
     * reclaimed in the middle of this test and move the figures).
     */
    private static Figures settled() throws InterruptedException {
        long seen;
        int rounds = 0;
        do {
            seen = Regions.reclaimedRegions();
            gcRound();
        } while (Regions.reclaimedRegions() != seen && ++rounds < 10);
        return Figures.now();
    }

    /**
     * Runs the collector until {@code expected} more regions than at {@code base} were reclaimed and
     * the process's live and gross bytes are back at {@code base}; fails after {@value #GC_ROUNDS}
     * rounds. Then runs a few more rounds and checks that nothing else was reclaimed and nothing
     * was given back twice.
     */
    private static void awaitReclaims(Figures base, long expected, String what) throws InterruptedException {
        Figures now = Figures.now();
        for (int round = 0; now.reclaimed() - base.reclaimed() < expected || now.live() != base.live()
                || now.gross() != base.gross(); round++) {
            if (round == GC_ROUNDS) {
                fail("%s: after %d rounds of System.gc() expected %d regions reclaimed and the figures back at"
                        + " [%s]; got %d reclaimed and [%s]", what, GC_ROUNDS, expected,
                        base, now.reclaimed() - base.reclaimed(), now);
            }
            gcRound();
            now = Figures.now();
        }
        for (int i = 0; i < CONFIRM_ROUNDS; i++) {
            gcRound();
        }
        now = Figures.now();
        assertThat(now.reclaimed() - base.reclaimed()).as("%s: regions reclaimed", what).isEqualTo(expected);
        assertThat(now.live()).as("%s: global live bytes", what).isEqualTo(base.live());
        assertThat(now.gross()).as("%s: global gross bytes", what).isEqualTo(base.gross());
    }

    /** Runs the collector a few times: a closed region is never reclaimed, and the figures stay at {@code base}. */
    private static void assertNothingReclaimed(Figures base, String what) throws InterruptedException {
        for (int i = 0; i < CONFIRM_ROUNDS + 1; i++) {
            gcRound();
        }
        Figures now = Figures.now();
        assertThat(now.reclaimed()).as("%s: regions reclaimed (a closed region must not be)", what)
                .isEqualTo(base.reclaimed());
        assertThat(now.live()).as("%s: global live bytes", what).isEqualTo(base.live());
        assertThat(now.gross()).as("%s: global gross bytes", what).isEqualTo(base.gross());
    }

    // ------------------------------------------------------------------ the logged warnings

    /**
     * The names of the regions whose reclaim was logged, each with how many times it was, once at
     * least {@code expected} reclaims were (a reclaim is counted just before it is logged; waits up
     * to 5 s).
     */
    private Map<String, Integer> reclaimWarnings(int expected) throws InterruptedException {
        Map<String, Integer> names = reclaimWarnings();
        for (int wait = 0; names.values().stream().mapToInt(Integer::intValue).sum() < expected && wait < 100; wait++) {
            Thread.sleep(50);
            names = reclaimWarnings();
        }
        return names;
    }

    /** The names of the regions whose reclaim was logged so far, each with how many times it was. */
    private Map<String, Integer> reclaimWarnings() {
        Map<String, Integer> names = new HashMap<>();
        for (String message : log.messages()) {
            if (message.contains("reclaimed without being closed")) {
                Matcher m = REGION_NAME.matcher(message);
                if (m.find()) {
                    names.merge(m.group(1), 1, Integer::sum);
                }
            }
        }
        return names;
    }

    /** The one message that names region {@code name}: a warning of its reclaim that contains every one of {@code parts}. */
    private void assertWarned(String name, String... parts) throws InterruptedException {
        List<String> messages = log.messages();
        for (int wait = 0; messages.stream().noneMatch(m -> m.contains("region '" + name + "'")) && wait < 100; wait++) {
            Thread.sleep(50); // a reclaim is counted just before it is logged
            messages = log.messages();
        }
        List<String> about = messages.stream().filter(m -> m.contains("region '" + name + "'")).toList();
        assertThat(about).as("messages about region '%s' (logged: %s)", name, messages).hasSize(1);
        assertThat(about.get(0)).startsWith(log.warning + ": ").contains("reclaimed without being closed").contains(parts);
    }

    // ------------------------------------------------------------------ work

    enum Kind {
        PLATFORM, VIRTUAL;

        Thread.Builder builder() {
            return this == PLATFORM ? Thread.ofPlatform() : Thread.ofVirtual();
        }
    }

    /** The pieces of a unit of work: {@link #SMALL} then {@link #LARGE}, each filled from {@code seed}. */
    private static List<MemorySegment> work(Region region, int seed) {
        List<MemorySegment> pieces = new ArrayList<>();
        for (long size : SMALL) {
            pieces.add(region.allocate(size));
        }
        pieces.add(region.allocate(LARGE));
        for (int i = 0; i < pieces.size(); i++) {
            fill(pieces.get(i), seed + i);
        }
        return pieces;
    }

    private static byte valueAt(int seed, long offset) {
        return (byte) (seed * 31 + offset * 7 + (offset >>> 8));
    }

    private static void fill(MemorySegment piece, int seed) {
        for (long i = 0; i < piece.byteSize(); i++) {
            piece.set(JAVA_BYTE, i, valueAt(seed, i));
        }
    }

    private static void check(MemorySegment piece, int seed) {
        for (long i = 0; i < piece.byteSize(); i++) {
            byte b = piece.get(JAVA_BYTE, i);
            if (b != valueAt(seed, i)) {
                fail("piece of %d bytes: byte %d is %d, %d was written", piece.byteSize(), i, b, valueAt(seed, i));
            }
        }
    }

    /** Runs {@code body} on a new thread of {@code kind} and waits until the thread has ended; rethrows what it threw. */
    private static void runToEnd(Kind kind, String threadName, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = kind.builder().name(threadName).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertThat(thread.join(Duration.ofSeconds(20))).as("thread %s ended", threadName).isTrue();
        assertThat(thread.isAlive()).isFalse();
        if (failure.get() != null) {
            throw new AssertionError("thread " + threadName + " failed", failure.get());
        }
    }

    /** What a thread left behind when it ended: its confined region, open, and one of its small pieces. */
    record LeftOpen(Region region, MemorySegment piece) {
    }

    /** A thread of {@code kind} builds a confined region, does {@link #work} in it and ends without closing it. */
    private static LeftOpen leftOpenBy(Kind kind, String name) throws InterruptedException {
        AtomicReference<LeftOpen> left = new AtomicReference<>();
        runToEnd(kind, name + "-thread", () -> {
            Region region = Region.builder().name(name).build();
            List<MemorySegment> pieces = work(region, 1);
            left.set(new LeftOpen(region, pieces.get(0)));
        });
        return left.getAndSet(null);
    }

    // ------------------------------------------------------------------ 1. a dead thread's region, ended by another

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void aDeadThreadsRegionIsClosedByAnotherThread(Kind kind) throws Exception {
        Figures base = settled();
        closeWhatADeadThreadLeft(kind, base);
        assertNothingReclaimed(base, "a region closed after its thread died");
        assertThat(reclaimWarnings()).isEmpty();
    }

    private static void closeWhatADeadThreadLeft(Kind kind, Figures base) throws InterruptedException {
        LeftOpen left = leftOpenBy(kind, "left-open-" + kind);
        Region region = left.region();
        RegionStats open = region.stats();
        assertThat(open.liveBytes()).isEqualTo(LIVE);
        assertThat(open.liveCount()).isEqualTo(COUNT);
        Figures held = Figures.now();
        assertThat(held.live()).isEqualTo(base.live() + LIVE);
        assertThat(held.gross()).isEqualTo(base.gross() + open.grossBytes()).isGreaterThanOrEqualTo(base.gross() + LIVE);

        assertThatCode(region::close).as("close from thread '%s' after the owner died", Thread.currentThread().getName())
                .doesNotThrowAnyException();

        RegionStats closed = region.stats();
        assertThat(closed.liveBytes()).as("region live bytes after close").isZero();
        assertThat(closed.liveCount()).as("region live pieces after close").isZero();
        assertThat(closed.grossBytes()).as("region gross bytes after close").isZero();
        Figures after = Figures.now();
        assertThat(after.live()).as("global live bytes after close").isEqualTo(base.live());
        assertThat(after.gross()).as("global gross bytes after close").isEqualTo(base.gross());
        assertThat(after.reclaimed()).isEqualTo(base.reclaimed());
        // as after a close by its owner: closed, and its pieces out of reach
        assertThatThrownBy(region::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(region::reset).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> left.piece().get(JAVA_BYTE, 0))
                .isInstanceOfAny(WrongThreadException.class, IllegalStateException.class);
    }

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void aDeadThreadsRegionIsResetThenClosedByAnotherThread(Kind kind) throws Exception {
        Figures base = settled();
        resetThenCloseWhatADeadThreadLeft(kind, base);
        assertNothingReclaimed(base, "a region reset and closed after its thread died");
        assertThat(reclaimWarnings()).isEmpty();
    }

    private static void resetThenCloseWhatADeadThreadLeft(Kind kind, Figures base) throws InterruptedException {
        Region region = leftOpenBy(kind, "reset-after-death-" + kind).region();
        Figures held = Figures.now();
        assertThat(held.live()).isEqualTo(base.live() + LIVE);

        assertThatCode(region::reset).as("reset after the owner died").doesNotThrowAnyException();

        RegionStats reset = region.stats();
        assertThat(reset.liveBytes()).as("region live bytes after reset").isZero();
        assertThat(reset.liveCount()).as("region live pieces after reset").isZero();
        assertThat(reset.allocations()).as("history stays").isEqualTo(COUNT);
        Figures afterReset = Figures.now();
        assertThat(afterReset.live()).as("global live bytes after reset").isEqualTo(base.live());
        assertThat(afterReset.gross()).as("global gross bytes after reset: what the region kept")
                .isEqualTo(base.gross() + reset.grossBytes())
                .isLessThanOrEqualTo(held.gross() - LARGE); // the large piece's block went back
        // still the dead thread's region: another thread may end it, not use it
        assertThatThrownBy(() -> region.allocate(16)).isInstanceOf(WrongThreadException.class);
        assertThat(region.stats()).isEqualTo(reset);

        assertThatCode(region::reset).as("a second reset").doesNotThrowAnyException();
        assertThatCode(region::close).as("close after the resets").doesNotThrowAnyException();

        RegionStats closed = region.stats();
        assertThat(closed.liveBytes()).isZero();
        assertThat(closed.grossBytes()).as("region gross bytes after close").isZero();
        Figures after = Figures.now();
        assertThat(after.live()).as("global live bytes after close").isEqualTo(base.live());
        assertThat(after.gross()).as("global gross bytes after close").isEqualTo(base.gross());
        assertThat(after.reclaimed()).isEqualTo(base.reclaimed());
    }

    // ------------------------------------------------------------------ 2. while the thread lives, it alone may

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void whileItsThreadLivesNoOtherThreadCanEndOrUseTheRegion(Kind kind) throws Exception {
        Figures base = settled();
        String name = "owned-" + kind;
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Region> regionOf = new AtomicReference<>();
        AtomicReference<MemorySegment> pieceOf = new AtomicReference<>();
        AtomicReference<Throwable> ownerFailure = new AtomicReference<>();
        Thread owner = kind.builder().name(name + "-thread").start(() -> {
            try {
                Region region = Region.builder().name(name).build();
                List<MemorySegment> pieces = work(region, 7);
                regionOf.set(region);
                pieceOf.set(pieces.get(1));
                ready.countDown();
                if (!go.await(20, SECONDS)) {
                    throw new AssertionError("never released");
                }
                for (int i = 0; i < pieces.size(); i++) {
                    check(pieces.get(i), 7 + i); // the other thread's attempts touched nothing
                }
                MemorySegment more = region.allocate(64);
                region.free(more);
                region.close();
            } catch (Throwable e) {
                ownerFailure.set(e);
            }
        });
        try {
            assertThat(ready.await(20, SECONDS)).as("owner ready").isTrue();
            Region region = regionOf.get();
            MemorySegment piece = pieceOf.get();
            RegionStats before = region.stats();
            Figures held = Figures.now();
            assertThat(held.live()).isEqualTo(base.live() + LIVE);
            Map<String, ThrowingCallable> attempts = new LinkedHashMap<>();
            try (Region mine = Region.ofConfined()) {
                attempts.put("close", region::close);
                attempts.put("reset", region::reset);
                attempts.put("allocate(16)", () -> region.allocate(16));
                attempts.put("allocate(" + LARGE + ")", () -> region.allocate(LARGE));
                attempts.put("free(piece)", () -> region.free(piece));
                attempts.put("setLimit", () -> region.setLimit(1));
                attempts.put("statsAndResetPeaks", region::statsAndResetPeaks);
                attempts.put("merge", () -> region.merge(mine));
                attempts.put("mergeAndClose", () -> region.mergeAndClose(mine));
                attempts.forEach((what, attempt) -> assertThatThrownBy(attempt).as(what)
                        .isInstanceOf(WrongThreadException.class)
                        .hasMessageContaining("region '" + name + "'"));
            }
            assertThat(owner.isAlive()).isTrue();
            assertThat(region.stats()).as("the region's figures after the refused calls").isEqualTo(before);
            Figures after = Figures.now();
            assertThat(after.live()).as("global live bytes after the refused calls").isEqualTo(held.live());
            assertThat(after.gross()).as("global gross bytes after the refused calls").isEqualTo(held.gross());
            assertThat(region.limit()).isZero();
        } finally {
            go.countDown();
            assertThat(owner.join(Duration.ofSeconds(20))).as("owner ended").isTrue();
        }
        if (ownerFailure.get() != null) {
            throw new AssertionError("the owner thread failed", ownerFailure.get());
        }
        RegionStats closed = regionOf.get().stats();
        assertThat(closed.liveBytes()).isZero();
        assertThat(closed.grossBytes()).isZero();
        regionOf.set(null);
        pieceOf.set(null);
        assertNothingReclaimed(base, "a region its owner closed");
    }

    // ------------------------------------------------------------------ 3. a region nobody closed is reclaimed

    /** Builds a region, does {@link #work} in it and drops it and every piece. */
    private static void buildAndDrop(boolean shared, String name) {
        Region region = Region.builder().name(name).shared(shared).build();
        List<MemorySegment> pieces = work(region, 3);
        check(pieces.get(4), 7);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aRegionNobodyClosedIsReclaimed(boolean shared) throws Exception {
        Figures base = settled();
        String name = "dropped-" + (shared ? "shared" : "confined");
        buildAndDrop(shared, name);

        awaitReclaims(base, 1, "region '" + name + "' dropped");

        assertWarned(name, shared ? "(shared)" : "(confined to thread '" + Thread.currentThread().getName() + "')",
                COUNT + " live pieces (" + LIVE + " bytes)");
    }

    @Test
    void severalDroppedRegionsAreEachReclaimedOnce() throws Exception {
        Figures base = settled();
        for (int i = 0; i < 5; i++) {
            buildAndDrop(i >= 3, "several-" + i);
        }

        awaitReclaims(base, 5, "3 confined and 2 shared regions dropped");

        assertThat(reclaimWarnings(5)).containsOnlyKeys("several-0", "several-1", "several-2", "several-3", "several-4")
                .allSatisfy((name, times) -> assertThat(times).as(name).isEqualTo(1));
    }

    @ParameterizedTest(name = "{0} thread")
    @EnumSource(Kind.class)
    void aDeadThreadsRegionNobodyReferencesIsReclaimed(Kind kind) throws Exception {
        Figures base = settled();
        String name = "orphan-" + kind;
        runToEnd(kind, name + "-thread", () -> {
            Region region = Region.builder().name(name).build();
            work(region, 5);
        });

        awaitReclaims(base, 1, "the region of a dead " + kind + " thread");

        assertWarned(name, "confined to thread '" + name + "-thread'", COUNT + " live pieces (" + LIVE + " bytes)");
    }

    @Test
    void aDeadThreadsRegionResetByAnotherThreadThenDroppedIsReclaimed() throws Exception {
        Figures base = settled();
        resetAndDrop("reset-then-dropped");

        awaitReclaims(base, 1, "a dead thread's region, reset by another thread, then dropped");

        assertWarned("reset-then-dropped", "0 live pieces (0 bytes)");
    }

    private static void resetAndDrop(String name) throws InterruptedException {
        Region region = leftOpenBy(Kind.VIRTUAL, name).region();
        region.reset();
        assertThat(region.stats().liveBytes()).isZero();
    }

    // ------------------------------------------------------------------ 4. a held piece keeps its region

    /** Builds a region, does {@link #work} in it, and drops it and every piece but one, which it returns. */
    private static MemorySegment buildAndKeepOnePiece(boolean shared, String name, boolean large) {
        Region region = Region.builder().name(name).shared(shared).build();
        List<MemorySegment> pieces = work(region, 11);
        return pieces.get(large ? pieces.size() - 1 : 0);
    }

    @ParameterizedTest(name = "shared={0}, keep the {1} piece")
    @CsvSource({"false, small", "false, large", "true, small", "true, large"})
    void aHeldPieceKeepsItsRegionAndItsMemory(boolean shared, String which) throws Exception {
        Figures base = settled();
        String name = "held-" + (shared ? "shared-" : "confined-") + which;
        boolean large = which.equals("large");
        int seed = 11 + (large ? SMALL.length : 0);
        MemorySegment[] held = {buildAndKeepOnePiece(shared, name, large)};
        Figures withRegion = Figures.now();
        assertThat(withRegion.live()).isEqualTo(base.live() + LIVE);
        assertThat(withRegion.gross()).isGreaterThanOrEqualTo(base.gross() + LIVE);

        for (int round = 0; round < 5; round++) {
            gcRound();
            check(held[0], seed); // still there, and still what was written
            fill(held[0], seed + 100);
            check(held[0], seed + 100);
            fill(held[0], seed);
            Figures now = Figures.now();
            assertThat(now.reclaimed()).as("round %d: regions reclaimed while a piece is held", round)
                    .isEqualTo(base.reclaimed());
            assertThat(now.gross()).as("round %d: global gross bytes while a piece is held", round)
                    .isEqualTo(withRegion.gross());
            assertThat(now.live()).as("round %d: global live bytes while a piece is held", round)
                    .isEqualTo(withRegion.live());
        }
        assertThat(held[0].scope().isAlive()).isTrue();
        assertThat(reclaimWarnings()).isEmpty();

        held[0] = null;
        awaitReclaims(base, 1, "region '" + name + "' once its last piece was dropped");
        assertWarned(name, COUNT + " live pieces (" + LIVE + " bytes)");
    }

    // ------------------------------------------------------------------ 5. reclaims racing closes and resets

    /** What becomes of a region in the race. */
    enum Fate {
        /** A builds a shared region and hands it to B, who closes it while A goes on writing its pieces. */
        CLOSED(false),
        RESET_THEN_CLOSED(false),
        /** B resets the region and drops it: nobody closes it. */
        RESET_THEN_DROPPED(true),
        DROPPED(true),
        /** B merges it into a region of its own, drops it, and closes its own: a block both hold goes back once. */
        MERGED_THEN_DROPPED(true),
        /** A builds a confined region and ends; B closes it once A is dead. */
        DEAD_OWNER_CLOSED(false),
        /** A builds a confined region and ends; nobody ever references it. */
        DEAD_OWNER_DROPPED(true);

        final boolean reclaimed;

        Fate(boolean reclaimed) {
            this.reclaimed = reclaimed;
        }

        boolean confined() {
            return this == DEAD_OWNER_CLOSED || this == DEAD_OWNER_DROPPED;
        }
    }

    @Test
    void reclaimsRacingClosesAndResetsReleaseEveryRegionExactlyOnce() throws Exception {
        Figures base = settled();
        int iterations = 210; // 30 of each fate
        int inFlight = 15;
        Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        Set<String> dropped = new TreeSet<>();
        Thread collector = Thread.ofPlatform().daemon().name("race-gc").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    System.gc();
                    Thread.sleep(10);
                }
            } catch (InterruptedException stop) {
                // done
            }
        });
        try {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < iterations; i++) {
                Fate fate = Fate.values()[i % Fate.values().length];
                String name = "race-" + i;
                if (fate.reclaimed) {
                    dropped.add(name);
                }
                startRace(i, fate, name, threads, unexpected);
                if (threads.size() >= 2 * inFlight || i == iterations - 1) {
                    for (Thread t : threads) {
                        assertThat(t.join(Duration.ofSeconds(20))).as("%s ended", t.getName()).isTrue();
                    }
                    threads.clear();
                }
            }
        } finally {
            collector.interrupt();
            collector.join();
        }
        if (!unexpected.isEmpty()) {
            AssertionError error = new AssertionError(unexpected.size() + " unexpected failures in the race; first: "
                    + unexpected.peek());
            unexpected.forEach(error::addSuppressed);
            throw error;
        }

        awaitReclaims(base, dropped.size(), "the race's " + dropped.size() + " dropped regions");

        Map<String, Integer> warned = reclaimWarnings(dropped.size());
        assertThat(warned.keySet()).as("the regions reclaimed are exactly those nobody closed")
                .containsExactlyInAnyOrderElementsOf(dropped);
        assertThat(warned).allSatisfy((name, times) -> assertThat(times).as("warnings about %s", name).isEqualTo(1));
    }

    /** Starts thread A (and B) of one round of the race; their failures other than the expected go to {@code unexpected}. */
    private static void startRace(int i, Fate fate, String name, List<Thread> threads, Queue<Throwable> unexpected) {
        BlockingQueue<Region> handoff = new ArrayBlockingQueue<>(1);
        Thread a = (i % 2 == 0 ? Kind.PLATFORM : Kind.VIRTUAL).builder().name(name + "-a").start(() -> {
            try {
                List<MemorySegment> pieces = buildAndHandOver(fate, name, i, handoff);
                if (!fate.confined()) {
                    // go on with the pieces while B ends the region: each write works or finds it closed
                    for (int round = 0; round < 3; round++) {
                        for (MemorySegment p : pieces) {
                            try {
                                p.set(JAVA_BYTE, 0, (byte) round);
                            } catch (IllegalStateException closedByB) {
                                // expected: B closed or reset the region
                            }
                        }
                        Thread.yield();
                    }
                }
            } catch (Throwable e) {
                unexpected.add(new AssertionError(name + " (" + fate + "), thread A", e));
            }
        });
        threads.add(a);
        if (fate == Fate.DEAD_OWNER_DROPPED) {
            return;
        }
        Thread b = Thread.ofVirtual().name(name + "-b").start(() -> {
            try {
                endOrDrop(fate, handoff.poll(20, SECONDS), a);
            } catch (Throwable e) {
                unexpected.add(new AssertionError(name + " (" + fate + "), thread B", e));
            }
        });
        threads.add(b);
    }

    private static List<MemorySegment> buildAndHandOver(Fate fate, String name, int seed, BlockingQueue<Region> handoff)
            throws InterruptedException {
        Region region = Region.builder().name(name).shared(!fate.confined()).build();
        List<MemorySegment> pieces = work(region, seed);
        if (fate != Fate.DEAD_OWNER_DROPPED) {
            handoff.put(region);
        }
        return pieces;
    }

    private static void endOrDrop(Fate fate, Region region, Thread a) throws InterruptedException {
        if (region == null) {
            throw new AssertionError("nothing handed over");
        }
        switch (fate) {
            case CLOSED -> region.close();
            case RESET_THEN_CLOSED -> {
                region.reset();
                region.close();
            }
            case RESET_THEN_DROPPED -> region.reset();
            case DROPPED -> {
            }
            case MERGED_THEN_DROPPED -> {
                Region[] box = {region};
                region = null;
                mergeIntoOwnAndClose(box);
                return;
            }
            case DEAD_OWNER_CLOSED -> {
                a.join();
                region.close();
            }
            case DEAD_OWNER_DROPPED -> throw new AssertionError("never handed over");
        }
        if (!fate.reclaimed) {
            RegionStats closed = region.stats();
            if (closed.liveBytes() != 0 || closed.grossBytes() != 0) {
                throw new AssertionError(region.name() + " after close: " + closed);
            }
        }
    }

    /** Takes the region out of {@code box}, merges it into a region of its own, drops it and closes its own. */
    private static void mergeIntoOwnAndClose(Region[] box) throws InterruptedException {
        Region dropped = box[0];
        box[0] = null;
        Region own = Region.builder().name(dropped.name() + "-dst").shared(true).build();
        own.allocate(50);
        own.merge(dropped);
        dropped = null; // unreachable from here on: its reclaim may run while this region closes
        for (int i = 0; i < 3; i++) {
            own.allocate(300);
            Thread.sleep(1);
        }
        own.close();
    }

    // ------------------------------------------------------------------ 6. two threads end a dead thread's region at once

    /**
     * Once its thread is dead, a confined region may be ended by any thread, so by two at once (two
     * cleanup paths, a shutdown hook and a supervisor): each call must still either work or throw
     * a clear {@link IllegalStateException}, and the region's and the process's figures must come
     * back exactly, as for a shared region, whose ends are atomic. Many short rounds, since each
     * race is won or lost in microseconds; every round is checked and the test reports them all.
     */
    @Test
    void twoThreadsEndingADeadThreadsRegionAtOnceReleaseItOnce() throws Exception {
        Figures base = settled();
        int rounds = 600;
        Map<String, Integer> outcomes = new TreeMap<>();
        List<AssertionError> wrong = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String outcome;
            try {
                outcome = contest(round);
            } catch (AssertionError e) {
                wrong.add(e);
                outcome = "WRONG";
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        if (!wrong.isEmpty()) {
            AssertionError error = new AssertionError(wrong.size() + " of " + rounds + " rounds went wrong "
                    + outcomes + "; first: " + wrong.get(0).getMessage(), wrong.get(0));
            wrong.stream().skip(1).limit(4).forEach(error::addSuppressed);
            throw error;
        }
        Figures now = Figures.now();
        assertThat(now.live()).as("global live bytes after %d rounds %s", rounds, outcomes).isEqualTo(base.live());
        assertThat(now.gross()).as("global gross bytes after %d rounds %s", rounds, outcomes).isEqualTo(base.gross());
        assertNothingReclaimed(base, "regions closed by contending threads");
    }

    /**
     * A dead thread's region, closed by one thread while another closes (even rounds) or resets
     * (odd rounds) it at the same moment, as two cleanup threads might. One close must succeed
     * and the other call either succeed (a reset that came first) or throw
     * {@link IllegalStateException} (closed, or being reset or closed: a reset that refused the close
     * leaves the region open, and a later close works); the memory goes back once, the figures come
     * back exactly. Returns what happened; throws an {@link AssertionError} that says what went wrong.
     */
    private static String contest(int round) throws InterruptedException {
        boolean resetting = round % 2 == 1;
        Figures before = Figures.now();
        Region region = leftOpenBy(round % 4 < 2 ? Kind.PLATFORM : Kind.VIRTUAL, "contested-" + round).region();
        CyclicBarrier start = new CyclicBarrier(2);
        Object[] results = new Object[2];
        Thread closer = Thread.ofPlatform().name("closer-" + round).start(() -> results[0] = attempt(start, region::close));
        Thread other = Thread.ofPlatform().name("other-" + round)
                .start(() -> results[1] = attempt(start, resetting ? region::reset : region::close));
        assertThat(closer.join(Duration.ofSeconds(20))).isTrue();
        assertThat(other.join(Duration.ofSeconds(20))).isTrue();
        String what = "round " + round + ", close vs " + (resetting ? "reset" : "close") + ": " + results[0] + " / "
                + results[1];
        try {
            for (Object r : results) {
                if (r instanceof Throwable t && !(t instanceof IllegalStateException)) {
                    throw new AssertionError(what, t);
                }
            }
            boolean closed = "ok".equals(results[0]);
            boolean otherOk = "ok".equals(results[1]);
            String outcome;
            if (!resetting) {
                assertThat(closed ^ otherOk).as("exactly one close succeeds: " + what).isTrue();
                outcome = "close vs close: one closed, one refused";
            } else if (closed) {
                outcome = otherOk ? "close vs reset: reset, then close" : "close vs reset: close, reset refused";
            } else {
                assertThat(otherOk).as("the close was refused, so the reset ran: " + what).isTrue();
                assertThatCode(region::close).as(what + ", then a close").doesNotThrowAnyException();
                outcome = "close vs reset: close refused during the reset, closed after";
            }
            RegionStats stats = region.stats();
            Figures now = Figures.now();
            List<String> off = new ArrayList<>();
            if (stats.liveBytes() != 0 || stats.liveCount() != 0 || stats.grossBytes() != 0) {
                off.add("the region's figures are " + stats + ", not 0");
            }
            if (now.live() != before.live() || now.gross() != before.gross()) {
                off.add("the global figures are [" + now + "], not [" + before + "]");
            }
            if (!off.isEmpty()) {
                throw new AssertionError(what + ": " + String.join("; ", off));
            }
            return outcome;
        } finally {
            try {
                region.close(); // in case it went wrong: leave nothing open
            } catch (IllegalStateException alreadyClosed) {
                // the usual case
            } catch (RuntimeException e) {
                // reported above
            }
        }
    }

    /** Waits at {@code start}, runs {@code call}; returns "ok" or what it threw. */
    private static Object attempt(CyclicBarrier start, ThrowingCallable call) {
        try {
            start.await(20, SECONDS);
            call.call();
            return "ok";
        } catch (Throwable e) {
            return e;
        }
    }

    // ------------------------------------------------------------------ 7. a server that sometimes forgets

    @Test
    void aServerWhoseRequestsSometimesForgetToCloseLeaksNothing() throws Exception {
        Figures base = settled();
        int requests = 5_000;
        Set<String> forgotten = ConcurrentHashMap.newKeySet();
        try (ExecutorService server = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> handled = new ArrayList<>(requests);
            for (int i = 0; i < requests; i++) {
                int request = i;
                handled.add(server.submit(() -> handle(request, forgotten)));
            }
            for (Future<?> f : handled) {
                f.get(30, SECONDS); // rethrows a request's failure
            }
        }
        assertThat(forgotten).hasSize(requests / 10);

        awaitReclaims(base, forgotten.size(), forgotten.size() + " requests that forgot to close their region");

        Map<String, Integer> warned = reclaimWarnings(forgotten.size());
        assertThat(warned.keySet()).as("the regions reclaimed are exactly the forgotten ones")
                .containsExactlyInAnyOrderElementsOf(forgotten);
        assertThat(warned.values()).containsOnly(1);
    }

    /** One request: a region of its own, a few pieces; one in ten forgets to close it. */
    private static Void handle(int request, Set<String> forgotten) {
        String name = "request-" + request;
        Region region = Region.builder().name(name).build();
        MemorySegment header = region.allocate(64);
        MemorySegment body = region.allocate(700 + request % 300);
        MemorySegment reply = region.allocate(request % 50 == 0 ? 70_000 : 2_000);
        fill(header, request);
        fill(body, request + 1);
        fill(reply, request + 2);
        region.free(body);
        check(header, request);
        check(reply, request + 2);
        if (request % 10 == 0) {
            forgotten.add(name); // the bug: no close
            return null;
        }
        region.close();
        return null;
    }
}
