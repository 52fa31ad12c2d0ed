package dev.regions.bench;

import dev.regions.Region;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * W5's reset in a loop, for a profiler: fill each of R confined regions with N pieces of 16..256 B
 * (the {@link Sizes} sequence), then reset them all, timing the resets alone, round after round for
 * a number of seconds. R = 1 keeps the region in cache (the reset's own work); R = 100 resets each
 * region cold, as {@link ResetBench}'s single shots do. {@link ResetBench} gives the figures: this
 * loop runs long enough for a sampling profiler to see the reset (a single shot of 100 resets is a
 * millisecond). Prints the median, tenth percentile and minimum of the rounds of the second half.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp regions-bench/target/benchmarks.jar \
 *     dev.regions.bench.ResetLoop 10000 1 20</pre>
 *
 * With async-profiler (perf counters are not needed; {@code itimer} or wall clock):
 * {@code -agentpath:libasyncProfiler.so=start,event=wall,interval=40us,file=out.collapsed,collapsed}.
 */
public final class ResetLoop {
    private ResetLoop() {
    }

    /**
     * Runs the loop.
     *
     * @param args pieces per region (default 10000), regions (default 1), seconds (default 20)
     */
    public static void main(String[] args) {
        int pieces = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 20;
        int[] sizes = Sizes.small(Sizes.SEED, pieces);
        Region[] regions = new Region[count];
        for (int i = 0; i < count; i++) {
            regions[i] = Region.ofConfined();
        }
        List<Double> rounds = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long now;
        do {
            for (Region region : regions) {
                Merges.filled(region, sizes);
            }
            long start = System.nanoTime();
            for (Region region : regions) {
                region.reset();
            }
            now = System.nanoTime();
            rounds.add((now - start) / (double) count);
        } while (now < end);
        for (Region region : regions) {
            region.close();
        }
        List<Double> last = new ArrayList<>(rounds.subList(rounds.size() / 2, rounds.size()));
        Collections.sort(last);
        System.out.printf(Locale.ROOT, "%d pieces, %d regions: %d rounds; second half: median %.0f ns, p10 %.0f ns,"
                + " min %.0f ns per reset%n", pieces, count, rounds.size(), last.get(last.size() / 2),
                last.get(last.size() / 10), last.get(0));
    }
}
