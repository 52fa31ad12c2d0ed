package dev.regions.internal.util;

import dev.regions.LimitExceededException;
import dev.regions.MemorySource;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks and the construction of every exception a region throws, gathered in one
 * place (as the JDK's {@code MemorySessionImpl.alreadyClosed()}/{@code wrongThread()} are) so
 * that messages stay uniform: each names the region, what was wrong, and what was expected.
 */
public final class Refusals {
    private Refusals() {
    }

    /** {@link MemorySegment#NULL} (or an equal segment), which free ignores as the original ignored a NULL pointer. */
    public static boolean isNull(MemorySegment piece) {
        return piece.address() == 0 && piece.byteSize() == 0 && piece.isNative();
    }

    public static void sizeAndAlignment(long byteSize, long byteAlignment) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("invalid allocation size: " + byteSize + " (must be >= 0)");
        }
        if (byteAlignment <= 0 || (byteAlignment & (byteAlignment - 1)) != 0) {
            throw new IllegalArgumentException(
                    "invalid alignment: " + byteAlignment + " (must be a power of two)");
        }
    }

    public static long limit(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("invalid limit: " + bytes + " (must be >= 0; 0 means no limit)");
        }
        return bytes;
    }

    public static IllegalStateException closed(String region) {
        return new IllegalStateException("region '" + region + "' is closed");
    }

    public static IllegalStateException busy(String region, String doing) {
        return new IllegalStateException("region '" + region + "' " + doing);
    }

    public static WrongThreadException wrongThread(String region, Thread owner) {
        return new WrongThreadException("region '" + region + "' is confined to thread '" + owner.getName()
                + "', called from thread '" + Thread.currentThread().getName() + "'");
    }

    public static LimitExceededException limitExceeded(String region, String what, long bytes, long live, long limit) {
        return new LimitExceededException(what + " of " + bytes + " bytes would take region '" + region
                + "' to " + (live + bytes) + " live bytes, over its limit of " + limit
                + " (it holds " + live + ")");
    }

    public static IllegalArgumentException notAPiece(String region, MemorySegment piece, String why) {
        return new IllegalArgumentException("cannot free " + piece + " in region '" + region + "': " + why);
    }

    /** {@code pieceAt} found no live piece of the region at {@code address}. */
    public static IllegalArgumentException noPieceAt(String region, long address, String why) {
        return new IllegalArgumentException("no live piece of region '" + region + "' starts at address 0x"
                + Long.toHexString(address) + ": " + why);
    }

    /** A refusal of {@code free}'s checks, reworded for another operation on the piece ("reallocate"). */
    public static IllegalArgumentException reworded(IllegalArgumentException refusal, String verb) {
        String message = refusal.getMessage();
        return message != null && message.startsWith("cannot free ")
                ? new IllegalArgumentException("cannot " + verb + message.substring("cannot free".length()), refusal)
                : refusal;
    }

    public static LimitExceededException grossLimitExceeded(String region, long bytes, long gross, long limit) {
        return new LimitExceededException("taking a block of " + bytes + " bytes from the source would take region '"
                + region + "' to " + (gross + bytes) + " gross bytes, over its gross limit of " + limit
                + " (it holds " + gross + ")");
    }

    public static IllegalStateException badSource(MemorySource source, MemorySegment block, long byteSize,
            long byteAlignment) {
        return new IllegalStateException("memory source " + source + " returned " + block + " for a request of "
                + byteSize + " bytes aligned to " + byteAlignment + " (expected a writable native segment at least"
                + " that large, at an aligned address, in a scope that is alive)");
    }

    public static UnsupportedOperationException bumpFree(String region) {
        return new UnsupportedOperationException("region '" + region + "' is in bump mode: its pieces cannot be"
                + " freed one by one; reset() or close() releases them all");
    }

    public static IllegalCallerException noNativeAccess(IllegalCallerException cause) {
        return new IllegalCallerException("a region binds its memory to its scope with MemorySegment.reinterpret,"
                + " which needs native access: run with --enable-native-access=dev.regions (module path) or"
                + " --enable-native-access=ALL-UNNAMED (class path)", cause);
    }

    /** {@code first}, with {@code next} added as suppressed; whichever is not null if one is. */
    public static Throwable addFailure(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (next != null && next != first) {
            first.addSuppressed(next);
        }
        return first;
    }

    /** Throws {@code failure} if there is one: unchecked as it is, a checked one (thrown sneakily) wrapped. */
    public static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("a cleanup action or memory source threw " + failure, failure);
        }
    }

    public static UnsupportedOperationException notChecked(String region, String what) {
        return new UnsupportedOperationException("region '" + region + "' is not checked: it keeps no record of its"
                + " pieces for " + what + "() (build it with Region.Builder.checked(true), or run with"
                + " -Dregions.checked=true)");
    }

    public static OutOfMemoryError tooLarge(long byteSize, long byteAlignment) {
        return new OutOfMemoryError("cannot allocate " + byteSize + " bytes aligned to " + byteAlignment
                + ": the block it needs is larger than any a source can give");
    }
}
