package dev.regions.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Every {@code <text>} of an SVG document, which must be well-formed XML. */
    private static List<String> texts(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // JFreeSVG names the SVG 1.1 DTD: not fetched (a test must not need the network).
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        NodeList nodes = doc.getElementsByTagName("text");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent());
        }
        return texts;
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
        // Markup in a label stays text in the SVG.
        assertThat(texts(Chart.svg(results, "a & b"))).contains("a & b").anySatisfy(
                t -> assertThat(t).startsWith("x<y \"z\" n=10 t=2"));
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

    @Test
    void svgHasAPanelPerWorkloadAndABarPerResult() throws Exception {
        List<JmhResult> results = sample();
        String svg = Chart.svg(results, "smoke");
        List<String> texts = texts(svg);
        assertThat(texts).contains("smoke", "Regions");
        for (String workload : Chart.byWorkload(results).keySet()) {
            assertThat(texts).contains(Chart.title(workload), workload + ", ns/op, mode "
                    + Chart.byWorkload(results).get(workload).get(0).mode());
        }
        assertThat(texts).filteredOn("ns/op"::equals).hasSize(Chart.byWorkload(results).size()); // axis labels
        for (JmhResult r : results) {
            assertThat(texts).contains(Chart.barLabel(r));
        }
        // One bar per result in its colour (Regions blue, peers grey), and the legend's two swatches.
        long regions = results.stream().filter(Chart::isRegions).count();
        assertThat(regions).isPositive().isLessThan(results.size());
        assertThat(count(svg, "rgb(31,111,235)")).isEqualTo(regions + 1);
        assertThat(count(svg, "rgb(139,148,158)")).isEqualTo(results.size() - regions + 1);
        assertThat(Chart.svg(results, "smoke")).as("the same results, the same file").isEqualTo(svg);
    }

    private static long count(String text, String part) {
        return (text.length() - text.replace(part, "").length()) / part.length();
    }

    @Test
    void mainWritesTheSvgRunShLinksTo(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("chart.svg");
        Chart.main(new String[] {"--svg", svg.toString(), "--title", "t", resource("jmh-smoke.json").toString()});
        assertThat(svg).isRegularFile();
        assertThat(texts(Files.readString(svg))).contains("t", Chart.title("ChurnBench.churn"));
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
}
