package dev.regions.bench;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(results).extracting(JmhResult::workload).contains(
                "ChurnBench.churn", "BuildDropBench.buildAndDrop", "SharedChurnBench.churn",
                "LargePieceBench.allocateTouchFree", "MergeBench.merge", "ResetBench.reset",
                "ArenaCloseBench.close");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.score()).isPositive();
            assertThat(r.unit()).isEqualTo("ns/op");
        });
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
    void jmhNaNErrorsAndEscapesAreRead() {
        Object parsed = Json.parse("[{\"benchmark\":\"a.B.c\",\"mode\":\"ss\",\"threads\":1,"
                + "\"params\":{\"peer\":\"x<y\"},\"primaryMetric\":{\"score\":1.5,\"scoreError\":\"NaN\","
                + "\"scoreUnit\":\"ns/op\"}}]");
        assertThat(parsed).isInstanceOf(List.class);
        assertThat(Json.number("NaN")).isNaN();
        assertThat(Chart.escape("x<y & \"z\"")).isEqualTo("x&lt;y &amp; &quot;z&quot;");
    }
}
