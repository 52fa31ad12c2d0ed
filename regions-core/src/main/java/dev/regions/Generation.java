package dev.regions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One generation of a region: a JDK arena whose scope every piece of the generation is bound to.
 * Ending the generation closes the arena, which kills every piece at once (and runs the cleanup
 * actions users bound to it) before any byte goes back to a source: that is how a reset or close
 * makes stale pieces throw {@link IllegalStateException} instead of touching freed memory.
 *
 * <p>Memory is bound to a generation with {@code MemorySegment.reinterpret}, a restricted method:
 * chunks outlive generations (a reset keeps them), so their addresses are re-bound to each new
 * generation's scope.
 *
 * <p>A merge moves whole generations to the destination heap ({@link #owner} changes); they end
 * when the destination resets or closes. Per-generation live figures let a reset that could end
 * only some generations (one was in use by a downcall) keep its statistics exact.
 */
final class Generation extends Padded {
    final Arena arena;
    final MemorySegment.Scope scope;
    /**
     * The heap that may free this generation's pieces; null once the generation ended, so that a
     * stale directory entry can never pass the owner check. Changed by merge (under both heaps'
     * guards) and by reset/close.
     */
    Heap owner;
    long liveBytes;
    long liveCount;
    /** The part of the live figures that are bump-mode pieces, which have no page or block to count them. */
    long bumpBytes;
    long bumpCount;

    /**
     * A generation of {@code owner} on {@code arena}. The lanes of a shared region each have a
     * generation on the same arena, so that all its pieces share one scope; whichever lane ends
     * first closes the arena, and the others find it closed.
     */
    Generation(Heap owner, Arena arena) {
        this.owner = owner;
        this.arena = arena;
        this.scope = arena.scope();
    }

    boolean isAlive() {
        return scope.isAlive();
    }

    /** A segment over {@code byteSize} bytes at {@code address}, alive as long as this generation. */
    @SuppressWarnings("restricted") // the one place a region turns an address into a segment
    MemorySegment bind(long address, long byteSize) {
        try {
            return MemorySegment.ofAddress(address).reinterpret(byteSize, arena, null);
        } catch (IllegalCallerException e) {
            throw new IllegalCallerException("a region binds its memory to its scope with"
                    + " MemorySegment.reinterpret, which needs native access: run with"
                    + " --enable-native-access=dev.regions (module path) or --enable-native-access=ALL-UNNAMED"
                    + " (class path)", e);
        }
    }
}
