package dev.regions;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a user sees without native access, in a JVM of its own: where restricted methods are
 * denied, building a region fails at once with an exception that names the flag to add; where
 * they are only warned about (the JDK 22-25 default), regions on the built-in sources work, and a
 * region on a source of the caller's own (which is trusted with raw memory) is refused.
 */
class NativeAccessTest {

    /** A source of the caller's own: a thin wrapper over a built-in one. */
    private static final class OwnSource implements MemorySource {
        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            return MemorySource.jdk().allocate(byteSize, byteAlignment);
        }

        @Override
        public void release(MemorySegment block) {
            MemorySource.jdk().release(block);
        }
    }

    /**
     * Run in the child JVM: prints what happened, one line. Argument "own": on an
     * {@link OwnSource}; "own-indirectly": the same, passed to the builder through a JDK method;
     * "own-serialized": its {@code serialized()} view, a class of this library.
     */
    public static void main(String[] args) {
        try (Region region = build(args.length > 0 ? args[0] : "")) {
            System.out.println("OK " + region.allocateFrom("works").getString(0));
        } catch (Throwable t) {
            System.out.println(t.getClass().getName() + ": " + t.getMessage());
        }
    }

    private static Region build(String mode) {
        Region.Builder builder = Region.builder();
        if (mode.equals("own")) {
            builder.source(new OwnSource());
        } else if (mode.equals("own-indirectly")) {
            java.util.Optional.of(new OwnSource()).map(builder::source);
        } else if (mode.equals("own-serialized")) {
            builder.source(new OwnSource().serialized());
        }
        return builder.build();
    }

    private static String runChild(String... jvmOptions) throws Exception {
        return runChild(List.of(jvmOptions), List.of());
    }

    private static String runChild(List<String> jvmOptions, List<String> args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator,
                Path.of(Region.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Path.of(NativeAccessTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, NativeAccessTest.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void deniedNativeAccessFailsAtBuildWithTheFlagToAdd() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "--illegal-native-access exists from JDK 24");
        String output = runChild("--illegal-native-access=deny");
        assertThat(output).contains("java.lang.IllegalCallerException")
                .contains("--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void withoutTheFlagRegionsWorkAfterAWarning() throws Exception {
        String output = runChild();
        assertThat(output).contains("OK works").contains("WARNING");
    }

    @Test
    void withTheFlagThereIsNoWarning() throws Exception {
        String output = runChild("--enable-native-access=ALL-UNNAMED");
        assertThat(output).contains("OK works").doesNotContain("WARNING");
    }

    @Test
    void withoutTheFlagARegionOnASourceOfTheCallersOwnIsRefused() throws Exception {
        String output = runChild(List.of(), List.of("own"));
        assertThat(output).contains("java.lang.IllegalCallerException")
                .contains("--enable-native-access=ALL-UNNAMED").doesNotContain("OK");
    }

    @Test
    void withoutTheFlagASourceOfTheCallersOwnIsRefusedEvenWhenAJdkMethodPassesItOn() throws Exception {
        String output = runChild(List.of(), List.of("own-indirectly"));
        assertThat(output).contains("java.lang.IllegalCallerException").doesNotContain("OK");
    }

    @Test
    void withoutTheFlagASerializedViewOfASourceOfTheCallersOwnIsRefused() throws Exception {
        String output = runChild(List.of(), List.of("own-serialized"));
        assertThat(output).contains("java.lang.IllegalCallerException").doesNotContain("OK");
    }

    @Test
    void withTheFlagARegionOnASourceOfTheCallersOwnWorks() throws Exception {
        String output = runChild(List.of("--enable-native-access=ALL-UNNAMED"), List.of("own"));
        assertThat(output).contains("OK works");
    }
}
