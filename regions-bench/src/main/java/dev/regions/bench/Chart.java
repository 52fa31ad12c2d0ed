package dev.regions.bench;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.block.LengthConstraintType;
import org.jfree.chart.block.RectangleConstraint;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.RangeType;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
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
 * <p>JFreeChart draws one horizontal bar chart per workload (benchmark method), one bar per result
 * (peer, parameters, threads, with its score and error in the label) and JMH's 99.9% score error
 * as a whisker, each panel on its own linear scale with the unit on its axis; Regions' bars are
 * blue, the peers' grey. The panels are stacked on one JFreeSVG canvas under a title and a legend,
 * since JFreeChart itself neither writes SVG nor lays out charts with different categories and
 * scales in one figure. Text stays text in the SVG (searchable, but drawn in the viewer's font).
 * The table (to stdout) lists every result. Runs headless: nothing is shown on a screen.
 */
public final class Chart {
    private static final int WIDTH = 1000;
    private static final int HEADER = 84;
    private static final int PANEL_CHROME = 110;
    private static final int ROW = 22;
    private static final Color REGIONS_COLOR = new Color(0x1f6feb);
    private static final Color PEER_COLOR = new Color(0x8b949e);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font PANEL_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font TEXT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Color NOTE_COLOR = new Color(0x555555);

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
        WORKLOADS.put("LarsonBench.larson", "W7 larson: random free + allocate of 8..999 B, threads dying, ops/s (higher is better)");
        WORKLOADS.put("ProducerConsumerBench.produceAndConsume", "W8 producer/consumer: batches freed by other threads, ops/s (higher is better)");
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
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // before any AWT class asks
        }
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

    /** The SVG document: {@link #draw} on a JFreeSVG canvas of {@link #height}. */
    static String svg(List<JmhResult> results, String title) {
        int height = height(results);
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, height);
        g2.setDefsKeyPrefix("chart-"); // not the clock's default: the same results give the same file
        draw(g2, results, title);
        return g2.getSVGDocument();
    }

    /** The height of the figure: the header, then each panel's chrome and one row per result. */
    static int height(List<JmhResult> results) {
        int height = HEADER;
        for (List<JmhResult> group : byWorkload(results).values()) {
            height += panelHeight(group);
        }
        return height;
    }

    private static int panelHeight(List<JmhResult> group) {
        return PANEL_CHROME + ROW * group.size();
    }

    /** Draws the figure, {@link #WIDTH} wide and {@link #height} high, on any canvas. */
    static void draw(Graphics2D g2, List<JmhResult> results, String title) {
        g2.setPaint(Color.WHITE);
        g2.fill(new Rectangle2D.Double(0, 0, WIDTH, height(results)));
        TextTitle heading = new TextTitle(title, TITLE_FONT);
        heading.setHorizontalAlignment(HorizontalAlignment.LEFT);
        drawBlock(g2, heading, 6, 24);
        TextTitle note = new TextTitle("Time per operation: lower is better. Whisker: JMH's 99.9% score error."
                + " Each panel has its own scale.", TEXT_FONT);
        note.setPaint(NOTE_COLOR);
        note.setHorizontalAlignment(HorizontalAlignment.LEFT);
        drawBlock(g2, note, 32, 18);
        LegendTitle legend = new LegendTitle(Chart::legendItems);
        legend.setItemFont(TEXT_FONT);
        legend.setFrame(BlockBorder.NONE);
        legend.setHorizontalAlignment(HorizontalAlignment.LEFT);
        drawBlock(g2, legend, 54, 24);
        double y = HEADER;
        for (Map.Entry<String, List<JmhResult>> group : byWorkload(results).entrySet()) {
            int h = panelHeight(group.getValue());
            panel(group.getKey(), group.getValue()).draw(g2, new Rectangle2D.Double(0, y, WIDTH, h));
            y += h;
        }
    }

    /** A title or legend outside a chart: laid out (which makes its content), then drawn. */
    private static void drawBlock(Graphics2D g2, Title block, double y, double height) {
        // Width fixed, height free: TextTitle lays out under few kinds of constraint, this is one.
        block.arrange(g2, new RectangleConstraint(WIDTH - 20, null, LengthConstraintType.FIXED,
                0, null, LengthConstraintType.NONE));
        block.draw(g2, new Rectangle2D.Double(10, y, WIDTH - 20, height));
    }

    private static LegendItemCollection legendItems() {
        LegendItemCollection items = new LegendItemCollection();
        items.add(new LegendItem("Regions", REGIONS_COLOR));
        items.add(new LegendItem("peers (JDK arenas, malloc, Netty, Arrow, seed, floor, ...)", PEER_COLOR));
        return items;
    }

    /**
     * One workload's chart: a bar per result in the order JMH ran them, the score and error in
     * the bar's label, the unit on the axis.
     */
    static JFreeChart panel(String workload, List<JmhResult> results) {
        DefaultStatisticalCategoryDataset dataset = new DefaultStatisticalCategoryDataset();
        List<Paint> paints = new ArrayList<>();
        for (JmhResult r : results) {
            // No whisker where JMH gave no error (NaN): a NaN would end up in the SVG's coordinates.
            Double error = Double.isNaN(r.error()) ? null : r.error();
            String label = barLabel(r);
            // A label seen before (the same result given twice) would replace that bar: number it.
            for (int n = 2; dataset.getColumnIndex(label) >= 0; n++) {
                label = barLabel(r) + " (" + n + ")";
            }
            dataset.add(Double.valueOf(r.score()), error, "score", label);
            paints.add(isRegions(r) ? REGIONS_COLOR : PEER_COLOR);
        }
        StatisticalBarRenderer renderer = new StatisticalBarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                return paints.get(column);
            }
        };
        renderer.setErrorIndicatorPaint(Color.BLACK);
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setItemMargin(0);
        CategoryAxis categories = new CategoryAxis();
        categories.setTickLabelFont(TEXT_FONT);
        categories.setMaximumCategoryLabelWidthRatio(0.45f);
        categories.setCategoryMargin(0.25);
        categories.setLowerMargin(0.02);
        categories.setUpperMargin(0.02);
        String unit = results.get(0).unit();
        NumberAxis scale = new NumberAxis(unit);
        scale.setLabelFont(TEXT_FONT);
        scale.setTickLabelFont(TEXT_FONT);
        scale.setUpperMargin(0.05);
        scale.setRangeType(RangeType.POSITIVE); // a whisker below zero is cut, not a negative axis
        scale.setNumberFormatOverride(new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        CategoryPlot plot = new CategoryPlot(dataset, categories, scale, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setOutlineVisible(false);
        plot.setInsets(new RectangleInsets(4, 10, 4, 20));
        JFreeChart chart = new JFreeChart(title(workload), PANEL_FONT, plot, false);
        chart.getTitle().setHorizontalAlignment(HorizontalAlignment.LEFT);
        chart.getTitle().setPadding(new RectangleInsets(8, 10, 0, 10));
        TextTitle subtitle = new TextTitle(workload + ", " + unit + ", mode " + results.get(0).mode(), TEXT_FONT);
        subtitle.setPaint(NOTE_COLOR);
        subtitle.setHorizontalAlignment(HorizontalAlignment.LEFT);
        subtitle.setPosition(RectangleEdge.TOP);
        subtitle.setPadding(new RectangleInsets(2, 10, 4, 10));
        chart.addSubtitle(subtitle);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        return chart;
    }

    /** The bar's label: the result's label, then its score and error. */
    static String barLabel(JmhResult r) {
        return r.label() + ": " + format(r.score()) + (Double.isNaN(r.error()) ? "" : " ± " + format(r.error()));
    }

    static boolean isRegions(JmhResult r) {
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
}
