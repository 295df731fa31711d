using System.Text.Json;
using DiffusionLab.IO;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Cli.Commands;

/// <summary>`difflab evaluate RUN|CHECKPOINT`: the run's judges on generated samples (FD and friends), written into the run.</summary>
public static class EvaluateCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string> { "raw" });
        string source = args.Positional1("RUN or CHECKPOINT");
        var device = DeviceOption.Parse(args.Option("device"));
        var loaded = TrainedModel.Load(source, args.All("set"), args.Flag("raw"));
        args.RejectUnknown();

        loaded.Model.to(device);
        var result = RunEvaluation.Evaluate(loaded.Model, loaded.Config, device, seed: 1234)
                     ?? throw new ConfigException($"'{source}': no evaluator for dataset '{loaded.Config.Data.Dataset}' (FD is defined for mnist10k and characterworld runs)");
        var row = new Dictionary<string, double> { ["step"] = loaded.Step };
        foreach (var (k, v) in result) row[k] = v;
        if (loaded.RunDirectory is { } runDir)
        {
            var run = new RunFolder(runDir);
            new MetricsLog(run.MetricsFile).Append(row);
            AtomicFile.WriteAllText(run.EvaluationFile, JsonSerializer.Serialize(row, new JsonSerializerOptions { WriteIndented = true }));
        }
        stdout.WriteLine(JsonSerializer.Serialize(row));
        return 0;
    }
}
