package dev.regions.internal.source;

import dev.regions.MemorySource;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

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
 * {@link #release}, whose blocks are tracked by {@link OutstandingBlocks}: releasing a piece, a forged
 * address or a block twice throws instead of corrupting the C heap, and a released block can no
 * longer be touched. That check costs a shared-arena close per release, so the public door is
 * for occasional blocks, not a hot path.
 *
 * <p>{@code aligned_alloc} is asked for a size rounded up to a multiple of the alignment, as C11
 * requires; the segment handed back still has the requested size.
 *
 * <p><b>The first blocks of a process.</b> Making the downcall handles is the linker's first use in
 * most processes: it spins classes and native stubs, tens of milliseconds, which used to be the
 * largest part of a process's first {@code allocate}. So the first call that needs them starts a
 * daemon thread ({@value #MAKER}) that makes them, and until they are made, a block of up to
 * {@value #EARLY_MAX} bytes is an <em>early block</em>: the one allocation of a shared JDK arena
 * of its own (the JDK's {@code malloc}, without a downcall), released by closing that arena. The
 * source remembers them by address ({@link #early}), so that {@link #releaseRaw} frees each where
 * it came from; a larger block, or any block once the handles exist, is {@code malloc}'s. A
 * thread that fails to make the handles leaves it to the next caller, who gets its exception.
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
    /** Whether the handles are being made by {@link #MAKER} (or were, and it failed). */
    private boolean making; // under this

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

    // ---------------------------------------------------------------- the first blocks of a process

    /** The thread that makes the handles off the first caller's path. */
    private static final String MAKER = "regions-malloc-linker";
    /** Blocks up to this size may be early blocks; a larger one waits for the handles. */
    static final long EARLY_MAX = 1 << 20;
    /** Early blocks not yet released: address to the shared arena that holds the block. */
    private final ConcurrentHashMap<Long, Arena> early = new ConcurrentHashMap<>();

    /** Set by {@link MakeHandles} if it could not make the handles. */
    private volatile boolean makerFailed;

    /**
     * The handles if they are made; else null, once a daemon thread is making them; else (that
     * thread failed) the handles made on this thread, or its exception.
     */
    private Handles handlesOrMaker() {
        Handles h = handles;
        if (h != null) {
            return h;
        }
        synchronized (this) {
            if (!making) {
                making = true;
                Thread maker = new Thread(new MakeHandles(), MAKER); // not a lambda: no bootstrap on this path
                maker.setDaemon(true);
                maker.start();
                return null;
            }
        }
        return makerFailed ? handles() : handles;
    }

    private final class MakeHandles implements Runnable {
        @Override
        public void run() {
            try {
                handles();
            } catch (Throwable e) {
                makerFailed = true; // the next caller makes them itself, and gets the exception
            }
        }
    }

    /** A block from a shared JDK arena of its own, while the handles are being made. */
    @SuppressWarnings("restricted")
    private MemorySegment allocateEarly(long byteSize, long byteAlignment) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment block = arena.allocate(Math.max(1, byteSize), Math.max(byteAlignment, MALLOC_ALIGNMENT));
            early.put(block.address(), arena);
            return MemorySegment.ofAddress(block.address()).reinterpret(byteSize);
        } catch (Throwable e) {
            arena.close();
            throw e;
        }
    }

    /** Releases {@code block} if it is an early block; returns whether it was. */
    private boolean releaseEarly(MemorySegment block) {
        Arena arena = early.remove(block.address());
        if (arena == null) {
            return false;
        }
        arena.close();
        return true;
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

    /**
     * A bare {@code malloc}: a block in the global scope, for a region's own use only. Before the
     * handles are made, a block of up to {@value #EARLY_MAX} bytes is an early block (see the class
     * comment).
     */
    @Override
    @SuppressWarnings("restricted")
    public MemorySegment allocateRaw(long byteSize, long byteAlignment) {
        Handles h = handles;
        if (h == null) {
            h = byteSize <= EARLY_MAX ? handlesOrMaker() : handles();
            if (h == null) {
                return allocateEarly(byteSize, byteAlignment);
            }
        }
        long size = Math.max(1, byteSize);
        MemorySegment address;
        try {
            if (byteAlignment <= MALLOC_ALIGNMENT) {
                address = (MemorySegment) h.malloc().invokeExact(size);
            } else {
                long rounded = (size + byteAlignment - 1) & -byteAlignment;
                if (rounded < size) {
                    throw Refusals.tooLarge(byteSize, byteAlignment);
                }
                address = (MemorySegment) h.alignedAlloc().invokeExact(byteAlignment, rounded);
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
        if (!early.isEmpty() && releaseEarly(block)) {
            return;
        }
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
