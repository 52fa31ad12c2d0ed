package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * What a region does when code it calls misbehaves: a cleanup action or a source that throws an
 * {@link Error}, a source or a cleanup action that calls back into the region it serves, a source
 * that hands over a block the region cannot safely use. In every case the region says what went
 * wrong, loses no memory and keeps working.
 *
 * <p>Callbacks never hang: code a region calls while it is half changed (its memory source's
 * {@code allocate} or {@code release}, a cleanup action bound to its scope) that calls back into
 * that region gets {@link IllegalStateException} for every method that takes the region's locks
 * or changes it (allocate, free, reset, close, merge and mergeAndClose in both directions,
 * setLimit, stats, statsAndResetPeaks), and the call that ran the callback completes. For
 * confined and shared regions; the shared ones while two other threads keep allocating and
 * freeing in the same region, and also with the callback on a thread that never used the region
 * (so it has no lane there). Afterwards the region works (or, after a close, is closed and holds
 * nothing) and its invariants hold. A hang fails the test after 10 s instead of blocking the build.
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

    @SuppressWarnings("restricted")
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

    // ------------------------------------------------------------ every call back refused, no hang

    private static final Duration HANG = Duration.ofSeconds(10);

    /** What makes the region call out. */
    enum Trigger {
        /** The source's allocate, called by an allocation that needs a new block. */
        SOURCE_ALLOCATE,
        /** The source's release, called by a reset giving back a large block. */
        SOURCE_RELEASE_ON_RESET,
        /** The source's release, called by a close. */
        SOURCE_RELEASE_ON_CLOSE,
        /** A cleanup action bound to the region's scope, run by a reset. */
        CLEANUP_ON_RESET,
        /** A cleanup action bound to the region's scope, run by a close. */
        CLEANUP_ON_CLOSE;

        boolean closes() {
            return this == SOURCE_RELEASE_ON_CLOSE || this == CLEANUP_ON_CLOSE;
        }
    }

    /** Which region, and on which thread the callback runs. */
    enum Kind {
        CONFINED,
        /** Shared; the callback runs on a thread that allocated in the region (it has a lane). */
        SHARED,
        /** Shared; the callback runs on a thread that never used the region (no lane of its own). */
        SHARED_FROM_A_THREAD_WITHOUT_A_LANE
    }

    static Stream<Arguments> cases() {
        return Stream.of(Kind.values()).flatMap(kind -> Stream.of(Trigger.values())
                .filter(t -> kind != Kind.SHARED_FROM_A_THREAD_WITHOUT_A_LANE || t != Trigger.SOURCE_ALLOCATE)
                .map(t -> Arguments.of(kind, t)));
    }

    /** A tracking source that, once armed, runs a callback from allocate or release on one thread. */
    private static final class ReentrantSource implements MemorySource {
        final TrackingSource tracking = new TrackingSource();
        final AtomicReference<Runnable> onAllocate = new AtomicReference<>();
        final AtomicReference<Runnable> onRelease = new AtomicReference<>();
        volatile Thread armedFor;

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            if (Thread.currentThread() == armedFor) {
                Runnable callback = onAllocate.getAndSet(null);
                if (callback != null) {
                    callback.run();
                }
            }
            return tracking.allocate(byteSize, byteAlignment);
        }

        @Override
        public void release(MemorySegment block) {
            tracking.release(block);
            if (Thread.currentThread() == armedFor) {
                Runnable callback = onRelease.getAndSet(null);
                if (callback != null) {
                    callback.run();
                }
            }
        }
    }

    /** Every call the callback makes, by name. */
    private static Map<String, Runnable> calls(Region region, Region other, MemorySegment victim) {
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("allocate(16)", () -> region.allocate(16));
        calls.put("allocate(100_000)", () -> region.allocate(100_000));
        calls.put("free(piece)", () -> region.free(victim));
        calls.put("reset()", region::reset);
        calls.put("close()", region::close);
        calls.put("merge(other)", () -> region.merge(other));
        calls.put("other.merge(region)", () -> other.merge(region));
        calls.put("mergeAndClose(other)", () -> region.mergeAndClose(other));
        calls.put("other.mergeAndClose(region)", () -> other.mergeAndClose(region));
        calls.put("setLimit(2^40)", () -> region.setLimit(1L << 40));
        calls.put("stats()", region::stats);
        calls.put("statsAndResetPeaks()", region::statsAndResetPeaks);
        return calls;
    }

    /** Runs every call, catching what each throws: nothing may escape into the region's callout. */
    private static Runnable callback(Map<String, Runnable> calls, Map<String, Throwable> outcomes) {
        return () -> {
            for (Map.Entry<String, Runnable> call : calls.entrySet()) {
                Throwable thrown = null;
                try {
                    call.getValue().run();
                } catch (Throwable t) {
                    thrown = t;
                }
                outcomes.put(call.getKey(), thrown);
            }
        };
    }

    /** Threads that keep allocating and freeing in a shared region until told to stop. */
    private static final class Churners {
        final AtomicBoolean stop = new AtomicBoolean();
        final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        final CountDownLatch running;

        Churners(Region region, int count) {
            running = new CountDownLatch(count);
            for (int t = 0; t < count; t++) {
                int id = t;
                Thread thread = new Thread(() -> churn(region, id), "churner-" + t);
                thread.setDaemon(true); // a hang must not keep the JVM alive
                threads.add(thread);
            }
        }

        void start() throws InterruptedException {
            for (Thread thread : threads) {
                thread.start();
                Thread.sleep(5); // one after the other: each takes its lane number in turn
            }
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        }

        private void churn(Region region, int id) {
            long n = 0;
            List<MemorySegment> held = new ArrayList<>();
            while (!stop.get()) {
                try {
                    MemorySegment piece = region.allocate(16 + (n % 200));
                    piece.set(JAVA_LONG, 0, n);
                    held.add(piece);
                    if (held.size() > 20) {
                        MemorySegment old = held.remove(0);
                        region.free(old);
                    }
                } catch (IllegalStateException | IllegalArgumentException e) {
                    // Raced with the test's reset (the piece died, or its generation ended) or close. A
                    // callout's "busy" state, which only the thread running it may see, is not a race.
                    String message = String.valueOf(e.getMessage());
                    if (!message.contains("Already closed") && !message.contains("is closed")
                            && !message.contains("ended generation")) {
                        unexpected.add(e);
                        break;
                    }
                    held.clear();
                    if (isClosed(region)) {
                        break;
                    }
                } catch (Throwable t) {
                    unexpected.add(t);
                    break;
                } finally {
                    if (n++ == 100) {
                        running.countDown();
                    }
                }
                if (n % 64 == 0) {
                    Thread.yield();
                }
            }
            if (n <= 100) {
                running.countDown();
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(5000);
                assertThat(thread.isAlive()).as("%s still running", thread.getName()).isFalse();
            }
            assertThat(unexpected).as("what the churning threads got").isEmpty();
        }
    }

    private static boolean isClosed(Region region) {
        try {
            region.setLimit(region.limit());
            return false;
        } catch (IllegalStateException e) {
            return e.getMessage().contains("closed");
        }
    }

    /** The outcomes other than IllegalStateException, with where they were thrown. */
    private static String unexpected(Map<String, Throwable> outcomes) {
        StringBuilder text = new StringBuilder();
        outcomes.forEach((call, t) -> {
            if (!(t instanceof IllegalStateException)) {
                text.append("\n  ").append(call).append(": ").append(t == null ? "returned normally" : t);
                if (t != null && t.getStackTrace().length > 0) {
                    text.append(" at ").append(t.getStackTrace()[0]);
                }
            }
        });
        return text.toString();
    }

    /** Runs {@code action} on a new thread and waits for it; rethrows what it threw. */
    private static void onNewThread(String name, Runnable action) throws Throwable {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                action.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        thread.join();
        if (thrown.get() != null) {
            throw thrown.get();
        }
    }

    @ParameterizedTest(name = "{0} region, callback from {1}")
    @MethodSource("cases")
    void aCallbackIntoTheRegionGetsIllegalStateExceptionForEveryCallAndNeverHangs(Kind kind, Trigger trigger) {
        assertTimeoutPreemptively(HANG, () -> scenario(kind, trigger), () -> "hung: " + kind + ", " + trigger);
    }

    private static void scenario(Kind kind, Trigger trigger) throws Throwable {
        boolean shared = kind != Kind.CONFINED;
        boolean laneless = kind == Kind.SHARED_FROM_A_THREAD_WITHOUT_A_LANE;
        ReentrantSource source = new ReentrantSource();
        Region region = Region.builder().name("served").shared(shared).source(source).build();
        Region other = Region.builder().name("other").shared(shared).build();
        Churners churners = shared ? new Churners(region, 2) : null;
        Map<String, Throwable> outcomes = new LinkedHashMap<>();
        try {
            other.allocate(32).set(JAVA_LONG, 0, 5);
            MemorySegment[] victim = new MemorySegment[1];
            Runnable prepare = () -> {
                victim[0] = region.allocate(64);
                victim[0].set(JAVA_LONG, 0, 99);
                if (trigger == Trigger.SOURCE_RELEASE_ON_RESET) {
                    region.allocate(200_000); // a large block: a reset gives it back
                }
            };
            if (laneless) {
                onNewThread("preparer", prepare); // the callback's thread will not have allocated
            } else {
                prepare.run();
            }
            Runnable callback = callback(calls(region, other, victim[0]), outcomes);
            switch (trigger) {
                case SOURCE_ALLOCATE -> source.onAllocate.set(callback);
                case SOURCE_RELEASE_ON_RESET, SOURCE_RELEASE_ON_CLOSE -> source.onRelease.set(callback);
                case CLEANUP_ON_RESET, CLEANUP_ON_CLOSE -> {
                    if (laneless) {
                        onNewThread("binder", () -> bindCleanup(region, callback));
                    } else {
                        bindCleanup(region, callback);
                    }
                }
            }
            if (churners != null) {
                churners.start();
            }
            Runnable act = () -> {
                source.armedFor = Thread.currentThread();
                switch (trigger) {
                    case SOURCE_ALLOCATE -> region.allocate(1 << 20).set(JAVA_LONG, 0, 1);
                    case SOURCE_RELEASE_ON_RESET, CLEANUP_ON_RESET -> region.reset();
                    case SOURCE_RELEASE_ON_CLOSE, CLEANUP_ON_CLOSE -> region.close();
                }
                source.armedFor = null;
            };
            if (laneless) {
                onNewThread("laneless", act);
            } else {
                act.run();
            }
            if (churners != null) {
                churners.stop();
            }

            // Every call the callback made got IllegalStateException.
            Map<String, String> got = new LinkedHashMap<>();
            Map<String, String> expected = new LinkedHashMap<>();
            for (String call : calls(region, other, victim[0]).keySet()) {
                Throwable t = outcomes.get(call);
                got.put(call, !outcomes.containsKey(call) ? "not called"
                        : t == null ? "returned normally" : t.getClass().getSimpleName());
                expected.put(call, IllegalStateException.class.getSimpleName());
            }
            assertThat(got).as("what each call from the callback got (%s, %s)%s", kind, trigger, unexpected(outcomes))
                    .containsExactlyEntriesOf(expected);

            // Nothing the refused calls would have done was done.
            assertThat(region.limit()).isZero();
            assertThat(other.scope().isAlive()).as("the other region is still open").isTrue();
            assertThat(other.stats().liveCount()).as("the other region's piece stayed there").isEqualTo(1);
            assertThat(Invariants.check(other)).isNull();
            if (trigger.closes()) {
                assertThat(region.scope().isAlive()).isFalse();
                assertThatThrownBy(() -> region.allocate(16)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("closed");
                assertThat(region.stats().grossBytes()).isZero();
                assertThat(source.tracking.outstanding()).as("blocks not given back by the close").isZero();
                assertThat(Invariants.check(region)).isNull();
            } else {
                if (trigger == Trigger.SOURCE_ALLOCATE) {
                    assertThat(victim[0].get(JAVA_LONG, 0)).as("the piece free(piece) was refused").isEqualTo(99);
                }
                assertThat(Invariants.check(region)).isNull();
                // The region still works.
                MemorySegment piece = region.allocate(100);
                piece.set(JAVA_LONG, 0, 7);
                MemorySegment large = region.allocate(100_000);
                large.set(JAVA_LONG, 99_992, 8);
                region.free(piece);
                region.free(large);
                region.reset();
                assertThat(region.stats().liveCount()).isZero();
                region.allocate(40).set(JAVA_LONG, 0, 9);
                assertThat(Invariants.check(region)).isNull();
            }
        } finally {
            if (churners != null) {
                churners.stop.set(true);
            }
            source.onAllocate.set(null);
            source.onRelease.set(null);
            if (region.scope().isAlive()) {
                region.close();
            }
            if (other.scope().isAlive()) {
                other.close();
            }
        }
        assertThat(source.tracking.outstanding()).isZero();
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
