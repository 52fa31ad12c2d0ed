package dev.regions.internal.source;

import dev.regions.MemorySource;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * {@link MemorySource#malloc()}: the C library's {@code malloc}, {@code aligned_alloc} and
 * {@code free} through {@link Linker} downcalls. The C library is thread-safe, so this source
 * needs no lock. The handles are made on first use, so a program that never touches this source
 * never needs native access for it, and one that lacks native access gets an
 * {@link IllegalCallerException} that says how to grant it. It is called once per block (a large
 * piece has one of its own), never per small piece, so the handles need not be constants.
 *
 * <p>Two doors. Regions use the {@link RawSource} one: a bare {@code malloc} and {@code free},
 * whose blocks never leave the region. Anyone else gets the public {@link #allocate}/
 * {@link #release}, whose blocks are guarded by {@link OutstandingBlocks}: releasing a piece, a forged
 * address or a block twice throws instead of corrupting the C heap, and a released block can no
 * longer be touched. That check costs a shared-arena close per release, so the public door is
 * for occasional blocks, not a hot path.
 *
 * <p>{@code aligned_alloc} is asked for a size rounded up to a multiple of the alignment, as C11
 * requires; the segment handed back still has the requested size.
 */
public final class MallocSource implements MemorySource, RawSource {
    public static final MallocSource INSTANCE = new MallocSource();


    /** malloc's own alignment on 64-bit platforms. */
    private static final long MALLOC_ALIGNMENT = 16;

    private final OutstandingBlocks blocks = new OutstandingBlocks(toString());

    private MallocSource() {
    }

    /** The downcall handles, made on first use (a restricted operation). */
    private record Handles(MethodHandle malloc, MethodHandle alignedAlloc, MethodHandle free) {
        @SuppressWarnings("restricted")
        static Handles make() {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            return new Handles(
                    linker.downcallHandle(libc.find("malloc").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
                    linker.downcallHandle(libc.find("aligned_alloc").orElseThrow(),
                            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG)),
                    linker.downcallHandle(libc.find("free").orElseThrow(),
                            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)));
        }
    }

    private volatile Handles handles;

    private Handles handles() {
        Handles h = handles;
        if (h == null) {
            try {
                handles = h = Handles.make();
            } catch (IllegalCallerException e) {
                throw new IllegalCallerException("MemorySource.malloc() calls the C library through Linker downcalls,"
                        + " which need native access: run with --enable-native-access=dev.regions (module path)"
                        + " or --enable-native-access=ALL-UNNAMED (class path), or use MemorySource.jdk()", e);
            }
        }
        return h;
    }

    @Override
    @SuppressWarnings("restricted")
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Refusals.sizeAndAlignment(byteSize, byteAlignment);
        return blocks.allocate(byteSize, arena -> {
            MemorySegment raw = allocateRaw(byteSize, byteAlignment);
            try {
                return raw.reinterpret(byteSize, arena, this::releaseRaw);
            } catch (RuntimeException | Error e) {
                releaseRaw(raw);
                throw e;
            }
        });
    }

    @Override
    public void release(MemorySegment block) {
        blocks.release(Objects.requireNonNull(block, "block"));
    }

    /** A bare {@code malloc}: a block in the global scope, for a region's own use only. */
    @Override
    @SuppressWarnings("restricted")
    public MemorySegment allocateRaw(long byteSize, long byteAlignment) {
        long size = Math.max(1, byteSize);
        MemorySegment address;
        try {
            if (byteAlignment <= MALLOC_ALIGNMENT) {
                address = (MemorySegment) handles().malloc().invokeExact(size);
            } else {
                long rounded = (size + byteAlignment - 1) & -byteAlignment;
                if (rounded < size) {
                    throw Refusals.tooLarge(byteSize, byteAlignment);
                }
                address = (MemorySegment) handles().alignedAlloc().invokeExact(byteAlignment, rounded);
            }
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (address.address() == 0) {
            throw new OutOfMemoryError("malloc could not allocate " + byteSize + " bytes aligned to " + byteAlignment);
        }
        return address.reinterpret(byteSize);
    }

    /** A bare {@code free} of a block from {@link #allocateRaw}. */
    @Override
    public void releaseRaw(MemorySegment block) {
        try {
            handles().free().invokeExact(block);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public String toString() {
        return "MemorySource.malloc()";
    }
}
