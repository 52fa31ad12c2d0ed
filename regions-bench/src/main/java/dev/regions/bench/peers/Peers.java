package dev.regions.bench.peers;

import dev.regions.Region;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.List;

/**
 * The peers by name: the names a benchmark's {@code @Param} and the space benchmark use, and the
 * one place that builds each. Every call builds a fresh allocator.
 */
public final class Peers {
    /** {@code Region.ofConfined()}: zeroing, as users get it. */
    public static final String REGIONS_CONFINED = "regions-confined";
    /** A confined region built with {@code zeroing(false)}. */
    public static final String REGIONS_CONFINED_NOZERO = "regions-confined-nozero";
    /** {@code Region.ofShared()}. */
    public static final String REGIONS_SHARED = "regions-shared";
    /** A confined region in checked mode ({@code Region.builder().checked(true)}): guards, ids, sampled sites. */
    public static final String REGIONS_CHECKED = "regions-checked";
    /** A confined region in bump mode ({@code Region.builder().bump(true)}): no per-piece free. */
    public static final String REGIONS_BUMP = "regions-bump";
    /** {@code Arena.ofConfined()} per piece. */
    public static final String ARENA_PER_PIECE = "arena-per-piece";
    /** One {@code Arena.ofConfined()} per round. */
    public static final String ARENA_CONFINED_ROUND = "arena-confined-round";
    /** One {@code Arena.ofShared()} per round. */
    public static final String ARENA_SHARED_ROUND = "arena-shared-round";
    /** {@code SegmentAllocator.slicingAllocator} over a segment allocated up front. */
    public static final String SLICING = "slicing";
    /** malloc/free, plain downcalls. */
    public static final String MALLOC = "malloc";
    /** malloc/free, critical downcalls. */
    public static final String MALLOC_CRITICAL = "malloc-critical";
    /** Netty's {@code PooledByteBufAllocator}, direct buffers. */
    public static final String NETTY_POOLED = "netty-pooled";
    /** Netty's {@code AdaptiveByteBufAllocator}, direct buffers. */
    public static final String NETTY_ADAPTIVE = "netty-adaptive";
    /** Arrow's {@code RootAllocator}. */
    public static final String ARROW = "arrow";
    /** The seed design: malloc per piece with a linked header. */
    public static final String SEED = "seed";
    /** W1's calibration floor: a bare Java free list of segments, nothing checked (pieces up to 256 bytes). */
    public static final String FLOOR = "floor";
    /** The floor, with every piece zero-filled by {@code MemorySegment.fill}. */
    public static final String FLOOR_ZEROING = "floor-zeroing";

    /** Room for one round of 100,000 pieces of up to 256 bytes at 16-byte alignment (27 MB). */
    static final long SLICING_CAPACITY = 32L << 20;

    /** Every peer. */
    public static final List<String> ALL = List.of(
            REGIONS_CONFINED, REGIONS_CONFINED_NOZERO, REGIONS_SHARED, REGIONS_BUMP, REGIONS_CHECKED,
            ARENA_PER_PIECE, ARENA_CONFINED_ROUND, ARENA_SHARED_ROUND, SLICING,
            MALLOC, MALLOC_CRITICAL, NETTY_POOLED, NETTY_ADAPTIVE, ARROW, SEED);

    /** W1's calibration floors: not allocators a user could pick (no checks, 256 bytes at most, a fixed capacity). */
    public static final List<String> CALIBRATION = List.of(FLOOR, FLOOR_ZEROING);

    /** The peers that free one piece at a time (the others release only all at once). */
    public static final List<String> FREE_ONE = List.of(
            REGIONS_CONFINED, REGIONS_CONFINED_NOZERO, REGIONS_SHARED, REGIONS_CHECKED, ARENA_PER_PIECE,
            MALLOC, MALLOC_CRITICAL, NETTY_POOLED, NETTY_ADAPTIVE, ARROW, SEED);

    private Peers() {
    }

    /**
     * Builds a fresh allocator.
     *
     * @param name one of the names above
     * @return the allocator, owned by the caller (confined ones by the calling thread)
     * @throws IllegalArgumentException for an unknown name
     */
    public static PieceAllocator create(String name) {
        return switch (name) {
            case REGIONS_CONFINED -> new RegionAllocator(Region.ofConfined());
            case REGIONS_CONFINED_NOZERO -> new RegionAllocator(Region.builder().zeroing(false).build());
            case REGIONS_SHARED -> new RegionAllocator(Region.ofShared());
            case REGIONS_BUMP -> new RegionAllocator(Region.builder().bump(true).build());
            case REGIONS_CHECKED -> new RegionAllocator(Region.builder().checked(true).build());
            case ARENA_PER_PIECE -> new ArenaPerPieceAllocator();
            case ARENA_CONFINED_ROUND -> new ArenaRoundAllocator(false);
            case ARENA_SHARED_ROUND -> new ArenaRoundAllocator(true);
            case SLICING -> new SlicingAllocator(SLICING_CAPACITY);
            case MALLOC -> new MallocAllocator();
            case MALLOC_CRITICAL -> new CriticalMallocAllocator();
            case NETTY_POOLED -> new NettyAllocator(new PooledByteBufAllocator(true));
            case NETTY_ADAPTIVE -> new NettyAllocator(new AdaptiveByteBufAllocator());
            case ARROW -> new ArrowAllocator();
            case SEED -> new SeedAllocator();
            case FLOOR -> new FloorAllocator(false);
            case FLOOR_ZEROING -> new FloorAllocator(true);
            default -> throw new IllegalArgumentException("unknown peer " + name + "; known: " + ALL);
        };
    }
}
