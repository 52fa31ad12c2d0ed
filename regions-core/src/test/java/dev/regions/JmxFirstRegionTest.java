package dev.regions;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The process's bean, {@code dev.regions:type=Regions}, as a JMX client sees it in a fresh JVM,
 * where the first region registers it off the caller's path when no MBean server exists yet (see
 * {@code Monitoring.init}): a client that asks the platform MBean server after the first region
 * finds it (looking again for a while, as a console that polls does; the test sets no deadline
 * on how soon); one that made the platform server before finds it as soon as {@code build()}
 * returns; and {@code -Dregions.jmx=false} registers nothing.
 */
class JmxFirstRegionTest {

    private static final String GLOBAL = "dev.regions:type=Regions";

    /** Run in the child JVM: prints one line, what it found. */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        MBeanServer server = mode.equals("server-first") ? ManagementFactory.getPlatformMBeanServer() : null;
        try (Region region = Region.ofConfined()) {
            region.allocate(64);
            if (server != null) {
                System.out.println(server.isRegistered(new ObjectName(GLOBAL)) ? "FOUND at once" : "MISSING at once");
                return;
            }
        }
        server = ManagementFactory.getPlatformMBeanServer();
        ObjectName global = new ObjectName(GLOBAL);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(mode.equals("off") ? 2 : 50);
        while (!server.isRegistered(global) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        if (server.isRegistered(global)) {
            Object open = server.getAttribute(global, "OpenRegions");
            System.out.println("FOUND, OpenRegions " + open);
        } else {
            System.out.println("MISSING");
        }
    }

    private static String runChild(String mode, String... jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator,
                Path.of(Region.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
                Path.of(JmxFirstRegionTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                        .toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", classPath, JmxFirstRegionTest.class.getName(), mode));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the child ended").isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aClientThatAsksAfterTheFirstRegionFindsTheBean() throws Exception {
        assertThat(runChild("after")).contains("FOUND, OpenRegions 0").doesNotContain("MISSING")
                .doesNotContain("Exception");
    }

    @Test
    void aClientThatMadeThePlatformServerFirstFindsTheBeanOnceBuildReturns() throws Exception {
        assertThat(runChild("server-first")).contains("FOUND at once").doesNotContain("Exception");
    }

    @Test
    void withJmxOffThereIsNoBean() throws Exception {
        assertThat(runChild("off", "-Dregions.jmx=false")).contains("MISSING").doesNotContain("FOUND")
                .doesNotContain("Exception");
    }
}
