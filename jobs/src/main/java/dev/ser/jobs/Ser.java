package dev.ser.jobs;

import dev.ser.jobs.bench.BenchmarkCommand;
import dev.ser.jobs.bench.DetectorBenchmarkCommand;
import dev.ser.jobs.bench.QuantizationCommand;
import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.demo.DemoCommand;
import dev.ser.jobs.evaluate.EvaluateCommand;
import dev.ser.jobs.prepare.PrepareCommand;
import dev.ser.jobs.score.ScoreCommand;
import dev.ser.pipeline.corpus.CorpusFormatException;
import dev.ser.pipeline.model.InvalidModelException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ser} command line: one subcommand per job. */
@Command(
        name = "ser",
        mixinStandardHelpOptions = true,
        version = "ser 0.1.0",
        description = "Speech emotion recognition over voice-note archives on Apache Spark.",
        subcommands = {
            ScoreCommand.class,
            EvaluateCommand.class,
            PrepareCommand.class,
            DemoCommand.class,
            BenchmarkCommand.class,
            DetectorBenchmarkCommand.class,
            QuantizationCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Ser {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the command line; returns the exit code (0 done, 2 wrong usage or configuration, 1
     * failure).
     */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, with errors written to {@code err}. */
    public static int execute(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Ser());
        cli.setErr(err);
        cli.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    if (e instanceof ConfigurationException
                            || e instanceof InvalidModelException
                            || e instanceof CorpusFormatException) {
                        cmd.getErr().println("ser: error: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                });
        return cli.execute(args);
    }
}
