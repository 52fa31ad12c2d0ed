package dev.regions.cli;

import dev.regions.RegionStats;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the demos print figures: byte counts in B/KiB/MiB, counts with thousands separators, and
 * a small table of {@link RegionStats}, one row per region. Shared by both demos so their
 * reports read alike; public only because each demo lives in a package of its own
 * ({@code dev.regions.cli.interpreter}, {@code dev.regions.cli.server}). It is the command's
 * formatting, not an API.
 */
public final class Report {
    private static final String ROW = "  %-10s %11s %9s %11s %11s %12s %9s%n";

    private Report() {
    }

    public static String bytes(long bytes) {
        long magnitude = Math.abs(bytes);
        if (magnitude < 10 * 1024) {
            return String.format(Locale.ROOT, "%,d B", bytes);
        }
        if (magnitude < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "1 piece", "2 pieces". */
    public static String count(long n, String noun) {
        return count(n) + " " + noun + (n == 1 ? "" : "s");
    }

    public static String percent(long part, long whole) {
        return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.0f%%", 100.0 * part / whole);
    }

    public static void statsHeader(PrintWriter out) {
        out.printf(Locale.ROOT, ROW, "region", "live", "pieces", "peak live", "gross", "allocations", "frees");
    }

    public static void statsRow(PrintWriter out, String name, RegionStats s) {
        out.printf(Locale.ROOT, ROW, name, bytes(s.liveBytes()), count(s.liveCount()), bytes(s.peakLiveBytes()),
                bytes(s.grossBytes()), count(s.allocations()), count(s.frees()));
    }

    /**
     * The report of every open region ({@link dev.regions.Regions#report()}) under a heading
     * that says when it was taken, each line indented.
     */
    public static void openRegions(PrintWriter out, String when, String report) {
        out.println("  Regions.report() " + when + ":");
        report.lines().forEach(line -> out.println("    " + line.stripTrailing()));
    }

    /** {@code lines} in a column after {@code label}, which is printed on the first line only. */
    public static void labelled(PrintWriter out, int labelWidth, String label, List<String> lines) {
        String format = "  %-" + labelWidth + "s %s%n";
        for (String line : lines) {
            out.printf(format, label, line);
            label = "";
        }
    }

    /** {@code text} cut into lines of at most {@code width} characters, at spaces (a longer word stays whole). */
    public static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    /** "back to start" if the global live and gross bytes are what they were, else what is left. */
    public static String backToStart(RegionStats before, RegionStats after) {
        long live = after.liveBytes() - before.liveBytes();
        long gross = after.grossBytes() - before.grossBytes();
        return live == 0 && gross == 0 ? "back to where they started"
                : "NOT back to the start: " + bytes(live) + " live and " + bytes(gross) + " gross left";
    }
}
