package dev.regions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The first blocks of {@code MemorySource.malloc()} in a fresh JVM, taken while its downcall
 * handles are still being made (early blocks from JDK arenas, see {@code MallocSource}): pieces in
 * them work, are zeroed, and every block goes back, whether the region ends before or after the
 * handles exist, through a region or the source's public door.
 */
class MallocFirstBlocksTest {

    /** Run in the child JVM: prints "OK" and whether the first blocks were taken while the handles were being made. */
    public static void main(String[] args) throws Exception {
        Region first = Region.ofConfined();
        Region second = Region.ofShared();
        List<MemorySegment> pieces = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // several blocks, and a large piece
            pieces.add(first.allocate(16 + i * 8));
            pieces.add(second.allocate(32));
        }
        pieces.add(first.allocate(100_000, 4096));
        boolean early = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("regions-malloc-linker"));
        MemorySegment outside = MemorySource.malloc().allocate(1000, 8);
        for (MemorySegment p : pieces) {
            for (long j = 0; j < p.byteSize(); j++) {
                if (p.get(ValueLayout.JAVA_BYTE, j) != 0) {
                    throw new AssertionError("not zeroed: " + p);
                }
            }
            p.fill((byte) 7);
        }
        first.close(); // maybe before the handles exist
        while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("regions-malloc-linker"))) {
            Thread.sleep(5);
        }
        Region third = Region.ofConfined();
        third.allocate(64).fill((byte) 1);
        second.free(pieces.get(1));
        second.close(); // after: early blocks and malloc's own
        third.close();
        MemorySource.malloc().release(outside);
        RegionStats stats = Regions.globalStats();
        System.out.println((stats.grossBytes() == 0 && stats.liveBytes() == 0 ? "OK" : "LEFT " + stats)
                + (early ? " early" : " late"));
    }

    @Test
    void firstBlocksWorkAndGoBack() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator,
                Path.of(Region.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Path.of(MallocFirstBlocksTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                        .toString());
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-ea", "-cp", classPath,
                MallocFirstBlocksTest.class.getName()).redirectErrorStream(true).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the child ended").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).startsWith("OK").doesNotContain("Exception").doesNotContain("Error");
    }
}
