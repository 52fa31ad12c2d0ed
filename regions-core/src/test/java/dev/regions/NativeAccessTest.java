package dev.regions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a user sees without native access, in a JVM of its own: where restricted methods are
 * denied, building a region fails at once with an exception that names the flag to add; where
 * they are only warned about (the JDK 22-25 default), regions work.
 */
class NativeAccessTest {

    /** Run in the child JVM: prints what happened, one line. */
    public static void main(String[] args) {
        try (Region region = Region.ofConfined()) {
            System.out.println("OK " + region.allocateFrom("works").getString(0));
        } catch (Throwable t) {
            System.out.println(t.getClass().getName() + ": " + t.getMessage());
        }
    }

    private static String runChild(String... jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator,
                Path.of(Region.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Path.of(NativeAccessTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        List<String> command = new java.util.ArrayList<>(List.of(java));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classPath, NativeAccessTest.class.getName()));
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
}
