package dev.regions.bench;

import java.util.Locale;
import java.util.Map;

/**
 * What the space benchmark measured for one peer, and the figures derived from it.
 *
 * @param peer the peer
 * @param pieces live pieces held
 * @param requested the sum of their sizes
 * @param rss growth of the process's resident set (VmRSS): the native bytes
 * @param heap growth of the used Java heap after full GCs, the empty holder array excluded
 * @param mallocInUse growth of malloc's bytes in use (mallinfo2), -1 where unknown
 * @param own the allocator's own figure for what it holds, -1 where it has none
 */
record SpaceFigures(String peer, long pieces, long requested, long rss, long heap, long mallocInUse, long own) {

    double nativePerPiece() {
        return (double) rss / pieces;
    }

    double heapPerPiece() {
        return (double) heap / pieces;
    }

    double nativeRatio() {
        return (double) rss / requested;
    }

    double totalRatio() {
        return (double) (rss + heap) / requested;
    }

    String toJson() {
        return String.format(Locale.ROOT,
                "{\"peer\":%s,\"pieces\":%d,\"requestedBytes\":%d,\"rssGrowthBytes\":%d,\"heapGrowthBytes\":%d,"
                        + "\"mallocInUseGrowthBytes\":%d,\"ownBytes\":%d,\"nativeBytesPerPiece\":%.2f,"
                        + "\"heapBytesPerPiece\":%.2f,\"nativeOverRequested\":%.4f,\"nativePlusHeapOverRequested\":%.4f}",
                Json.quote(peer), pieces, requested, rss, heap, mallocInUse, own,
                nativePerPiece(), heapPerPiece(), nativeRatio(), totalRatio());
    }

    static SpaceFigures fromJson(Map<?, ?> json) {
        return new SpaceFigures((String) json.get("peer"),
                (long) Json.number(json.get("pieces")),
                (long) Json.number(json.get("requestedBytes")),
                (long) Json.number(json.get("rssGrowthBytes")),
                (long) Json.number(json.get("heapGrowthBytes")),
                (long) Json.number(json.get("mallocInUseGrowthBytes")),
                (long) Json.number(json.get("ownBytes")));
    }

    static String csvHeader() {
        return "peer,pieces,requested_bytes,rss_growth_bytes,heap_growth_bytes,malloc_in_use_growth_bytes,own_bytes,"
                + "native_bytes_per_piece,heap_bytes_per_piece,native_over_requested,native_plus_heap_over_requested";
    }

    String toCsv() {
        return String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d,%.2f,%.2f,%.4f,%.4f",
                peer, pieces, requested, rss, heap, mallocInUse, own,
                nativePerPiece(), heapPerPiece(), nativeRatio(), totalRatio());
    }

    static String markdownHeader() {
        return "| peer | requested B/piece | native B/piece (RSS) | heap B/piece | native / requested "
                + "| (native + heap) / requested | malloc in-use B/piece | allocator's own B/piece |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    }

    String toMarkdown() {
        return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.3f | %.3f | %s | %s |%n",
                peer, (double) requested / pieces, nativePerPiece(), heapPerPiece(), nativeRatio(), totalRatio(),
                mallocInUse < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", (double) mallocInUse / pieces),
                own < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", (double) own / pieces));
    }
}
