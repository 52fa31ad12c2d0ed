package dev.regions.cli.server;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code regions demo server} on its own: the subcommand run without its parent, as
 * {@code demo server ARGS} runs it ({@code demo --checked server}, refused, is tested with the
 * whole command, in {@code RegionsCommandTest}).
 */
class ServerDemoCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cl = new CommandLine(new ServerDemoCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void serverTakesItsOptions() {
        assertThat(execute("--threads", "2", "--requests", "500")).isZero();
        assertThat(out.toString()).contains("Server: 2 threads", "500 requests in", "500 checked");
    }

    @Test
    void badOptions() {
        assertThat(execute("--threads", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads must be between 1 and 1024");
    }
}
