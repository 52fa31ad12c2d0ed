package dev.regions.bench;

import dev.regions.bench.peers.Peers;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The space measurement runs in-process on a small count and its figures survive the trip through JSON. */
class SpaceBenchTest {

    @Test
    void measuresAPeerAndRoundTrips() throws Exception {
        SpaceFigures figures = SpaceBench.measureOnFastThread(Peers.REGIONS_CONFINED, 5_000);
        long requested = 0;
        for (int size : Sizes.small(Sizes.SEED, 5_000)) {
            requested += size;
        }
        assertThat(figures.requested()).isEqualTo(requested);
        assertThat(figures.pieces()).isEqualTo(5_000);
        assertThat(figures.own()).isGreaterThanOrEqualTo(requested);
        assertThat(SpaceBench.rss()).isPositive();
        assertThat(SpaceFigures.fromJson(figures.toJson())).isEqualTo(figures);
        assertThat(figures.toMarkdown()).startsWith("| regions-confined |");
        assertThat(figures.toCsv()).startsWith("regions-confined,5000," + requested + ",");
    }

    /** The JSON is what space.json held before Jackson wrote it: the first line of a measurement run. */
    @Test
    void writesTheJsonOfEarlierRuns() throws Exception {
        String line = "{\"peer\":\"regions-confined\",\"pieces\":1000000,\"requestedBytes\":135992153,"
                + "\"rssGrowthBytes\":145068032,\"heapGrowthBytes\":45387256,\"mallocInUseGrowthBytes\":145330528,"
                + "\"ownBytes\":144162816,\"nativeBytesPerPiece\":145.07,\"heapBytesPerPiece\":45.39,"
                + "\"nativeOverRequested\":1.0667,\"nativePlusHeapOverRequested\":1.4005}";
        SpaceFigures figures = SpaceFigures.fromJson(line);
        assertThat(figures).isEqualTo(new SpaceFigures("regions-confined", 1_000_000, 135_992_153, 145_068_032,
                45_387_256, 145_330_528, 144_162_816));
        assertThat(figures.toJson()).isEqualTo(line);
        // Rounding half up from the shortest decimal, as String.format did; a quote in a name escaped.
        assertThat(new SpaceFigures("a\"b", 8, 8, 9, 0, -1, -1).toJson())
                .contains("\"peer\":\"a\\\"b\"", "\"nativeBytesPerPiece\":1.13,", "\"nativeOverRequested\":1.1250,");
    }

    @Test
    void aLineWithoutAFieldIsRefused() {
        assertThatThrownBy(() -> SpaceFigures.fromJson("{\"peer\":\"x\",\"pieces\":1}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requestedBytes");
    }
}
