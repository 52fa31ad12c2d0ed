package dev.regions.support;

import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.internal.Invariants;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fixture of {@code MisuseTest}: the region under test, holding five live pieces filled with
 * known bytes, plus every other region and arena a case makes (all on one {@link TrackingSource},
 * all closed at the end, after which the source must have every block back); and the checks that
 * a misuse changed nothing: the figures and limit of every region involved, the bytes of the live
 * pieces, the internal invariants, and that the region still works (or, once closed, stays
 * readable).
 */
public final class MisuseFixture implements AutoCloseable {

    /** The kind of the region under test. */
    public enum Kind {
        CONFINED, SHARED;

        public Region.Builder builder() {
            return Region.builder().shared(this == SHARED);
        }

        public Kind other() {
            return this == CONFINED ? SHARED : CONFINED;
        }

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    /** A region's figures and limit: what a misuse must leave as it was. */
    public record Snapshot(RegionStats stats, long limit) {
    }

    private record Piece(MemorySegment segment, byte fill) {
    }

    public final Kind kind;
    public final TrackingSource source = new TrackingSource();
    public final Region region;
    public MemorySegment small;   // 24 bytes
    public MemorySegment aligned; // 100 bytes aligned to 64
    public MemorySegment empty;   // 0 bytes
    public MemorySegment large;   // 20,000 bytes
    public MemorySegment huge;    // 100,000 bytes aligned to 4096
    public boolean closed;

    private final List<Piece> live = new ArrayList<>();
    private final Map<String, Region> watched = new LinkedHashMap<>();
    private final List<Region> mine = new ArrayList<>();
    private final List<Region> elsewhereRegions = new ArrayList<>();
    private final List<AutoCloseable> arenas = new ArrayList<>();
    private ExecutorService elsewhere;

    public MisuseFixture(Kind kind) {
        this.kind = kind;
        this.region = kind.builder().name("under-test").source(source).build();
        watched.put("region under test", region);
        allocateFixturePieces();
    }

    public void allocateFixturePieces() {
        small = keep(region.allocate(24), 1);
        aligned = keep(region.allocate(100, 64), 2);
        empty = keep(region.allocate(0), 0);
        large = keep(region.allocate(20_000), 3);
        huge = keep(region.allocate(100_000, 4096), 4);
    }

    /** Fills a live piece with {@code fill} and remembers it, to check its bytes survive. */
    public MemorySegment keep(MemorySegment piece, int fill) {
        piece.fill((byte) fill);
        live.add(new Piece(piece, (byte) fill));
        return piece;
    }

    public void freeLegit(MemorySegment piece) {
        region.free(piece);
        live.removeIf(p -> p.segment() == piece);
    }

    public void resetLegit() {
        region.reset();
        live.removeIf(p -> !p.segment().scope().isAlive());
    }

    public void closeLegit() {
        region.close();
        closed = true;
        live.removeIf(p -> !p.segment().scope().isAlive());
    }

    /** Another region of the same kind, owned by this thread, on the same source. */
    public Region another() {
        return track(kind.builder().name("other-" + watched.size()).source(source).build());
    }

    public Region anotherOfOtherKind() {
        return track(kind.other().builder().name("other-kind-" + watched.size()).source(source).build());
    }

    /** A confined region built by another thread, holding a live piece. */
    public Region confinedElsewhere() throws Throwable {
        Region r = onOtherThread(() -> {
            Region built = Region.builder().name("elsewhere").source(source).build();
            built.allocate(24).fill((byte) 8);
            return built;
        });
        elsewhereRegions.add(r);
        watched.put("region confined to another thread", r);
        return r;
    }

    private Region track(Region r) {
        mine.add(r);
        watched.put(r.name(), r);
        return r;
    }

    public <A extends AutoCloseable> A closeLater(A arena) {
        arenas.add(arena);
        return arena;
    }

