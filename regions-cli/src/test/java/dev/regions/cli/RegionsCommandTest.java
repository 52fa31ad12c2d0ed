package dev.regions.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class RegionsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cl = RegionsCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void demoRunsBothDemosAndReportsGlobalLiveBytesBackToTheStart() {
        assertThat(execute("demo")).isZero();
        String text = out.toString();
        assertThat(text).contains("Interpreter:", "fib(20) = 6765", "Server: 4 threads", "0 wrong");
        assertThat(text.split("back to where they started", -1)).hasSize(3); // once per demo
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void interpreterRunsAProgramGivenOnTheCommandLine() {
        assertThat(execute("demo", "interpreter", "-e", "let x = 6 * 7; print \"answer\", x;", "--tree")).isZero();
        assertThat(out.toString()).contains("output   answer 42", "line 1: (let x (* 6 7))");
    }

    @Test
    void aBrokenProgramExitsWithOneAndSaysWhy() {
        assertThat(execute("demo", "interpreter", "-e", "print 1 +;")).isEqualTo(1);
        assertThat(out.toString()).contains("error    syntax error at line 1, column 10");
        assertThat(execute("demo", "interpreter", "--file", "no/such/file.txt")).isEqualTo(1);
        assertThat(err.toString()).contains("regions: no such file: no/such/file.txt");
    }

    @Test
    void serverTakesItsOptions() {
        assertThat(execute("demo", "server", "--threads", "2", "--requests", "500")).isZero();
        assertThat(out.toString()).contains("Server: 2 threads", "500 requests in", "500 checked");
    }

    @Test
    void badOptionsAndHelp() {
        assertThat(execute("demo", "server", "--threads", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads must be between 1 and 1024");
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: regions", "demo");
    }
}
