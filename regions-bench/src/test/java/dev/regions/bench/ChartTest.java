package dev.regions.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Chart turns a real JMH result file (from a smoke run of every benchmark) into an SVG and a table. */
class ChartTest {

    private static List<JmhResult> sample() throws Exception {
        return JmhResult.read(resource("jmh-smoke.json"));
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(ChartTest.class.getResource("/" + name), name).toURI());
    }

    @Test
    void readsEveryWorkloadOfTheSmokeRun() throws Exception {
        List<JmhResult> results = sample();
        assertThat(results).hasSize(55);
        assertThat(results).extracting(JmhResult::workload).contains(
                "ChurnBench.churn", "BuildDropBench.buildAndDrop", "SharedChurnBench.churn",
                "LargePieceBench.allocateTouchFree", "MergeBench.merge", "ResetBench.reset",
                "ArenaCloseBench.close");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.score()).isPositive();
            assertThat(r.unit()).isEqualTo("ns/op");
        });
        // The file's first entry, as written in it.
        assertThat(results.get(0)).isEqualTo(new JmhResult("dev.regions.bench.ChurnBench.churn", "avgt", 1,
                Map.of("peer", "regions-confined"), 188.974301913586, 1909.437716594409, "ns/op"));
    }

    @Test
    void svgHasAPanelPerWorkloadAndABarPerResult() throws Exception {
        List<JmhResult> results = sample();
        String svg = Chart.svg(results, "smoke");
        assertThat(svg).startsWith("<svg ").endsWith("</svg>\n");
        for (JmhResult r : results) {
            assertThat(svg).contains(Chart.escape(Chart.title(r.workload())));
            assertThat(svg).contains(">" + Chart.escape(r.label()) + "</text>");
        }
        assertThat(svg.split("<rect ", -1)).hasSize(results.size() + 2); // background + one per bar
    }

    @Test
    void tableHasARowPerResult() throws Exception {
        List<JmhResult> results = sample();
        String table = Chart.markdown(results);
        assertThat(table.lines()).hasSize(results.size() + 2);
        for (JmhResult r : results) {
            assertThat(table).contains("| " + r.workload() + " | " + r.label() + " | " + r.threads() + " |");
        }
    }

    @Test
    void jmhNaNErrorsParamsAndEscapesAreRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.json");
        Files.writeString(file, "[{\"benchmark\":\"a.B.c\",\"mode\":\"ss\",\"threads\":2,"
                + "\"params\":{\"peer\":\"x<y \\\"z\\\"\",\"n\":\"10\"},\"primaryMetric\":{\"score\":1.5,"
                + "\"scoreError\":\"NaN\",\"scoreUnit\":\"us/op\"}}]");
        List<JmhResult> results = JmhResult.read(file);
        assertThat(results).hasSize(1);
        JmhResult r = results.get(0);
        assertThat(r.score()).isEqualTo(1.5);
        assertThat(r.error()).isNaN();
        assertThat(r.threads()).isEqualTo(2);
        assertThat(r.unit()).isEqualTo("us/op");
        assertThat(r.params()).containsExactly(Map.entry("peer", "x<y \"z\""), Map.entry("n", "10"));
        assertThat(r.workload()).isEqualTo("B.c");
        assertThat(r.label()).isEqualTo("x<y \"z\" n=10 t=2");
        assertThat(Chart.svg(results, "a & b")).contains(">" + Chart.escape(r.label()) + "</text>", "a &amp; b");
    }

    @Test
    void rejectsWhatIsNotAJmhResultFile(@TempDir Path dir) throws Exception {
        Path object = dir.resolve("object.json");
        Files.writeString(object, "{\"benchmark\":\"a.B.c\"}");
        assertThatThrownBy(() -> JmhResult.read(object)).hasMessageContaining("no top-level array");
        Path trailing = dir.resolve("trailing.json");
        Files.writeString(trailing, "[] []");
        assertThatThrownBy(() -> JmhResult.read(trailing)).hasMessageContaining("Trailing token");
    }
}