    /** Runs {@code task} on a second thread (the same one every time) and rethrows what it threw. */
    public <T> T onOtherThread(Callable<T> task) throws Throwable {
        if (elsewhere == null) {
            elsewhere = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
        }
        try {
            return elsewhere.submit(task).get();
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    public Map<String, Snapshot> snapshot() {
        Map<String, Snapshot> s = new LinkedHashMap<>();
        watched.forEach((name, r) -> s.put(name, new Snapshot(r.stats(), r.limit())));
        return s;
    }

    public Map<String, String> validation() {
        Map<String, String> v = new LinkedHashMap<>();
        watched.forEach((name, r) -> v.put(name, Invariants.check(r)));
        return v;
    }

    public void assertValid() {
        watched.forEach((name, r) ->
                assertThat(Invariants.check(r)).as("invariants of %s", name).isNull());
    }

    public void assertPiecesIntact() {
        for (Piece p : live) {
            MemorySegment s = p.segment();
            for (long i = 0; i < s.byteSize(); i += Math.max(1, s.byteSize() / 64)) {
                assertThat(s.get(JAVA_BYTE, i)).as("byte %d of live piece %s", i, s).isEqualTo(p.fill());
            }
            if (s.byteSize() > 0) {
                assertThat(s.get(JAVA_BYTE, s.byteSize() - 1)).as("last byte of live piece %s", s)
                        .isEqualTo(p.fill());
            }
        }
    }

    public void assertClosedButReadable() {
        assertThat(region.scope().isAlive()).isFalse();
        assertThat(region.stats().liveBytes()).isZero();
        assertThat(region.name()).isEqualTo("under-test");
        assertThat(region.limit()).isGreaterThanOrEqualTo(0);
    }

    /** Allocate (small and large), write, free, reset: the region works as if nothing happened. */
    public void assertStillWorks() {
        region.setLimit(0);
        RegionStats s0 = region.stats();
        MemorySegment p = region.allocate(40);
        MemorySegment q = region.allocate(30_000, 64);
        assertThat(p.get(JAVA_LONG, 0)).as("a new piece is zero-filled").isZero();
        assertThat(q.get(JAVA_LONG, 29_992)).as("a new piece is zero-filled").isZero();
        p.fill((byte) 0x5A);
        q.fill((byte) 0x5B);
        RegionStats s1 = region.stats();
        assertThat(s1.liveBytes()).isEqualTo(s0.liveBytes() + 30_040);
        assertThat(s1.liveCount()).isEqualTo(s0.liveCount() + 2);
        assertThat(s1.allocations()).isEqualTo(s0.allocations() + 2);
        assertPiecesIntact();
        assertThat(p.get(JAVA_BYTE, 39)).isEqualTo((byte) 0x5A);
        assertThat(q.get(JAVA_BYTE, 29_999)).isEqualTo((byte) 0x5B);
        region.free(p);
        region.free(q);
        RegionStats s2 = region.stats();
        assertThat(s2.liveBytes()).isEqualTo(s0.liveBytes());
        assertThat(s2.liveCount()).isEqualTo(s0.liveCount());
        assertThat(s2.frees()).isEqualTo(s0.frees() + 2);
        assertThat(Invariants.check(region)).isNull();

        MemorySegment.Scope generation = region.scope();
        List<Piece> ours = live.stream().filter(x -> x.segment().scope().equals(generation)).toList();
        region.reset();
        live.removeAll(ours);
        RegionStats s3 = region.stats();
        assertThat(s3.liveBytes()).isZero();
        assertThat(s3.liveCount()).isZero();
        assertThat(Invariants.check(region)).isNull();
        for (Piece x : ours) {
            assertThat(x.segment().scope().isAlive()).as("a piece from before the reset is dead").isFalse();
            if (x.segment().byteSize() > 0) {
                assertThatThrownBy(() -> x.segment().get(JAVA_BYTE, 0))
                        .as("touching a piece from before the reset").isInstanceOf(IllegalStateException.class);
            }
        }
        MemorySegment r = region.allocate(16);
        r.set(JAVA_LONG, 8, 42L);
        assertThat(r.get(JAVA_LONG, 8)).isEqualTo(42L);
        assertThat(region.stats().liveCount()).isEqualTo(1);
    }

    @Override
    public void close() {
        try {
            if (region.scope().isAlive()) {
                region.close();
            }
            for (Region r : mine) {
                if (r.scope().isAlive()) {
                    r.close();
                }
            }
            for (AutoCloseable a : arenas) {
                a.close();
            }
            if (!elsewhereRegions.isEmpty()) {
                elsewhere.submit(() -> {
                    for (Region r : elsewhereRegions) {
                        if (r.scope().isAlive()) {
                            r.close();
                        }
                    }
                    return null;
                }).get();
            }
        } catch (Exception e) {
            throw new AssertionError("closing the fixture's regions failed", e);
        } finally {
            if (elsewhere != null) {
                elsewhere.shutdownNow();
            }
        }
        assertThat(source.outstanding()).as("blocks not returned to the source after closing everything")
                .isZero();
    }
}
