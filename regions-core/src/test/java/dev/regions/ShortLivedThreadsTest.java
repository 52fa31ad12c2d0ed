package dev.regions;

import dev.regions.internal.Invariants;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Threads that come and go: a shared region's memory and figures follow the threads alive at
 * once, never the threads that ever ran (the {@code Threads} section of {@link Region}). A thread
 * that first uses a shared region takes the lane of a thread that has ended, with the blocks that
 * thread left, before a lane no thread used; and the lane's figures are settled when it changes
 * hands, so ended threads leave no drift in the watermarks.
 *
 * <p>Everything is read through {@link Region#stats()}: the gross bytes (what the region holds
 * from its source) and the peak of the live bytes, against the live bytes the test itself knows
 * it held. The threads run one after another (each is joined before the next starts), so the
 * true live bytes are known at every moment.
 */
@Timeout(120)
@Tag("slow") // the checked mode gives each piece a shared arena, whose close is a handshake: minutes there
class ShortLivedThreadsTest {

    /** The sizes of one working set: small and medium pieces, about 1 MB in all. */
    private static final long[] SIZES = {24, 48, 100, 200, 400, 1_000, 3_000, 7_000};
    private static final int ROUNDS = 80; // SIZES summed (11,772 bytes) 80 times: 941,760 bytes
    private static final long WORKING_SET = ROUNDS * java.util.Arrays.stream(SIZES).sum();

