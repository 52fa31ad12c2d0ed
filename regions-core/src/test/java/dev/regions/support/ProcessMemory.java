package dev.regions.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process's resident set size as the OS sees it (Linux {@code /proc/self}): all of it
 * ({@code VmRSS}), and the part outside the Java heap, which is where native memory (the C heap,
 * and with it every region's blocks) lives. The Java heap's share of the RSS grows while the
 * collector touches pages of the heap for the first time, or resizes the young generation, which
 * says nothing about native memory.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path SMAPS = Path.of("/proc/self/smaps");

    private ProcessMemory() {
    }

    public static boolean available() {
        return Files.isReadable(STATUS);
    }

    /** VmRSS in bytes. */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return kiloBytes(line) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS line in " + STATUS);
    }

    /** One mapping of {@code /proc/self/smaps}. */
    private record Mapping(long start, long end, boolean anonymous, long rss) {
        long size() {
            return end - start;
        }
    }

    /**
     * The resident bytes of every mapping but the Java heap's, or -1 if the heap's mappings cannot
     * be told apart. The heap is one reserved range of {@link Runtime#maxMemory()} bytes, which the
     * kernel shows as adjacent anonymous mappings (committed and reserved parts): the run of adjacent
     * anonymous mappings whose sizes add up to within 1% of that.
     */
    public static long rssOutsideJavaHeapBytes() {
        List<Mapping> maps = new ArrayList<>();
        try {
            long start = 0;
            long end = 0;
            boolean anonymous = false;
            for (String line : Files.readAllLines(SMAPS)) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && line.substring(0, dash).chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                    String[] fields = line.trim().split("\\s+");
                    anonymous = fields.length < 6;
                } else if (line.startsWith("Rss:")) {
                    maps.add(new Mapping(start, end, anonymous, kiloBytes(line) * 1024));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long max = Runtime.getRuntime().maxMemory();
        long total = maps.stream().mapToLong(Mapping::rss).sum();
        for (int i = 0; i < maps.size(); i++) {
            long size = 0;
            long heapRss = 0;
            for (int j = i; j < maps.size() && maps.get(j).anonymous()
                    && (j == i || maps.get(j).start() == maps.get(j - 1).end()); j++) {
                size += maps.get(j).size();
                heapRss += maps.get(j).rss();
                if (Math.abs(size - max) <= max / 100) {
                    return total - heapRss;
                }
                if (size > max + max / 100) {
                    break;
                }
            }
        }
        return -1;
    }

    private static long kiloBytes(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]);
    }
}
