package dev.regions;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@link Regions#globalStats()} snapshot is a possible state of the process, even while
 * other threads build regions, allocate, free, merge one region into another, reset and close:
 * live bytes, live count, gross bytes and both watermarks are never negative, the live bytes lie
 * between the watermarks, and the history counters (allocations, frees) never go down from one
 * snapshot to the next. Once every region is closed, live bytes, live count and gross bytes are
 * back where they started.
 */
class GlobalSnapshotTest {

    private static final int WRITERS = 3;
    /** The reader stops the writers after this many snapshots... */
    private static final int SNAPSHOTS = 5_000;
    /** ...or after this long, whichever comes first (keeps the test short on a slow machine). */
    private static final long MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(2_000);

    @Test
    void everySnapshotIsAPossibleStateWhileRegionsAreBuiltMergedResetAndClosed() throws Exception {
        RegionStats start = Regions.globalStats();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger taken = new AtomicInteger();
        ConcurrentLinkedQueue<String> impossible = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch writersDone = new CountDownLatch(WRITERS);

        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            threads.add(new Thread(() -> {
                try {
                    write(id, stop);
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    writersDone.countDown();
                }
            }, "writer-" + w));
        }
        Thread reader = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + MAX_NANOS;
                RegionStats previous = Regions.globalStats();
                check(previous, null, impossible);
                while (writersDone.getCount() > 0) {
                    RegionStats now = Regions.globalStats();
                    check(now, previous, impossible);
                    previous = now;
                    if (taken.incrementAndGet() >= SNAPSHOTS || System.nanoTime() > deadline) {
                        stop.set(true);
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            } finally {
                stop.set(true);
            }
        }, "reader");
        threads.forEach(Thread::start);
        reader.start();
        for (Thread t : threads) {
            t.join(30_000);
        }
        reader.join(30_000);
        stop.set(true);

        assertThat(failures).as("what the threads threw").isEmpty();
        assertThat(reader.isAlive()).isFalse();
        assertThat(taken.get()).as("snapshots taken").isPositive();
        assertThat(impossible).as("impossible snapshots among %d", taken.get()).isEmpty();
        RegionStats end = Regions.globalStats();
        check(end, null, impossible);
        assertThat(impossible).isEmpty();
        assertThat(end.liveBytes()).as("live bytes once every region closed").isEqualTo(start.liveBytes());
        assertThat(end.liveCount()).as("live count once every region closed").isEqualTo(start.liveCount());
        assertThat(end.grossBytes()).as("gross bytes once every region closed").isEqualTo(start.grossBytes());
        assertThat(end.allocations()).isGreaterThan(start.allocations());
        assertThat(end.frees()).isGreaterThan(start.frees());
    }

    private static void check(RegionStats s, RegionStats previous, ConcurrentLinkedQueue<String> impossible) {
        List<String> broken = new ArrayList<>();
        if (s.liveBytes() < 0) {
            broken.add("liveBytes < 0");
        }
        if (s.liveCount() < 0) {
            broken.add("liveCount < 0");
        }
        if (s.grossBytes() < 0) {
            broken.add("grossBytes < 0");
        }
        if (s.lowLiveBytes() < 0) {
            broken.add("lowLiveBytes < 0");
        }
        if (s.lowLiveBytes() > s.peakLiveBytes()) {
            broken.add("lowLiveBytes > peakLiveBytes");
        }
        if (s.liveBytes() > s.peakLiveBytes() || s.liveBytes() < s.lowLiveBytes()) {
            broken.add("liveBytes outside [lowLiveBytes, peakLiveBytes]");
        }
        if (previous != null && s.allocations() < previous.allocations()) {
            broken.add("allocations went down from " + previous.allocations());
        }
        if (previous != null && s.frees() < previous.frees()) {
            broken.add("frees went down from " + previous.frees());
        }
        if (!broken.isEmpty() && impossible.size() < 20) {
            impossible.add(broken + ": " + s);
        }
    }

    /** One writer: regions built, filled, merged, reset and closed, over and over. */
    private static void write(int id, AtomicBoolean stop) {
        Random random = new Random(id);
        int round = 0;
        while (!stop.get() || round < 4) {
            boolean shared = (round + id) % 2 == 0;
            Region dst = Region.builder().shared(shared).build();
            Region src = Region.builder().shared(shared).build();
            try {
                List<MemorySegment> dstPieces = fill(dst, random);
                List<MemorySegment> srcPieces = fill(src, random);
                for (int i = 0; i < srcPieces.size(); i += 2) {
                    src.free(srcPieces.get(i));
                }
                switch (round % 4) {
                    case 0 -> dst.merge(src);
                    case 1 -> {
                        dst.merge(src);
                        dst.reset();
                    }
                    case 2 -> {
                        for (int i = 1; i < dstPieces.size(); i += 3) {
                            dst.free(dstPieces.get(i));
                        }
                        src.reset();
                        fill(src, random);
                        dst.merge(src);
                    }
                    default -> dst.mergeAndClose(src);
                }
                fill(dst, random);
                if (src.scope().isAlive()) {
                    fill(src, random);
                    src.close(); // before dst: the pieces it gave dst stay live
                }
                if (round % 5 == 0) {
                    dst.reset();
                    fill(dst, random);
                }
            } finally {
                if (src.scope().isAlive()) {
                    src.close();
                }
                if (dst.scope().isAlive()) {
                    dst.close();
                }
            }
            round++;
        }
    }

    private static List<MemorySegment> fill(Region region, Random random) {
        List<MemorySegment> pieces = new ArrayList<>();
        int n = 5 + random.nextInt(40);
        for (int i = 0; i < n; i++) {
            long size = switch (random.nextInt(10)) {
                case 0 -> 70_000 + random.nextInt(100_000); // crosses a 64 KiB step at once
                case 1 -> 0;
                case 2, 3 -> 300 + random.nextInt(8000);
                default -> 1 + random.nextInt(256);
            };
            MemorySegment piece = region.allocate(size);
            if (size >= 8) {
                piece.set(JAVA_LONG, 0, size);
            }
            pieces.add(piece);
        }
        return pieces;
    }
}
