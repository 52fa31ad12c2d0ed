package dev.regions.bench;

import dev.regions.NativeHeap;
import dev.regions.Region;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What a {@code malloc} + {@code free} pair costs native code through a region's
 * {@link NativeHeap} (issue 20): each pair is two calls of the heap's function pointers, made
 * through downcalls, as C makes them, so each call is a downcall into the stub and an upcall back
 * into Java. Peers in the same run: libc's {@code malloc} and {@code free} through the same kind of
 * downcall (no upcall), and the floor: a pair of calls of <em>empty</em> upcall stubs of the same
 * signatures (what any Java allocator handed to C pays before doing anything). 64-byte pieces;
 * ns per pair.
 *
 * <pre>java -jar regions-bench/target/benchmarks.jar '\.NativeCallBench\.' -f 2 -wi 3 -w 1s -i 5 -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS,
        ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
public class NativeCallBench {
    private static final long SIZE = 64;
    private static final FunctionDescriptor MALLOC = FunctionDescriptor.of(ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor FREE = FunctionDescriptor.ofVoid(ADDRESS);
    private static final MemorySegment DUMMY = MemorySegment.ofAddress(16);

    private Region region;
    private MethodHandle regionMalloc, regionFree, libcMalloc, libcFree, emptyMalloc, emptyFree;

    @Setup(Level.Trial)
    public void setUp() throws ReflectiveOperationException {
        Linker linker = Linker.nativeLinker();
        region = Region.ofConfined();
        NativeHeap heap = region.nativeHeap();
        regionMalloc = linker.downcallHandle(heap.malloc(), MALLOC);
        regionFree = linker.downcallHandle(heap.free(), FREE);
        libcMalloc = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(), MALLOC);
        libcFree = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(), FREE);
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MemorySegment emptyMallocStub = linker.upcallStub(lookup.findStatic(NativeCallBench.class, "emptyMalloc",
                MethodType.methodType(MemorySegment.class, long.class)), MALLOC, Arena.global());
        MemorySegment emptyFreeStub = linker.upcallStub(lookup.findStatic(NativeCallBench.class, "emptyFree",
                MethodType.methodType(void.class, MemorySegment.class)), FREE, Arena.global());
        emptyMalloc = linker.downcallHandle(emptyMallocStub, MALLOC);
        emptyFree = linker.downcallHandle(emptyFreeStub, FREE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        region.close();
    }

    static MemorySegment emptyMalloc(long size) {
        return DUMMY;
    }

    static void emptyFree(MemorySegment address) {
    }

    @Benchmark
    public void regionHeap() throws Throwable {
        MemorySegment p = (MemorySegment) regionMalloc.invokeExact(SIZE);
        regionFree.invokeExact(p);
    }

    @Benchmark
    public void libc() throws Throwable {
        MemorySegment p = (MemorySegment) libcMalloc.invokeExact(SIZE);
        libcFree.invokeExact(p);
    }

    @Benchmark
    public void emptyUpcalls() throws Throwable {
        MemorySegment p = (MemorySegment) emptyMalloc.invokeExact(SIZE);
        emptyFree.invokeExact(p);
    }
}
