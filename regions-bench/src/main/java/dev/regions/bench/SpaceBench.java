package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;
import dev.regions.bench.peers.Peers;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The space benchmark (not JMH): what holding 1,000,000 live pieces of 16..256 bytes costs in
 * native memory and in Java heap, for Regions and each peer.
 *
 * <pre>
 * java -cp benchmarks.jar dev.regions.bench.SpaceBench [--pieces N] [--peers a,b,...]
 *      [--json PATH] [--csv PATH]                  the driver: one child JVM per peer, a Markdown table
 * java --enable-native-access=ALL-UNNAMED ... -cp benchmarks.jar dev.regions.bench.SpaceBench --child PEER [--pieces N]
 * </pre>
 *
 * <p>A child JVM ({@value #HEAP} heap, pre-touched, serial GC, so that the heap's own pages and a
 * GC's native structures do not move the resident set) runs one peer on a Netty
 * {@code FastThreadLocalThread}: it first fills a <em>separate</em> allocator of the same kind
 * with {@value #WARMUP} pieces that stay live (class loading and JIT happen before the baseline,
 * and none of that memory can be reused by the measured allocator); then it takes the baseline
 * (full GCs, VmRSS from {@code /proc/self/status}, used heap, malloc's bytes in use), builds the
 * measured allocator, allocates the pieces (same fixed-seed sizes for every peer, the handles kept
 * in an array allocated before the baseline) with one byte written into each, and measures again.
 * Native bytes are the RSS growth; heap bytes the used-heap growth; requested bytes the sum of the
 * sizes. RSS growth also holds whatever the JVM itself allocated meanwhile (JIT, metadata): small
 * against the pieces, but not zero.
 */
public final class SpaceBench {
    static final int DEFAULT_PIECES = 1_000_000;
    static final int WARMUP = 20_000;
    static final String HEAP = "1g";

    /** Every peer that can hold a million pieces (the slicing allocator's segment is sized for W2). */
    static final List<String> DEFAULT_PEERS = Peers.ALL.stream()
            .filter(p -> !p.equals(Peers.SLICING) && !p.equals(Peers.ARENA_SHARED_ROUND)
                    && !p.equals(Peers.MALLOC_CRITICAL) && !p.equals(Peers.REGIONS_CONFINED_NOZERO))
            .toList();

    private static final String RESULT = "SPACE ";

    private SpaceBench() {
    }

    /**
     * Runs the driver, or one child with {@code --child PEER}.
     *
     * @param args see the class comment
     * @throws Exception if a child fails or a file cannot be written
     */
    public static void main(String[] args) throws Exception {
        String child = null;
        int pieces = DEFAULT_PIECES;
        List<String> peers = DEFAULT_PEERS;
        Path json = null;
        Path csv = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--child" -> child = args[++i];
                case "--pieces" -> pieces = Integer.parseInt(args[++i]);
                case "--peers" -> peers = Arrays.asList(args[++i].split(","));
                case "--json" -> json = Path.of(args[++i]);
                case "--csv" -> csv = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: SpaceBench [--pieces N] [--peers a,b] [--json PATH] [--csv PATH] | --child PEER");
                    System.exit(2);
                }
            }
        }
        if (child != null) {
            System.out.println(RESULT + measureOnFastThread(child, pieces).toJson());
        } else {
            drive(peers, pieces, json, csv);
        }
    }

    private static void drive(List<String> peers, int pieces, Path json, Path csv) throws Exception {
        List<SpaceFigures> all = new ArrayList<>();
        for (String peer : peers) {
            System.err.println("space: " + peer + " (" + pieces + " pieces, child JVM)");
            all.add(runChild(peer, pieces));
        }
        StringBuilder table = new StringBuilder();
        table.append("Space: ").append(String.format("%,d", pieces))
                .append(" live pieces of 16..256 bytes (fixed seed), one byte written into each; one child JVM per peer (")
                .append(String.join(" ", childFlags())).append(").\n\n");
        table.append(SpaceFigures.markdownHeader());
        all.forEach(f -> table.append(f.toMarkdown()));
        System.out.print(table);
        if (json != null) {
            List<String> items = all.stream().map(SpaceFigures::toJson).toList();
            Files.writeString(json, "[\n  " + String.join(",\n  ", items) + "\n]\n");
        }
        if (csv != null) {
            StringBuilder out = new StringBuilder(SpaceFigures.csvHeader()).append('\n');
            all.forEach(f -> out.append(f.toCsv()).append('\n'));
            Files.writeString(csv, out);
        }
    }

    static List<String> childFlags() {
        return List.of(ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
                "-Xms" + HEAP, "-Xmx" + HEAP, "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC");
    }

    private static SpaceFigures runChild(String peer, int pieces) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(childFlags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SpaceBench.class.getName(),
                "--child", peer, "--pieces", Integer.toString(pieces)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        SpaceFigures figures = null;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(RESULT)) {
                    figures = SpaceFigures.fromJson(line.substring(RESULT.length()));
                } else {
                    System.err.println(line);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || figures == null) {
            throw new IllegalStateException("space child for " + peer + " failed (exit " + exit + ")");
        }
        return figures;
    }

    /** Measures on a Netty FastThreadLocalThread, as the JMH benchmarks run. */
    static SpaceFigures measureOnFastThread(String peer, int pieces) throws InterruptedException {
        SpaceFigures[] result = new SpaceFigures[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new FastThreadLocalThread(() -> {
            try {
                result[0] = measure(peer, pieces);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "space-" + peer);
        thread.start();
        thread.join();
        if (failure[0] != null) {
            throw new IllegalStateException("measuring " + peer + " failed", failure[0]);
        }
        return result[0];
    }

    static SpaceFigures measure(String peer, int pieces) {
        int[] sizes = Sizes.small(Sizes.SEED, pieces);
        long requested = 0;
        for (int size : sizes) {
            requested += size;
        }
        Object[] holder = new Object[pieces];

        PieceAllocator warm = Peers.create(peer);
        Object[] warmPieces = new Object[WARMUP];
        int[] warmSizes = Sizes.small(Sizes.SEED + 1, WARMUP);
        for (int i = 0; i < WARMUP; i++) {
            warmPieces[i] = warm.allocate(warmSizes[i]);
        }

        settle();
        long rss0 = rss();
        long heap0 = heapUsed();
        long malloc0 = MallocInfo.inUse();

        PieceAllocator allocator = Peers.create(peer);
        for (int i = 0; i < pieces; i++) {
            holder[i] = allocator.allocate(sizes[i]);
        }

        settle();
        long rss1 = rss();
        long heap1 = heapUsed();
        long malloc1 = MallocInfo.inUse();
        long own = allocator.ownBytes();
        Reference.reachabilityFence(holder);
        Reference.reachabilityFence(warmPieces);
        Reference.reachabilityFence(warm);
        return new SpaceFigures(peer, pieces, requested, rss1 - rss0, heap1 - heap0,
                malloc0 < 0 ? -1 : malloc1 - malloc0, own);
    }

    /**
     * Full GCs until the used heap stops shrinking (at least 3, at most 10), with a pause after
     * each so that the reference and cleaner threads can drop what a collection found
     * unreachable; garbage left from before the baseline would otherwise be counted against it.
     */
    private static void settle() {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long used = heapUsed();
            if (i >= 2 && used >= previous) {
                return;
            }
            previous = used;
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** VmRSS of this process in bytes, from /proc/self/status; -1 where there is none. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
