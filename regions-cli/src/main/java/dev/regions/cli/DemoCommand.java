package dev.regions.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code regions demo}: the two jobs the original allocator (ScriptBasic's) was made for, done
 * for real. Alone it runs both with their defaults; {@code demo interpreter} and
 * {@code demo server} run one, with options.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
                "Runs the jobs the original C allocator was made for, done for real.",
                "",
                "  interpreter  a backtracking parser builds its syntax tree off-heap:",
                "               a rule that fails resets its scratch region, the one",
                "               that matches is merged into the program's region",
                "  server       worker threads give each request its own region, closed",
                "               with the request, while a shared region holds a cache",
                "",
                "Without a subcommand, runs both with their defaults."},
        subcommands = {InterpreterDemoCommand.class, ServerDemoCommand.class})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Regions demo: the two jobs the original C allocator (ScriptBasic's) was made for.");
        out.println();
        int interpreter = InterpreterDemoCommand.runAndReport(out, InterpreterDemo.defaultProgram(),
                InterpreterDemo.DEFAULT_MAX_STEPS, false, false);
        out.println();
        int server = ServerDemoCommand.runAndReport(out, ServerDemoCommand.DEFAULT_THREADS,
                ServerDemoCommand.DEFAULT_REQUESTS, ServerDemoCommand.DEFAULT_CACHE_SLOTS,
                ServerDemoCommand.DEFAULT_ITEMS);
        out.println();
        out.println("More: regions demo interpreter --help, regions demo server --help");
        out.flush();
        return Math.max(interpreter, server);
    }
}
