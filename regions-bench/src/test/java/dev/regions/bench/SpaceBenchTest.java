package dev.regions.bench;

import dev.regions.bench.peers.Peers;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(SpaceFigures.fromJson((Map<?, ?>) Json.parse(figures.toJson()))).isEqualTo(figures);
        assertThat(figures.toMarkdown()).startsWith("| regions-confined |");
        assertThat(figures.toCsv()).startsWith("regions-confined,5000," + requested + ",");
    }
}
