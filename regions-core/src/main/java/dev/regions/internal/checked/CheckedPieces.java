package dev.regions.internal.checked;

import dev.regions.MemoryCorruptionException;
import dev.regions.PieceInfo;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.lane.CheckedMode;
import dev.regions.internal.lane.Generation;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.stats.Ledger;
import dev.regions.internal.stats.PieceNote;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The checked mode of one lane: the original's debug layer ({@code testalloc.c}: an id per
 * piece, a guard byte after each, a check that a pointer is a live piece, a leak report), done
 * with what the FFM API offers.
 *
 * <pre>
 *   raw piece (a piece of the lane, as any other):
 *   | front guard: max(16, alignment) bytes | the piece: byteSize bytes | back guard: 16 bytes |
 *     each guard byte is {@value #GUARD_HEX}        bound to an arena of its own
 * </pre>
 *
 * <ul>
 * <li><b>A scope per piece.</b> The piece handed out is the middle of the raw piece, bound to an
 *     arena of its own (confined or shared as the region). {@code free} closes that arena, so
 *     touching a freed piece throws {@link IllegalStateException}, and a stale piece, a piece
 *     freed twice or a slice of one is always told apart from a live piece: a live piece is found
 *     by its scope ({@link #live}), and no scope is ever reused.
 * <li><b>Guards</b> are filled when a piece is made and checked at its free, at
 *     {@code verify}, reset and close: the first byte found changed is reported
 *     ({@link MemoryCorruptionException}) with the piece's id, size, address, the byte's offset
 *     and the allocation site.
 * <li><b>Records</b>: an id, the birth time and (sampled: see {@code recordSites}) the allocation
 *     site of every live piece, for {@code livePieces} and the leak report.
 * </ul>
 * The lane counts the piece's own size in its stats and limit, never the guards (they count in
 * the gross bytes, like any overhead). Used only under the lane's access.
 */
public final class CheckedPieces implements CheckedMode {

    static final byte GUARD = (byte) 0xFD;
    private static final String GUARD_HEX = "0xFD";
    static final long BACK_GUARD = 16;
    private static final AtomicLong IDS = new AtomicLong();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** One live piece of a checked lane. */
    public static final class Record {
        final long id;
        public final long byteSize;
        final long front;
        final MemorySegment raw;
        final Arena arena;
        final MemorySegment piece;
        final StackTraceElement site;
        final PieceNote note;

        Record(long id, long byteSize, long front, MemorySegment raw, Arena arena, MemorySegment piece,
                StackTraceElement site) {
            this.id = id;
            this.byteSize = byteSize;
            this.front = front;
            this.raw = raw;
            this.arena = arena;
            this.piece = piece;
            this.site = site;
            this.note = new PieceNote(id, byteSize, piece.address(), site);
        }

        PieceInfo info(long now) {
            return note.info(now);
        }
    }

    private final Lane lane;
    private final boolean shared;
    private final int siteEvery;
    /** The live pieces by their scope, in allocation order. */
    public final Map<MemorySegment.Scope, Record> live = new LinkedHashMap<>();
    /** The live pieces by their address and by their raw piece's address (for {@code pieceAt}). */
    final Map<Long, Record> byAddress = new java.util.HashMap<>();
    private long sampled;

    public CheckedPieces(Lane lane, boolean shared, int siteEvery) {
        this.lane = lane;
        this.shared = shared;
        this.siteEvery = siteEvery;
    }

    /** The checked records of {@code lane}, which must have some. */
    public static CheckedPieces of(Lane lane) {
        return (CheckedPieces) lane.checked;
    }

    @Override
    public CheckedPieces forLane(Lane lane) {
        return new CheckedPieces(lane, shared, siteEvery);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        long front = Math.max(SizeClasses.UNIT, byteAlignment);
        long rawSize = front + byteSize + BACK_GUARD;
        if (rawSize < byteSize) {
            throw Refusals.tooLarge(byteSize, byteAlignment);
        }
        MemorySegment raw = lane.allocateRaw(rawSize, front, byteSize);
        Arena arena = null;
        try {
            raw.asSlice(0, front).fill(GUARD);
            raw.asSlice(front + byteSize, BACK_GUARD).fill(GUARD);
            arena = shared ? Arena.ofShared() : Arena.ofConfined();
            lane.generations.current.anchor(arena);
            MemorySegment piece = bind(raw.address() + front, byteSize, arena);
            Record record = new Record(IDS.incrementAndGet(), byteSize, front, raw, arena, piece,
                    ++sampled % siteEvery == 0 ? site() : null);
            live.put(arena.scope(), record);
            byAddress.put(piece.address(), record);
            byAddress.put(raw.address(), record);
            notes().add(record.note);
            if (RegionEvents.recorder()) {
                RegionEvents.PieceAllocated e = new RegionEvents.PieceAllocated();
                if (e.isEnabled()) {
                    e.region = lane.name;
                    e.id = record.id;
                    e.bytes = byteSize;
                    e.commit();
                }
            }
            return piece;
        } catch (Throwable e) {
            if (arena != null) {
                arena.close();
            }
            lane.freeRaw(raw, byteSize);
            throw e;
        }
    }

    @SuppressWarnings("restricted") // the middle of a raw piece of this lane, bound to the piece's own arena
    private static MemorySegment bind(long address, long byteSize, Arena arena) {
        return MemorySegment.ofAddress(address).reinterpret(byteSize, arena, null);
    }

    /** The first caller outside Regions' engine and the JDK's FFM implementation. */
    private static StackTraceElement site() {
        return WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("dev.regions.internal.")
                        && !f.getClassName().equals("dev.regions.Region")
                        && !f.getClassName().startsWith("java.lang.foreign.")
                        && !f.getClassName().startsWith("jdk.internal.foreign."))
                .findFirst().map(StackWalker.StackFrame::toStackTraceElement).orElse(null));
    }

    /**
     * Frees a piece: refuses anything but a live piece exactly as handed out, ends its scope,
     * gives the raw piece back to the lane, then throws if a guard was damaged.
     */
    @Override
    public void free(MemorySegment piece) {
        Record record = recordOf(piece);
        MemoryCorruptionException damage = damage(record);
        record.arena.close(); // throws, changing nothing, while a downcall holds the piece
        live.remove(piece.scope());
        forget(record);
        lane.freeRaw(record.raw, record.byteSize);
        if (RegionEvents.recorder()) {
            RegionEvents.PieceFreed e = new RegionEvents.PieceFreed();
            if (e.isEnabled()) {
                e.region = lane.name;
                e.id = record.id;
                e.bytes = record.byteSize;
                e.commit();
            }
        }
        if (damage != null) {
            throw damage;
        }
    }

    @Override
    public MemorySegment pieceAt(long address) {
        return CheckedResize.pieceAt(this, lane, address);
    }

    @Override
    public MemorySegment reallocate(MemorySegment piece, long newByteSize) {
        return CheckedResize.reallocate(this, lane, piece, newByteSize);
    }

    /** Drops the records of a piece that is no longer live, but its entry in {@link #live}. */
    private void forget(Record record) {
        notes().remove(record.note);
        byAddress.remove(record.piece.address());
        byAddress.remove(record.raw.address());
    }

    /** The record of {@code piece}, a live checked piece of this lane exactly as handed out, or throws. */
    Record recordOf(MemorySegment piece) {
        if (!piece.isNative()) {
            throw Refusals.notAPiece(lane.name, piece, "it is a Java-heap segment, not a piece of this region");
        }
        Record record = live.get(piece.scope());
        if (record == null) {
            throw Refusals.notAPiece(lane.name, piece, !piece.scope().isAlive()
                    ? "its scope has ended: it was already freed, or it is from an ended generation (allocated"
                    + " before a reset or close)"
                    : "it is not a piece of this region (foreign, moved to another region by a merge, or allocated in"
                    + " a bump region)");
        }
        if (piece.isReadOnly()) {
            throw Refusals.notAPiece(lane.name, piece, "it is a read-only view; only the piece as it was handed out"
                    + " can free it");
        }
        if (piece.address() != record.piece.address() || piece.byteSize() != record.byteSize) {
            throw Refusals.notAPiece(lane.name, piece, "it is a slice of piece #" + record.id + " of "
                    + record.byteSize + " bytes, not a piece");
        }
        return record;
    }

    /** Checks every live piece's guards; returns the first damage found (the others suppressed), or null. */
    MemoryCorruptionException verify() {
        MemoryCorruptionException first = null;
        for (Record r : live.values()) {
            MemoryCorruptionException d = damage(r);
            if (d != null) {
                if (first == null) {
                    first = d;
                } else {
                    first.addSuppressed(d);
                }
            }
        }
        return first;
    }

    /**
     * Before a reset or close ends the generation: checks every guard, then ends every live
     * piece's scope. Returns the damage found, or null. Throws if a piece is in use (a downcall
     * holds it), with the damage found as suppressed. Each piece whose scope it ends leaves the
     * stats at once, so that the stats match what is live however the reset or close ends: if
     * it stops here, or later at a scope in use, the pieces ended so far are dead and no longer
     * counted (as the pieces of a merged-in generation it could end), while their memory stays
     * with the lane until a reset or close can end everything.
     */
    MemoryCorruptionException endAll() {
        MemoryCorruptionException damage = verify();
        long bytes = 0;
        long count = 0;
        try {
            for (var it = live.values().iterator(); it.hasNext(); ) {
                Record r = it.next();
                try {
                    r.arena.close();
                } catch (IllegalStateException inUse) {
                    if (damage != null) {
                        inUse.addSuppressed(damage);
                    }
                    throw inUse;
                }
                it.remove();
                forget(r);
                Generation generation = lane.generations.find(r.raw.scope());
                generation.liveBytes -= r.byteSize;
                generation.liveCount--;
                bytes += r.byteSize;
                count++;
            }
        } finally {
            if (count > 0) {
                lane.ledger.dropped(bytes, count);
            }
        }
        return damage;
    }

    /** The region's thread has died: its pieces' arenas cannot be closed, and no thread can touch them. */
    void abandonAll() {
        live.clear();
        byAddress.clear();
        notes().clear();
    }

    @Override
    public boolean holds(MemorySegment.Scope scope) {
        return live.containsKey(scope);
    }

    @Override
    public boolean isEmpty() {
        return live.isEmpty();
    }

    @Override
    public void takeAll(CheckedMode from) {
        CheckedPieces other = (CheckedPieces) from;
        live.putAll(other.live);
        other.live.clear();
        byAddress.putAll(other.byAddress);
        other.byAddress.clear();
        notes().addAll(other.notes());
        other.notes().clear();
    }

    /** The notes of the live pieces, in the lane's ledger. */
    private java.util.Set<PieceNote> notes() {
        java.util.Set<PieceNote> notes = lane.ledger.checkedNotes;
        if (notes == null) {
            lane.ledger.checkedNotes = notes = new java.util.LinkedHashSet<>();
        }
        return notes;
    }

    /** The report of the pieces the notes in {@code ledgers} list, or null if there are none (for the {@link Reclaimer}). */
    public static String reportOfNotes(String region, List<Ledger> ledgers) {
        long now = System.nanoTime();
        List<PieceInfo> pieces = new ArrayList<>();
        for (Ledger l : ledgers) {
            if (l.checkedNotes != null) {
                for (PieceNote n : l.checkedNotes) {
                    pieces.add(n.info(now));
                }
            }
        }
        if (pieces.isEmpty()) {
            return null;
        }
        pieces.sort(Comparator.comparingLong(PieceInfo::id));
        return report(region, pieces);
    }

    List<PieceInfo> pieces() {
        long now = System.nanoTime();
        List<PieceInfo> all = new ArrayList<>(live.size());
        for (Record r : live.values()) {
            all.add(r.info(now));
        }
        return all;
    }

    /** The live pieces grouped by allocation site, largest group first. */
    public static String report(String region, List<PieceInfo> pieces) {
        return report(region, pieces, 0, 0);
    }

    /**
     * The live pieces grouped by allocation site, largest group first; then, if
     * {@code unrecorded} is positive, that many pieces of {@code unrecordedBytes} bytes that have
     * no record (merged from regions that are not checked).
     */
    public static String report(String region, List<PieceInfo> pieces, long unrecorded, long unrecordedBytes) {
        Map<String, List<PieceInfo>> bySite = new LinkedHashMap<>();
        long bytes = 0;
        for (PieceInfo p : pieces) {
            bySite.computeIfAbsent(p.site() == null ? "(site not recorded)" : "at " + p.site(),
                    k -> new ArrayList<>()).add(p);
            bytes += p.byteSize();
        }
        long others = Math.max(0, unrecorded);
        StringBuilder out = new StringBuilder("region '" + region + "': " + (pieces.size() + others)
                + " live pieces, " + (bytes + (others > 0 ? unrecordedBytes : 0)) + " bytes");
        bySite.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, List<PieceInfo>> e) ->
                        e.getValue().stream().mapToLong(PieceInfo::byteSize).sum()).reversed())
                .forEach(e -> {
                    List<PieceInfo> group = e.getValue();
                    out.append("\n  ").append(group.size()).append(group.size() == 1 ? " piece, " : " pieces, ")
                            .append(group.stream().mapToLong(PieceInfo::byteSize).sum()).append(" bytes ")
                            .append(e.getKey()).append("\n    ids ");
                    for (int i = 0; i < Math.min(10, group.size()); i++) {
                        out.append(i == 0 ? "#" : ", #").append(group.get(i).id());
                    }
                    if (group.size() > 10) {
                        out.append(", ... (").append(group.size() - 10).append(" more)");
                    }
                });
        if (others > 0) {
            out.append("\n  ").append(others).append(others == 1 ? " piece, " : " pieces, ").append(unrecordedBytes)
                    .append(" bytes, merged from regions that are not checked (no record of them)");
        }
        return out.toString();
    }

    /** The first changed guard byte of {@code r}, as an exception, or null. */
    MemoryCorruptionException damage(Record r) {
        long offset = firstChanged(r.raw, 0, r.front);
        if (offset < 0) {
            offset = firstChanged(r.raw, r.front + r.byteSize, BACK_GUARD);
        }
        if (offset < 0) {
            return null;
        }
        long fromPiece = offset - r.front;
        MemoryCorruptionException damage = new MemoryCorruptionException("region '" + lane.name + "': the guard zone " + (fromPiece < 0
                ? "before" : "after") + " piece #" + r.id + " (" + r.byteSize + " bytes at 0x"
                + Long.toHexString(r.piece.address()) + ") was overwritten: byte " + fromPiece
                + " from the piece's start (" + (fromPiece < 0 ? "an underrun" : "an overrun") + "); allocated "
                + (r.site != null ? "at " + r.site : "at a site not recorded (see Region.Builder.recordSites)"));
        finding(lane.name, fromPiece < 0 ? "underrun" : "overrun", damage.getMessage());
        return damage;
    }

    /** Tells Flight Recorder what the checked mode found. */
    public static void finding(String region, String what, String message) {
        if (!RegionEvents.recorder()) {
            return;
        }
        RegionEvents.CheckedFinding e = new RegionEvents.CheckedFinding();
        if (e.isEnabled()) {
            e.region = region;
            e.what = what;
            e.message = message;
            e.commit();
        }
    }

    private static long firstChanged(MemorySegment raw, long from, long length) {
        for (long i = from; i < from + length; i++) {
            if (raw.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != GUARD) {
                return i;
            }
        }
        return -1;
    }
}
