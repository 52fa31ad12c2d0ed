package dev.regions.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a JMH JSON result file ({@code -rf json}): the benchmark, its parameters and
 * thread count, and the primary score with its error. Read with Jackson's tree model rather than
 * bound to classes: only these few fields matter, and JMH writes a missing error as the string
 * {@code "NaN"} where a number stands otherwise. Secondary metrics and raw data are not read.
 *
 * @param benchmark the full method name, {@code dev.regions.bench.ChurnBench.churn}
 * @param mode JMH's mode ({@code avgt}, {@code ss}, ...)
 * @param threads the benchmark's thread count
 * @param params the {@code @Param} values, in JMH's order
 * @param score the primary score
 * @param error the score error (99.9%), NaN where JMH had too few iterations
 * @param unit the score unit, {@code ns/op}
 */
record JmhResult(String benchmark, String mode, int threads, Map<String, String> params,
                 double score, double error, String unit) {

    /** Rejects trailing text after the top-level array, as a truncated or concatenated file would have. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Reads every entry of one JMH JSON file. */
    static List<JmhResult> read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(file + ": not a JMH JSON result file (no top-level array)");
        }
        List<JmhResult> results = new ArrayList<>();
        for (JsonNode entry : root) {
            results.add(of(entry));
        }
        return results;
    }

    private static JmhResult of(JsonNode entry) {
        Map<String, String> params = new LinkedHashMap<>();
        entry.path("params").properties().forEach(p -> params.put(p.getKey(), p.getValue().asText()));
        JsonNode metric = entry.required("primaryMetric");
        return new JmhResult(
                entry.path("benchmark").asText(),
                entry.path("mode").asText(),
                (int) number(entry.path("threads")),
                params,
                number(metric.path("score")),
                number(metric.path("scoreError")),
                metric.path("scoreUnit").asText());
    }

    /**
     * A number field: a JSON number, or a string such as JMH's {@code "NaN"} (which it writes for
     * the error of too few iterations); NaN if absent or not a number.
     */
    static double number(JsonNode node) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            try {
                return Double.parseDouble(node.textValue());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** {@code ChurnBench.churn}: the class's simple name and the method. */
    String workload() {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    /** The peer (if any) first, then the other parameters, then the thread count if above 1. */
    String label() {
        List<String> words = new ArrayList<>();
        String peer = params.get("peer");
        if (peer != null) {
            words.add(peer);
        }
        params.forEach((k, v) -> {
            if (!k.equals("peer")) {
                words.add(k + "=" + v);
            }
        });
        if (threads > 1) {
            words.add("t=" + threads);
        }
        return words.isEmpty() ? workload() : String.join(" ", words);
    }
}
