package dev.regions.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns JMH JSON result files into an SVG bar chart and a Markdown table, so that no figure is
 * drawn by hand.
 *
 * <pre>java -cp benchmarks.jar dev.regions.bench.Chart --svg chart.svg results/*.json &gt; results.md</pre>
 *
 * <p>The SVG has one panel per workload (benchmark method), one horizontal bar per result (peer,
 * parameters, threads) with its score error as a whisker, each panel on its own linear scale;
 * Regions' bars are blue, the peers' grey. The table (to stdout) lists every result.
 */
public final class Chart {
    private static final int WIDTH = 1000;
    private static final int LABEL_WIDTH = 300;
    private static final int BAR_AREA = 540;
    private static final int BAR_HEIGHT = 18;
    private static final int BAR_GAP = 6;
    private static final int PANEL_HEAD = 44;
    private static final int PANEL_GAP = 16;
    private static final String REGIONS_COLOR = "#1f6feb";
    private static final String PEER_COLOR = "#8b949e";

    /** Display names, in display order. */
    private static final Map<String, String> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put("ChurnBench.churn", "W1 churn: free oldest + allocate, 1,000 live, 16..256 B");
        WORKLOADS.put("BuildDropBench.buildAndDrop", "W2 build and drop: 100,000 pieces of 16..256 B, release all");
        WORKLOADS.put("SharedChurnBench.churn", "W3 shared churn: W1 on N threads, one shared allocator");
        WORKLOADS.put("LargePieceBench.allocateTouchFree", "W4 large pieces: 64 KiB..4 MiB, allocate, touch, free");
        WORKLOADS.put("MergeBench.merge", "W5 merge: dst.merge(src), src holding N pieces");
        WORKLOADS.put("ResetBench.reset", "W5 reset: region.reset(), holding N pieces");
        WORKLOADS.put("ArenaCloseBench.close", "W5 reference: JDK arena.close(), holding N pieces");
    }

    private Chart() {
    }

    /**
     * {@code --svg PATH [--title TEXT] FILE...}: writes the chart to PATH and the table to stdout.
     *
     * @param args the arguments
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Path svg = null;
        String title = "Regions benchmarks";
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--svg" -> svg = Path.of(args[++i]);
                case "--title" -> title = args[++i];
                default -> files.add(Path.of(args[i]));
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: Chart [--svg PATH] [--title TEXT] JMH-RESULT.json...");
            System.exit(2);
        }
        List<JmhResult> results = new ArrayList<>();
        for (Path file : files) {
            results.addAll(JmhResult.read(file));
        }
        if (svg != null) {
            Files.writeString(svg, svg(results, title));
        }
        System.out.print(markdown(results));
    }

    /** The results grouped by workload, known workloads first in W order, then any others. */
    static Map<String, List<JmhResult>> byWorkload(List<JmhResult> results) {
        Map<String, List<JmhResult>> groups = new LinkedHashMap<>();
        for (String known : WORKLOADS.keySet()) {
            groups.put(known, new ArrayList<>());
        }
        for (JmhResult r : results) {
            groups.computeIfAbsent(r.workload(), k -> new ArrayList<>()).add(r);
        }
        groups.values().removeIf(List::isEmpty);
        return groups;
    }

    static String title(String workload) {
        return WORKLOADS.getOrDefault(workload, workload);
    }

    /** The SVG document. */
    static String svg(List<JmhResult> results, String title) {
        Map<String, List<JmhResult>> groups = byWorkload(results);
        StringBuilder body = new StringBuilder();
        int y = 52;
        for (Map.Entry<String, List<JmhResult>> group : groups.entrySet()) {
            y = panel(body, y, group.getKey(), group.getValue());
            y += PANEL_GAP;
        }
        StringBuilder out = new StringBuilder();
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(y).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(y)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        out.append(text(10, 24, escape(title), "font-size=\"16\" font-weight=\"bold\""));
        out.append(text(10, 42, "Time per operation: lower is better. Whisker: JMH's 99.9% score error."
                + " Each panel has its own scale.", "fill=\"#555\""));
        out.append(body);
        out.append("</svg>\n");
        return out.toString();
    }

    private static int panel(StringBuilder out, int y, String workload, List<JmhResult> results) {
        String unit = results.get(0).unit();
        out.append(text(10, y + 18, escape(title(workload)), "font-size=\"14\" font-weight=\"bold\""));
        out.append(text(10, y + 34, escape(workload + ", " + unit + ", mode " + results.get(0).mode()), "fill=\"#555\""));
        double max = 0;
        for (JmhResult r : results) {
            max = Math.max(max, r.score() + (Double.isNaN(r.error()) ? 0 : r.error()));
        }
        if (!(max > 0)) {
            max = 1;
        }
        int row = y + PANEL_HEAD;
        for (JmhResult r : results) {
            int mid = row + BAR_HEIGHT / 2;
            double width = Math.max(1, r.score() / max * BAR_AREA);
            String color = isRegions(r) ? REGIONS_COLOR : PEER_COLOR;
            out.append(text(LABEL_WIDTH - 8, mid + 4, escape(r.label()), "text-anchor=\"end\""));
            out.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>%n",
                    LABEL_WIDTH, row, width, BAR_HEIGHT, color, escape(r.label() + ": " + format(r.score()) + " " + r.unit())));
            double end = LABEL_WIDTH + width;
            if (!Double.isNaN(r.error()) && r.error() > 0) {
                double lo = LABEL_WIDTH + Math.max(0, r.score() - r.error()) / max * BAR_AREA;
                double hi = LABEL_WIDTH + (r.score() + r.error()) / max * BAR_AREA;
                out.append(String.format(Locale.ROOT,
                        "<path d=\"M%.1f %d H%.1f M%.1f %d V%d M%.1f %d V%d\" stroke=\"black\" fill=\"none\"/>%n",
                        lo, mid, hi, lo, mid - 4, mid + 4, hi, mid - 4, mid + 4));
                end = Math.max(end, hi);
            }
            String value = format(r.score()) + (Double.isNaN(r.error()) ? "" : " ± " + format(r.error()));
            out.append(text((int) end + 6, mid + 4, escape(value), ""));
            row += BAR_HEIGHT + BAR_GAP;
        }
        return row;
    }

    private static boolean isRegions(JmhResult r) {
        String peer = r.params().get("peer");
        return peer != null ? peer.startsWith("regions") : !r.workload().startsWith("ArenaClose");
    }

    /** The Markdown table of every result. */
    static String markdown(List<JmhResult> results) {
        StringBuilder out = new StringBuilder();
        out.append("| workload | peer / params | threads | mode | score | ± error | unit |\n");
        out.append("|---|---|---:|---|---:|---:|---|\n");
        for (Map.Entry<String, List<JmhResult>> group : byWorkload(results).entrySet()) {
            for (JmhResult r : group.getValue()) {
                out.append("| ").append(group.getKey())
                        .append(" | ").append(r.label())
                        .append(" | ").append(r.threads())
                        .append(" | ").append(r.mode())
                        .append(" | ").append(format(r.score()))
                        .append(" | ").append(Double.isNaN(r.error()) ? "n/a" : format(r.error()))
                        .append(" | ").append(r.unit())
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        double abs = Math.abs(value);
        String pattern = abs >= 1000 ? "%,.0f" : abs >= 100 ? "%.1f" : abs >= 10 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, value);
    }

    private static String text(int x, int y, String content, String attributes) {
        return "<text x=\"" + x + "\" y=\"" + y + "\"" + (attributes.isEmpty() ? "" : " " + attributes) + ">"
                + content + "</text>\n";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
