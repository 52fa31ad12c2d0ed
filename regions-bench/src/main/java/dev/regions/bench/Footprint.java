package dev.regions.bench;

import dev.regions.Region;
import dev.regions.RegionStats;

import java.util.Locale;

/**
 * Memory, not time: what small regions (W6, a region per request) and the parser pattern hold
 * from their source, against the bytes their pieces hold. The figures are the regions' own
 * ({@code stats()}): deterministic, so one run says it all. Prints Markdown.
 *
 * <pre>java -cp regions-bench/target/benchmarks.jar dev.regions.bench.Footprint</pre>
 */
public final class Footprint {
    private Footprint() {
    }

    /**
     * Prints both tables.
     *
     * @param args none
     */
    public static void main(String[] args) {
        StringBuilder out = new StringBuilder();
        out.append("### A region per request: gross against live bytes (pieces of 16..256 B)\n\n")
                .append("| kind | pieces | live B | gross B | gross / live | bound 2 x live + 4 KiB | within |\n")
                .append("|---|---:|---:|---:|---:|---:|---|\n");
        for (String kind : new String[] {Merges.CONFINED, Merges.SHARED}) {
            for (int pieces : new int[] {1, 10, 50, 200}) {
                try (Region region = Merges.region(kind)) {
                    Merges.filled(region, Sizes.small(Sizes.SEED, pieces));
                    RegionStats s = region.stats();
                    long bound = 2 * s.liveBytes() + 4096;
                    out.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %.2f | %,d | %s |%n", kind, pieces,
                            s.liveBytes(), s.grossBytes(), (double) s.grossBytes() / s.liveBytes(), bound,
                            s.grossBytes() <= bound ? "yes" : "**no**"));
                }
            }
        }
        out.append("\n### The parser pattern: ").append(ParserPattern.STATEMENTS)
                .append(" statements merged one by one into the program's region\n\n")
                .append("| kind | program live B | program gross B | scratch gross B | (program + scratch) gross / live |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (String kind : new String[] {Merges.CONFINED, Merges.SHARED}) {
            try (Region program = Merges.region(kind); Region scratch = Merges.region(kind)) {
                ParserPattern.parse(program, scratch);
                RegionStats p = program.stats();
                RegionStats t = scratch.stats();
                out.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.2f |%n", kind, p.liveBytes(),
                        p.grossBytes(), t.grossBytes(), (double) (p.grossBytes() + t.grossBytes()) / p.liveBytes()));
            }
        }
        System.out.print(out);
    }
}