    /** One thread's work: allocates the working set, writes each piece, frees every piece. */
    private static void workingSet(Region region) {
        List<MemorySegment> pieces = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            for (long size : SIZES) {
                MemorySegment piece = region.allocate(size);
                piece.set(JAVA_BYTE, size - 1, (byte) r);
                pieces.add(piece);
            }
        }
        pieces.forEach(region::free);
    }

    /** Runs {@code body} on a new thread from {@code builder} and waits until that thread has ended. */
    private static void runToEnd(Thread.Builder builder, Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = builder.start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        assertThat(thread.join(Duration.ofSeconds(30))).as("thread ended").isTrue();
        if (failure.get() != null) {
            throw new AssertionError("thread failed", failure.get());
        }
    }

    /** Runs threads from {@code builder} one after another, each doing a working set, until {@code total} have run. */
    private static void threadsOneAtATime(Region region, Thread.Builder builder, int from, int total)
            throws InterruptedException {
        for (int i = from; i < total; i++) {
            runToEnd(builder, () -> workingSet(region));
        }
    }

    @Test
    void memoryHeldAfter300ShortLivedThreadsIsThatOfTheThreadsAliveAtOnce() throws Exception {
        try (Region region = Region.ofShared()) {
            threadsOneAtATime(region, Thread.ofPlatform(), 0, 1);
            long afterOne = region.stats().grossBytes();
            threadsOneAtATime(region, Thread.ofPlatform(), 1, 20);
            long after20 = region.stats().grossBytes();
            threadsOneAtATime(region, Thread.ofPlatform(), 20, 300);
            RegionStats after300 = region.stats();
            System.out.printf("ShortLivedThreadsTest: platform threads one at a time, working set %,d bytes:"
                    + " gross after 1 thread %,d, after 20 %,d, after 300 %,d%n", WORKING_SET, afterOne, after20,
                    after300.grossBytes());

            assertThat(after300.liveBytes()).isZero();
            assertThat(after300.grossBytes())
                    .as("gross bytes after 300 threads, one at a time (after 20: %,d)", after20)
                    .isLessThanOrEqualTo(after20 + after20 / 4);
            // one thread alive at a time: the blocks of about one lane, never one per thread that ran
            assertThat(after300.grossBytes())
                    .as("gross bytes after 300 threads, one at a time (after the first: %,d)", afterOne)
                    .isLessThanOrEqualTo(2 * afterOne);
            assertThat(Invariants.check(region)).isNull();
        }
    }

    /**
     * Each thread allocates its working set and frees it but for a part it leaves live for good
     * (one piece in 60, about 15.7 KB), so the live bytes peak while the last thread holds its
     * working set. One thread allocates at a time (or two, with the test's own thread, which
     * holds a piece throughout): the region's peak must be that, give or take one step per
     * thread allocating at once, whatever the threads that ended left untold.
     */
    @ParameterizedTest(name = "beside a thread that holds a lane throughout: {0}")
    @ValueSource(booleans = {false, true})
    void thePeakAfter200ThreadsOneAtATimeIsWithinOneStepOfTheTruePeak(boolean beside) throws Exception {
        try (Region region = Region.ofShared()) {
            long[] live = {0};
            long[] truePeak = {0};
            if (beside) {
                region.allocate(5_000); // the test's thread: a second lane, in use throughout
                live[0] = truePeak[0] = 5_000;
            }
            int lanesAtOnce = beside ? 2 : 1;
            for (int t = 0; t < 200; t++) {
                runToEnd(Thread.ofPlatform(), () -> {
                    List<MemorySegment> pieces = new ArrayList<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        for (long size : SIZES) {
                            pieces.add(region.allocate(size));
                            live[0] += size;
                            truePeak[0] = Math.max(truePeak[0], live[0]);
                        }
                    }
                    for (int i = 0; i < pieces.size(); i++) {
                        if (i % 60 != 0) { // one piece in 60 stays live
                            region.free(pieces.get(i));
                            live[0] -= pieces.get(i).byteSize();
                        }
                    }
                });
            }
            RegionStats stats = region.stats();
            System.out.printf("ShortLivedThreadsTest: 200 threads one at a time (beside: " + beside + "): peak %,d, true peak %,d, live %,d"
                    + " (true %,d), low %,d, gross %,d%n", stats.peakLiveBytes(), truePeak[0], stats.liveBytes(),
                    live[0], stats.lowLiveBytes(), stats.grossBytes());

            assertThat(stats.liveBytes()).isEqualTo(live[0]);
            assertThat(stats.peakLiveBytes()).as("the region's peak; the live bytes never went over %,d", truePeak[0])
                    .isLessThanOrEqualTo(truePeak[0])
                    .isGreaterThanOrEqualTo(truePeak[0] - lanesAtOnce * Invariants.GLOBAL_STEP);
            assertThat(Invariants.check(region)).isNull();
        }
    }

    @Test
    void twoThousandVirtualThreadsDoNotMakeTheMemoryHeldGrowWithTheirNumber() throws Exception {
        try (Region region = Region.ofShared()) {
            Thread.Builder virtual = Thread.ofVirtual();
            threadsOneAtATime(region, virtual, 0, 1);
            long afterOne = region.stats().grossBytes();
            threadsOneAtATime(region, virtual, 1, 20);
            long after20 = region.stats().grossBytes();
            // then in waves of four at once
            for (int wave = 0; wave < (2_000 - 20) / 4; wave++) {
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    threads.add(virtual.start(() -> workingSet(region)));
                }
                for (Thread t : threads) {
                    assertThat(t.join(Duration.ofSeconds(30))).isTrue();
                }
            }
            RegionStats after2000 = region.stats();
            System.out.printf("ShortLivedThreadsTest: virtual threads: gross after 1 %,d, after 20 (one at a time) %,d,"
                    + " after 2,000 (then four at a time) %,d%n", afterOne, after20, after2000.grossBytes());

            assertThat(after2000.liveBytes()).isZero();
            assertThat(after2000.allocations()).isEqualTo(2_000L * ROUNDS * SIZES.length);
            assertThat(after2000.grossBytes())
                    .as("gross bytes after 2,000 virtual threads, at most four at once (after the first: %,d)", afterOne)
                    .isLessThanOrEqualTo(5 * afterOne);
            assertThat(after20).as("gross bytes after 20 virtual threads, one at a time").isLessThanOrEqualTo(2 * afterOne);
            assertThat(Invariants.check(region)).isNull();
        }
    }
}
