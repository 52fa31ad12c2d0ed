package dev.regions.bench;

import dev.regions.Region;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether merges cost what DESIGN.md promises ("merge costs O(blocks and size classes), never
 * O(pieces)"; "free is O(1)") when a region holds many blocks, or a block many holders. Two
 * shapes, each a single shot after an untimed setup that builds it (confined regions):
 * <ul>
 * <li>{@link #mergeTenThousandBlocks}: one {@code merge} of a region holding {@value #BLOCKS}
 *     blocks, half of them kept with room by a reset (the blocks a merge's destination takes
 *     into its list of blocks to carve next).
 * <li>{@link #freeAfterTenThousandMerges}: a source region that keeps carving one block is
 *     merged into {@value #MERGES} regions in turn, so that the block has {@value #MERGES} + 1
 *     holders; then each of {@value #FREES} medium pieces (which {@code free} checks on its slow
 *     path) is freed by the last destination.
 * </ul>
 * Run it with:
 * <pre>java -jar regions-bench/target/benchmarks.jar MergeScaleBench -f 2 -wi 2 -i 3</pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, "-Xms1g", "-Xmx1g"})
public class MergeScaleBench {
    static final int BLOCKS = 10_000;
    static final int MERGES = 10_000;
    static final int FREES = 10;

    /** A region of {@value #BLOCKS} blocks, and an almost empty one to merge it into. */
    @State(Scope.Thread)
    public static class ManyBlocks {
        Region destination;
        Region source;

        @Setup(Level.Iteration)
        public void build() {
            destination = Region.ofConfined();
            destination.allocate(16);
            source = Region.ofConfined();
            for (int i = 0; i < BLOCKS / 2; i++) {
                try (Region scratch = Region.ofConfined()) {
                    scratch.allocate(3_000); // the first block, 4 KiB
                    scratch.allocate(3_000); // does not fit: a second block
                    scratch.reset();         // keeps both: carves the first, the second waits with room
                    source.merge(scratch);   // two blocks more for the source, one with room
                }
            }
        }

        @TearDown(Level.Iteration)
        public void close() {
            source.close();
            destination.close();
        }
    }

    /** A block held by {@value #MERGES} + 1 regions, and {@value #FREES} pieces in it the last one holds. */
    @State(Scope.Thread)
    public static class ManyHolders {
        final List<Region> destinations = new ArrayList<>();
        Region source;
        Region last;
        final List<MemorySegment> pieces = new ArrayList<>();

        @Setup(Level.Iteration)
        public void build() {
            source = Region.ofConfined();
            source.allocate(300); // its first block, which it goes on carving
            for (int i = 0; i < MERGES; i++) {
                Region destination = Region.ofConfined();
                destinations.add(destination);
                destination.merge(source); // one holder more for the block
            }
            for (int i = 0; i < FREES; i++) {
                pieces.add(source.allocate(300)); // medium pieces: free checks them on its slow path
            }
            last = Region.ofConfined();
            destinations.add(last);
            last.merge(source);
        }

        @TearDown(Level.Iteration)
        public void close() {
            for (Region r : destinations) {
                r.close();
            }
            destinations.clear();
            pieces.clear();
            source.close();
        }
    }

    @Benchmark
    public void mergeTenThousandBlocks(ManyBlocks state) {
        state.destination.merge(state.source);
    }

    @Benchmark
    @OperationsPerInvocation(FREES)
    public void freeAfterTenThousandMerges(ManyHolders state) {
        for (MemorySegment piece : state.pieces) {
            state.last.free(piece);
        }
    }
}
