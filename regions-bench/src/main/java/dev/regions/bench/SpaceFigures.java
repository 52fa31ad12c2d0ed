package dev.regions.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * What the space benchmark measured for one peer, and the figures derived from it, as JSON
 * (Jackson: one line from the child JVM to the driver, and space.json), CSV and a Markdown row.
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

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

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

    /**
     * One line of JSON: the measured fields, then the derived ones rounded as the table shows
     * them. The child JVM prints it for the driver, and the driver writes it into space.json.
     */
    String toJson() {
        ObjectNode json = JSON.createObjectNode()
                .put("peer", peer)
                .put("pieces", pieces)
                .put("requestedBytes", requested)
                .put("rssGrowthBytes", rss)
                .put("heapGrowthBytes", heap)
                .put("mallocInUseGrowthBytes", mallocInUse)
                .put("ownBytes", own);
        putRounded(json, "nativeBytesPerPiece", nativePerPiece(), 2);
        putRounded(json, "heapBytesPerPiece", heapPerPiece(), 2);
        putRounded(json, "nativeOverRequested", nativeRatio(), 4);
        putRounded(json, "nativePlusHeapOverRequested", totalRatio(), 4);
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings and numbers always writes
        }
    }

    /**
     * Rounded half up from the shortest decimal form, as {@code String.format("%.2f")} rounds;
     * NaN and infinities (no pieces, nothing requested) as Jackson writes them, quoted.
     */
    private static void putRounded(ObjectNode json, String name, double value, int places) {
        if (Double.isFinite(value)) {
            json.put(name, BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP));
        } else {
            json.put(name, value);
        }
    }

    /**
     * The measured fields of a {@link #toJson} line; the derived ones are computed again.
     *
     * @throws IllegalArgumentException if a field is missing
     * @throws JsonProcessingException if the line is not JSON
     */
    static SpaceFigures fromJson(String line) throws JsonProcessingException {
        JsonNode json = JSON.readTree(line);
        return new SpaceFigures(json.required("peer").asText(),
                json.required("pieces").asLong(),
                json.required("requestedBytes").asLong(),
                json.required("rssGrowthBytes").asLong(),
                json.required("heapGrowthBytes").asLong(),
                json.required("mallocInUseGrowthBytes").asLong(),
                json.required("ownBytes").asLong());
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
