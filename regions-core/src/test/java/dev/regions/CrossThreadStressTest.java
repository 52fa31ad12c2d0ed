package dev.regions;

import dev.regions.internal.Invariants;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pieces cross threads, and threads die (guarantee 5, and the lanes of {@link Region}'s
 * {@code Threads} section): workers allocate pieces into a common mailbox and free pieces other
 * workers (most of them ended since) put there, in generations of threads that each run a while
 * and end. Every piece is filled with a tag of its own when allocated and checked when freed, so
 * two live pieces that overlapped would show; between generations the region's figures must equal
 * what the mailbox holds; at the end the region must be empty and hold memory for the live bytes
 * of a moment, not for every thread that ran. Longer runs:
 * {@code -Dregions.crossThread.generations=N}.
 */
@Timeout(300)
class CrossThreadStressTest {
    private static final int WORKERS = 4;
    private static final int OPERATIONS = 20_000;
    private static final int MAX_SIZE = 8_192;
    /** One segment per tag byte, to compare a piece's bytes with in one call. */
    private static final MemorySegment[] TAGS = new MemorySegment[256];

    static {
        for (int t = 0; t < TAGS.length; t++) {
            TAGS[t] = Arena.global().allocate(MAX_SIZE).fill((byte) t);
        }
    }

    private record Tagged(MemorySegment piece, int tag) {
    }

    @Test
    void piecesFreedByOtherThreadsAndByThreadsThatCameLaterStayApartAndAreCountedExactly() throws Exception {
        // the checked mode gives each piece a shared arena, whose close is a handshake: fewer there
        int generations = Integer.getInteger("regions.crossThread.generations", Boolean.getBoolean("regions.checked") ? 3 : 12);
        LinkedBlockingQueue<Tagged> mailbox = new LinkedBlockingQueue<>();
        AtomicLong liveBytes = new AtomicLong();
        AtomicLong peakLiveBytes = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Region region = Region.builder().shared(true).name("cross-threads").build()) {
            for (int g = 0; g < generations && failure.get() == null; g++) {
                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    long seed = g * 1_000L + w;
                    workers.add(Thread.ofPlatform().start(() -> {
                        try {
                            work(region, mailbox, liveBytes, peakLiveBytes, new SplittableRandom(seed));
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }));
                }
                for (Thread t : workers) {
                    t.join();
                }
                RegionStats stats = region.stats();
                assertThat(stats.liveBytes()).as("live bytes after generation %d", g).isEqualTo(liveBytes.get());
                assertThat(stats.liveCount()).as("live pieces after generation %d", g).isEqualTo(mailbox.size());
                assertThat(Invariants.check(region)).as("invariants after generation %d", g).isNull();
            }
            assertThat(failure.get()).as("what a worker threw").isNull();

            long grossAtTheEnd = region.stats().grossBytes();
            for (Tagged t; (t = mailbox.poll()) != null; ) { // the pieces left, freed by a thread that made none
                check(t);
                region.free(t.piece());
            }
            RegionStats end = region.stats();
            assertThat(end.liveBytes()).isZero();
            assertThat(end.liveCount()).isZero();
            assertThat(end.allocations()).isEqualTo(end.frees());
            // Bounded by the live bytes of a moment (twice, for size classes and partly used blocks;
            // four times in the checked mode, whose pieces carry guard zones the live bytes leave
            // out), plus a block per lane: not by the 4 x generations threads that ran.
            long times = Boolean.getBoolean("regions.checked") ? 4 : 2;
            assertThat(grossAtTheEnd).as("gross bytes for a peak of %d live bytes", peakLiveBytes.get())
                    .isLessThanOrEqualTo(times * peakLiveBytes.get() + 8L * WORKERS * MAX_SIZE * 16);
        }
    }

    /**
     * A shared region that threads which have ended used, dropped with pieces freed across lanes
     * still waiting on a lane's stack, is reclaimed. Neither may keep it reachable: the stack hangs
     * off the lane's ledger, which the process-wide records reach, and the table of lanes by thread
     * names threads that have ended (it held them, and their tasks, before this test).
     */
    @Test
    void aSharedRegionDroppedWithFreesAcrossLanesWaitingIsStillReclaimed() throws Exception {
        long before = dev.regions.support.Collector.settle();
        long globalBefore = Regions.globalStats().grossBytes();
        dropWithFreesWaiting();
        dev.regions.support.Collector.awaitReclaimed(before + 1);
        assertThat(Regions.globalStats().grossBytes()).as("its blocks given back").isEqualTo(globalBefore);
    }

    /** A shared region: this thread allocates, another frees (across lanes), and nobody allocates again. */
    private static void dropWithFreesWaiting() throws InterruptedException {
        Region region = Region.builder().shared(true).name("dropped-with-frees-waiting").build();
        List<MemorySegment> pieces = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pieces.add(region.allocate(48));
        }
        Thread other = Thread.ofPlatform().start(() -> pieces.forEach(region::free));
        other.join();
        assertThat(region.stats().liveCount()).isZero(); // stats() takes the waiting pieces back...
        pieces.clear();
        Thread again = Thread.ofPlatform().start(() -> region.free(region.allocate(48)));
        again.join();
        MemorySegment last = region.allocate(48);
        Thread.ofPlatform().start(() -> region.free(last)).join(); // ...this one waits when the region is dropped
    }

    private static void work(Region region, LinkedBlockingQueue<Tagged> mailbox, AtomicLong liveBytes,
            AtomicLong peakLiveBytes, SplittableRandom random) {
        for (int i = 0; i < OPERATIONS; i++) {
            if (random.nextInt(100) < 52 || mailbox.isEmpty()) {
                long size = random.nextInt(10) == 0 ? random.nextInt(255, MAX_SIZE + 1) : random.nextInt(1, 255);
                int tag = random.nextInt(256);
                MemorySegment piece = region.allocate(size);
                piece.fill((byte) tag);
                long live = liveBytes.addAndGet(size);
                peakLiveBytes.accumulateAndGet(live, Math::max);
                mailbox.add(new Tagged(piece, tag));
            } else {
                Tagged t = mailbox.poll();
                if (t != null) {
                    check(t);
                    liveBytes.addAndGet(-t.piece().byteSize());
                    region.free(t.piece());
                }
            }
        }
    }

    /** The piece still holds its tag in every byte: no other live piece overlapped it. */
    private static void check(Tagged t) {
        long mismatch = MemorySegment.mismatch(t.piece(), 0, t.piece().byteSize(), TAGS[t.tag()], 0,
                t.piece().byteSize());
        assertThat(mismatch).as("first byte of a %d-byte piece someone else wrote", t.piece().byteSize())
                .isEqualTo(-1);
    }
}
