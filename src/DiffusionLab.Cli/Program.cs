using DiffusionLab.Cli;
using DiffusionLab.Cli.Commands;
using DiffusionLab.Training;

return CommandRunner.Run(args);

namespace DiffusionLab.Cli
{
    /// <summary>Dispatches `difflab COMMAND ...` and turns bad input into one line on stderr and a non-zero exit.</summary>
    public static class CommandRunner
    {
        public const string Usage = """
            difflab: DiffusionLab command line

              difflab train CONFIG.json [--set Section.Key=Value ...] [--out RUN_DIR] [--device auto|cpu|cuda]
              difflab sample RUN|CHECKPOINT [--count N] [--labels 0,1,...] [--seed S] [--out FILE.png] [--raw] [--set Sampling.Key=Value ...] [--device D]
              difflab evaluate RUN|CHECKPOINT [--set Evaluation.NumSamples=N ...] [--device D]
              difflab model info PRESET [--set Key=Value ...] [--keys]
              difflab study run experiments/STUDY [--scale full|smoke] [--device D] [--results DIR] [--runs DIR]
              difflab notebook run NOTEBOOK.ipynb [--set name=value ...] [--output OUT.ipynb]
              difflab bench train|sample PRESET --batch B [--device D] [--steps N] [--warmup W] [--precision fp32|bf16] [--set Key=Value ...] [--out FILE.jsonl]
              difflab bench world [--size 64] [--images N] [--out FILE.jsonl]
              difflab world preview --identities N --images M --out FILE.png [--size 64] [--seed S] [--held-out] [--masks] [--scale K]
              difflab evaluators train [--out DIR] [--seed 0] [--which identity|factors|structure|all] [--images N] [--epochs E] [--check-images K]
              difflab evaluators check [--images N] [--weights DIR] [--degraded]

            Exit codes: 0 ok, 1 failure while running, 2 bad input (config, path, checkpoint, option).
            """;

        public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
        {
            stdout ??= Console.Out;
            stderr ??= Console.Error;
            try
            {
                if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
                {
                    stdout.WriteLine(Usage);
                    return args.Length == 0 ? 2 : 0;
                }
                var rest = args.Skip(1).ToArray();
                return args[0] switch
                {
                    "train" => TrainCommand.Run(rest, stdout),
                    "sample" => SampleCommand.Run(rest, stdout),
                    "evaluate" => EvaluateCommand.Run(rest, stdout),
                    "model" => ModelInfoCommand.Run(rest, stdout),
                    "bench" => BenchCommand.Run(rest, stdout),
                    "study" => StudyCommand.Run(rest, stdout),
                    "notebook" => NotebookCommand.Run(rest, stdout, stderr),
                    "world" => WorldCommand.Run(rest, stdout),
                    "evaluators" => EvaluatorsCommand.Run(rest, stdout),
                    _ => throw new UsageException($"unknown command '{args[0]}'; expected train, sample, evaluate, model, bench, study, notebook, world or evaluators (difflab --help)"),
                };
            }
            catch (Exception e) when (IsBadInput(e))
            {
                stderr.WriteLine($"difflab: {OneLine(e.Message)}");
                return 2;
            }
            catch (Exception e)
            {
                stderr.WriteLine($"difflab: failed: {OneLine(e.Message)}");
                if (Environment.GetEnvironmentVariable("DIFFLAB_TRACE") == "1") stderr.WriteLine(e);
                return 1;
            }
        }

        private static bool IsBadInput(Exception e) =>
            e is UsageException or ConfigException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or ArgumentException;

        private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
    }
}
