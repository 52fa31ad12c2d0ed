package dev.regions.cli;

import dev.regions.RegionStats;
import dev.regions.Regions;
import dev.regions.cli.interpreter.InterpreterDemoCommand;
import dev.regions.cli.nativelibs.NativeDemoCommand;
import dev.regions.cli.server.ServerDemoCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code regions demo}: the two jobs the original allocator (ScriptBasic's) was made for, done
 * for real. Alone it runs both with their defaults; {@code demo interpreter} and
 * {@code demo server} run one, with options. Each ends with the report of the regions it still
 * has open, then the global figures once they are closed; the two together end with the global
 * figures once more.
 *
 * <p>Each demo is a package of its own ({@code dev.regions.cli.interpreter},
 * {@code dev.regions.cli.server}) that shows this class only its subcommand and a run with the
 * defaults. The subcommands read this command's {@code --checked} by name from their parent's
 * spec, so that neither package depends on this class.
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
                "  native       C libraries (Lua, zlib) allocate in capped regions",
                "               (not run without a subcommand: it needs liblua5.4-0)",
                "",
                "Each ends with Regions.report() of the regions it still has open, just",
                "before it closes them, and the global figures once they are closed.",
                "",
                "Without a subcommand, runs both with their defaults."},
        subcommands = {InterpreterDemoCommand.class, ServerDemoCommand.class, NativeDemoCommand.class})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--checked",
            description = "Run the interpreter with checked regions and a planted overrun for them to catch"
                    + " (see demo interpreter --help).")
    boolean checked;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Regions demo: the two jobs the original C allocator (ScriptBasic's) was made for.");
        out.println();
        int interpreter = InterpreterDemoCommand.runDefault(out, checked);
        out.println();
        int server = ServerDemoCommand.runDefault(out);
        out.println();
        RegionStats global = Regions.globalStats();
        out.printf("All regions closed: global live %s, %s, gross %s; %s reclaimed unclosed%n",
                Report.bytes(global.liveBytes()), Report.count(global.liveCount(), "piece"),
                Report.bytes(global.grossBytes()), Report.count(Regions.reclaimedRegions(), "region"));
        out.println("More: regions demo interpreter --help, regions demo server --help, regions demo native");
        out.flush();
        return Math.max(interpreter, server);
    }
}
