package dev.regions.bench;

import dev.regions.Region;

import org.openjdk.jmh.infra.IterationParams;

import java.lang.foreign.Arena;

/** What the W5 benchmarks share: the two kinds, building and filling a region or an arena. */
final class Merges {
    static final String CONFINED = "confined";
    static final String SHARED = "shared";
    /** Untimed calls in a trial setup, so that the timed single shots run compiled code. */
    static final int JIT_WARMUP = 20_000;

    private Merges() {
    }

    /**
     * The calls in this single shot: JMH divides a single shot's time by the operations per
     * invocation, which the W5 benchmarks set to {@link MergeBench#BATCH}, so the batch size must
     * be exactly that.
     */
    static int batch(IterationParams iteration) {
        int calls = iteration.getBatchSize();
        if (calls != MergeBench.BATCH) {
            throw new IllegalArgumentException("W5 benchmarks time single shots of " + MergeBench.BATCH
                    + " calls (ops per invocation); do not change the batch size (-bs " + calls + ")");
        }
        return calls;
    }

    static Region region(String kind) {
        return switch (kind) {
            case CONFINED -> Region.ofConfined();
            case SHARED -> Region.ofShared();
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    static Arena arena(String kind) {
        return switch (kind) {
            case CONFINED -> Arena.ofConfined();
            case SHARED -> Arena.ofShared();
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    /** Allocates one piece of each size in the arena (a region is an arena too). */
    static <A extends Arena> A filled(A arena, int[] sizes) {
        for (int size : sizes) {
            arena.allocate(size);
        }
        return arena;
    }
}
