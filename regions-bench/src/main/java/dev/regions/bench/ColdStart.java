package dev.regions.bench;

import dev.regions.MemorySource;
import dev.regions.Region;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cold-start benchmark (not JMH): what the <em>first</em> region of a process costs, against
 * the first JDK arena of a process. Each sample is a fresh JVM, which times, with
 * {@code System.nanoTime}, building the allocator, allocating 64 bytes from it and closing it:
 * {@code Region.ofConfined()} for {@code regions}, {@code Arena.ofConfined()} for {@code arena}
 * (and, if asked, a region on {@code MemorySource.jdk()} for {@code regions-jdk}). The kinds
 * alternate within a round, so that both see the same machine.
 *
 * <pre>
 * . .mvn/select-jdk.sh
 * ./mvnw -B -q -o -ntp -pl regions-bench -am compile
 * java -cp regions-core/target/classes:regions-bench/target/classes dev.regions.bench.ColdStart [--samples N]
 *      [--kinds arena,regions,regions-jdk] [--cp CLASSPATH] [--before-cp CLASSPATH] [--jvm-arg ARG]...
 * </pre>
 *
 * <p>{@code --cp} is the class path of the children (by default this JVM's: the shaded
 * {@code benchmarks.jar} works too). {@code --before-cp} is another one, with another build of
 * Regions first (and this class after it), for the kinds {@code regions-before} and
 * {@code regions-jdk-before}, which run interleaved with the others in the same run.
 * {@code --jvm-arg} adds an option to every child (e.g. {@code -Dregions.jmx=false}). Every child
 * runs with {@code --enable-native-access=ALL-UNNAMED}, nothing else. Prints, per kind, the median, the spread (min, max, and the quartiles) of the
 * three steps and their total in milliseconds (wall clock), the time the measuring thread spent on
 * a CPU during them ({@code main CPU}, Linux only: on a busy machine, the part of the total that
 * is work rather than waiting), and the child's whole wall time (JVM start to exit).
 */
public final class ColdStart {
    private ColdStart() {
    }

    private static final String RESULT = "COLD ";

    /**
     * Runs the driver, or one child with {@code --child KIND}.
     *
     * @param args see the class comment
     * @throws Exception if a child fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            child(args[1]);
            return;
        }
        int samples = 15;
        List<String> kinds = List.of("arena", "regions");
        String classPath = System.getProperty("java.class.path");
        String beforeClassPath = null;
        List<String> jvmArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--kinds" -> kinds = Arrays.asList(args[++i].split(","));
                case "--cp" -> classPath = args[++i];
                case "--before-cp" -> beforeClassPath = args[++i];
                case "--jvm-arg" -> jvmArgs.add(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + "; usage: ColdStart [--samples N]"
                            + " [--kinds arena,regions,regions-jdk,regions-before] [--cp CLASSPATH] [--before-cp CLASSPATH]"
                            + " [--jvm-arg ARG]...");
                    System.exit(2);
                }
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (String kind : kinds) {
            results.put(kind, new ArrayList<>());
        }
        for (int s = 0; s < samples; s++) {
            for (int k = 0; k < kinds.size(); k++) {
                String kind = kinds.get((k + s) % kinds.size()); // alternate which goes first
                boolean before = kind.endsWith("-before");
                if (before && beforeClassPath == null) {
                    throw new IllegalArgumentException(kind + " needs --before-cp");
                }
                results.get(kind).add(runChild(java, before ? beforeClassPath : classPath, jvmArgs,
                        before ? kind.substring(0, kind.length() - "-before".length()) : kind));
            }
        }
        System.out.printf(Locale.ROOT, "%d samples per kind, a fresh JVM each (%s %s); milliseconds%n", samples,
                Runtime.version(), jvmArgs.isEmpty() ? "" : String.join(" ", jvmArgs));
        System.out.printf(Locale.ROOT, "| %-18s | %-8s | %8s | %8s | %8s | %8s | %8s |%n", "kind", "step", "median",
                "min", "p25", "p75", "max");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        String[] steps = {"build", "allocate", "close", "total", "main CPU", "JVM wall"};
        for (String kind : kinds) {
            List<double[]> rows = results.get(kind);
            for (int step = 0; step < steps.length; step++) {
                double[] v = new double[rows.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rows.get(i)[step];
                }
                Arrays.sort(v);
                System.out.printf(Locale.ROOT, "| %-18s | %-8s | %8.1f | %8.1f | %8.1f | %8.1f | %8.1f |%n", kind,
                        steps[step], quantile(v, 0.5), v[0], quantile(v, 0.25), quantile(v, 0.75), v[v.length - 1]);
            }
        }
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** One sample: build, allocate, close, total (ms, measured in the child), and the child's wall time. */
    private static double[] runChild(String java, String classPath, List<String> jvmArgs, String kind)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", classPath, ColdStart.class.getName(), "--child", kind));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.append(line).append('\n');
                if (line.startsWith(RESULT)) {
                    result = line.substring(RESULT.length());
                }
            }
        }
        int exit = process.waitFor();
        double wall = (System.nanoTime() - start) / 1e6;
        if (exit != 0 || result == null) {
            throw new IllegalStateException("child " + kind + " failed (exit " + exit + "):\n" + output);
        }
        String[] f = result.trim().split(" ");
        double[] row = new double[6];
        for (int i = 0; i < 4; i++) {
            row[i] = Long.parseLong(f[i]) / 1e6;
        }
        row[4] = Long.parseLong(f[4]) / 1e6;
        row[5] = wall;
        return row;
    }

    /** The child: times the first allocator of its kind; prints one line, nanoseconds. */
    private static void child(String kind) {
        cpu(); // the reading's own classes, before the clock starts
        long cpu = cpu();
        long[] t = switch (kind) {
            case "regions" -> FirstRegion.time(false);
            case "regions-jdk" -> FirstRegion.time(true);
            case "arena" -> FirstArena.time();
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
        cpu = cpu() - cpu;
        System.out.println(RESULT + (t[1] - t[0]) + " " + (t[2] - t[1]) + " " + (t[3] - t[2]) + " " + (t[3] - t[0])
                + " " + cpu);
    }

    /**
     * The calling thread's time on a CPU so far, in nanoseconds (the first figure of Linux's
     * {@code /proc/thread-self/schedstat}), or -1 elsewhere: what the steps cost the caller's
     * thread, apart from the time it waited for a CPU on a busy machine.
     */
    private static long cpu() {
        try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/thread-self/schedstat")) {
            byte[] b = new byte[128];
            int n = in.read(b);
            long v = 0;
            for (int i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++) {
                v = v * 10 + (b[i] - '0');
            }
            return v;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Apart, so that the arena's child never loads a class of Regions. */
    private static final class FirstRegion {
        static long[] time(boolean jdkSource) {
            long[] t = new long[4];
            t[0] = System.nanoTime();
            Region region = jdkSource ? Region.builder().source(MemorySource.jdk()).build() : Region.ofConfined();
            t[1] = System.nanoTime();
            region.allocate(64);
            t[2] = System.nanoTime();
            region.close();
            t[3] = System.nanoTime();
            return t;
        }
    }

    private static final class FirstArena {
        static long[] time() {
            long[] t = new long[4];
            t[0] = System.nanoTime();
            Arena arena = Arena.ofConfined();
            t[1] = System.nanoTime();
            arena.allocate(64);
            t[2] = System.nanoTime();
            arena.close();
            t[3] = System.nanoTime();
            return t;
        }
    }
}
