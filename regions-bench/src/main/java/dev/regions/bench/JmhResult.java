package dev.regions.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a JMH JSON result file ({@code -rf json}): the benchmark, its parameters and
 * thread count, and the primary score with its error.
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

    /** Reads every entry of one JMH JSON file. */
    static List<JmhResult> read(Path file) throws IOException {
        Object root = Json.parse(Files.readString(file));
        if (!(root instanceof List<?> entries)) {
            throw new IllegalArgumentException(file + ": not a JMH JSON result file (no top-level array)");
        }
        List<JmhResult> results = new ArrayList<>();
        for (Object entry : entries) {
            results.add(of((Map<?, ?>) entry));
        }
        return results;
    }

    private static JmhResult of(Map<?, ?> entry) {
        Map<String, String> params = new LinkedHashMap<>();
        if (entry.get("params") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
        }
        Map<?, ?> metric = (Map<?, ?>) entry.get("primaryMetric");
        return new JmhResult(
                String.valueOf(entry.get("benchmark")),
                String.valueOf(entry.get("mode")),
                (int) Json.number(entry.get("threads")),
                params,
                Json.number(metric.get("score")),
                Json.number(metric.get("scoreError")),
                String.valueOf(metric.get("scoreUnit")));
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
