package dev.regions.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code regions} command, started by the {@code ./regions} launcher at the repository root.
 * Today it has one subcommand, {@code demo}; trace replay and a quick benchmark report are meant
 * to join it. Without a subcommand it prints its usage.
 */
@Command(name = "regions",
        mixinStandardHelpOptions = true,
        versionProvider = RegionsCommand.Version.class,
        description = {"Regions: off-heap region allocation for Java on the FFM API.", ""},
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class RegionsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Runs the command with {@code args}, and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, ready to {@link CommandLine#execute}; tests set its output writers. */
    static CommandLine commandLine() {
        return new CommandLine(new RegionsCommand());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest, or "development build" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = RegionsCommand.class.getPackage().getImplementationVersion();
            return new String[] {"regions " + (version != null ? version : "(development build)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
