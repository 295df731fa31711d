using DiffusionLab.Cli;
using DiffusionLab.Cli.Commands;
using DiffusionLab.Core;

return CommandRunner.Run(args);

namespace DiffusionLab.Cli
{
    /// <summary>Dispatches `difflab COMMAND ...` and turns bad input into one line on stderr and a non-zero exit.</summary>
    public static class CommandRunner
    {
        public const string Usage = """
            difflab: DiffusionLab command line

              difflab train CONFIG.json [--set Section.Key=Value ...] [--out RUN_DIR] [--device auto|cpu|cuda]
                  (a config with "Stage": "photomaker" trains PhotoMaker on the text-to-image run its BaseCheckpoint names)
              difflab sample RUN|CHECKPOINT [--count N] [--labels 0,1,... | --prompt TEXT ...] [--seed S] [--out FILE.png] [--raw] [--set Sampling.Key=Value ...] [--device D]
              difflab evaluate RUN|CHECKPOINT [--set Evaluation.NumSamples=N ...] [--device D] [--rescore: every evaluation of RUN again, from its checkpoints]
              difflab model info PRESET [--set Key=Value ...] [--keys]
              difflab study run experiments/STUDY [--scale full|smoke] [--device D] [--results DIR] [--runs DIR] [--seeds 0,1]
              difflab study report experiments/STUDY --trained-on TEXT [--trained-by CMD] [--scale S] [--runs DIR] [--results DIR]
              difflab study story experiments/STUDY --run T2I_RUN [--results DIR] [--device D]
              difflab study photomaker experiments/STUDY [--scale full|smoke] [--results DIR] [--device D] [--runs DIR] [--base T2I_RUN] [--judges DIR]
              difflab notebook run NOTEBOOK.ipynb [--set name=value ...] [--output OUT.ipynb]
              difflab bench story PRESET --panels N --mode batch|bank [--refs K] [--steps S] [--rate R] [--device D] [--out FILE.jsonl]
              difflab bench train|sample PRESET --batch B [--device D] [--steps N] [--warmup W] [--precision fp32|bf16] [--set Key=Value ...] [--out FILE.jsonl]
              difflab bench world [--size 64] [--images N] [--out FILE.jsonl]
              difflab bench compare PRESET --batch B [--threads T] [--precision fp32|bf16] [--steps N] [--warmup W] [--rounds R] [--in-channels C --input-size S --num-classes K] [--peers DIR] [--python PY] [--device D] [--out FILE.jsonl]
              difflab bench optimizer [--tensors N] [--numel M] [--steps S] [--device D] [--out FILE.jsonl]
              difflab bench chart FILE.jsonl [--out FILE.png]
              difflab story STORY.txt --run RUN --out COMIC.png [--seed S] [--rate R] [--refs K] [--steps N] [--guidance G] [--layout classic|four-panel] [--no-csa] [--save-banks DIR] [--banks DIR] [--device D]
              difflab world preview --identities N --images M --out FILE.png [--size 64] [--seed S] [--held-out] [--masks] [--scale K]
              difflab world refs --identity ID --out DIR [--count 4] [--first I] [--held-out] [--degrade blur|lowres|noise] [--size 64] [--seed S]
              difflab personalize --run PM_RUN|CHECKPOINT --refs A.png B.png ... --prompt "a man img wearing a crown , on the beach" [--seeds 0,1,2,3] [--steps 50] [--guidance 5] [--style-strength 20] [--weights 1,1,0.5,...] [--out GRID.png] [--device D]
              difflab evaluators train [--out DIR] [--seed 0] [--which identity|factors|structure|all] [--images N] [--epochs E] [--check-images K]
              difflab evaluators check [--images N] [--weights DIR] [--degraded] [--size S]

            Exit codes: 0 ok, 1 failure while running, 2 bad input (config, path, checkpoint, option).
            """;

        /// <param name="stop">Stops a training command as Ctrl-C does (for tests).</param>
        public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken stop = default)
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
                    "train" => TrainCommand.Run(rest, stdout, stop),
                    "sample" => SampleCommand.Run(rest, stdout),
                    "evaluate" => EvaluateCommand.Run(rest, stdout),
                    "model" => ModelInfoCommand.Run(rest, stdout),
                    "bench" => BenchCommand.Run(rest, stdout),
                    "study" => StudyCommand.Run(rest, stdout),
                    "notebook" => NotebookCommand.Run(rest, stdout, stderr),
                    "world" => WorldCommand.Run(rest, stdout),
                    "story" => StoryCommand.Run(rest, stdout),
                    "personalize" => PersonalizeCommand.Run(rest, stdout),
                    "evaluators" => EvaluatorsCommand.Run(rest, stdout),
                    _ => throw new UsageException($"unknown command '{args[0]}'; expected train, sample, evaluate, model, bench, study, notebook, world, story, personalize or evaluators (difflab --help)"),
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
            e is UsageException or ConfigException or InvalidDataException or FormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException;

        private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
    }
}
