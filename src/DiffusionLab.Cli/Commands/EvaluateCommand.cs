using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Evaluation;
using DiffusionLab.IO;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using TorchSharp;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab evaluate RUN|CHECKPOINT`: the run's judges on generated samples (FD and friends), written into the run.
/// On a PhotoMaker run: its ID encoder's identity retrieval on held-out people (<see cref="IdEncoderProbe"/>) against
/// an untrained encoder of the same shape, printed as one JSON line (`--people N`, default 100).
/// </summary>
public static class EvaluateCommand
{
    public static int Run(string[] argv, TextWriter stdout)
    {
        var args = new Arguments(argv, new HashSet<string> { "raw", "rescore" });
        string source = args.Positional1("RUN or CHECKPOINT");
        var device = DeviceOption.Parse(args.Option("device"));
        if (args.Flag("rescore")) return Rescore(source, args, device, stdout);
        string checkpoint = Directory.Exists(source) ? TrainingCheckpoint.Latest(source) ?? source : source;
        if (File.Exists(checkpoint) && PhotoMakerCheckpoint.IsPhotoMakerCheckpoint(checkpoint)) return ProbeIdEncoder(checkpoint, args, device, stdout);
        var loaded = TrainedModel.Load(source, args.All("set"), args.Flag("raw"));
        args.RejectUnknown();

        loaded.Model.to(device);
        var result = RunEvaluation.Evaluate(loaded.Model, loaded.Config, device, seed: 1234)
                     ?? throw new ConfigException($"'{source}': no evaluator for dataset '{ConfigChoice.Name(loaded.Config.Data.Dataset)}' (FD is defined for mnist10k and characterworld runs)");
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

    private static int ProbeIdEncoder(string checkpoint, Arguments args, TorchSharp.torch.Device device, TextWriter stdout)
    {
        string? peopleText = args.Option("people");
        int people = 100;
        if (peopleText is not null && (!int.TryParse(peopleText, out people) || people < 2))
            throw new UsageException($"--people '{peopleText}': expected an integer of at least 2");
        args.RejectUnknown();
        using var pipeline = PhotoMakerPipeline.Load(checkpoint, device);
        var world = pipeline.BaseWorld();
        int heldOut = world.Identities(DiffusionLab.Data.World.WorldSplit.HeldOut).Count;
        if (people > heldOut) throw new UsageException($"--people {people}: the base run's world has {heldOut} held-out people");
        var encoder = pipeline.Model.IdEncoder;
        using var init = new TorchSharp.torch.Generator((ulong)pipeline.Model.Config.Seed, TorchSharp.torch.CPU);
        using var untrainedEncoder = new StackedIdEncoder(encoder.ImageConfig, encoder.TextWidth, generator: init);
        untrainedEncoder.to(device);
        var probes = IdEncoderProbe.Run([encoder, untrainedEncoder], world, people);
        var (trained, untrained) = (probes[0], probes[1]);
        var row = new Dictionary<string, object>
        {
            ["checkpoint"] = checkpoint, ["step"] = pipeline.Step ?? 0, ["people"] = trained.People, ["references"] = trained.References,
            ["queries"] = trained.Queries, ["chance"] = trained.Chance,
            ["id_rank1"] = trained.Rank1, ["id_same_cosine"] = trained.SameCosine, ["id_other_cosine"] = trained.OtherCosine,
            ["untrained_id_rank1"] = untrained.Rank1, ["untrained_id_same_cosine"] = untrained.SameCosine, ["untrained_id_other_cosine"] = untrained.OtherCosine,
        };
        stdout.WriteLine(JsonSerializer.Serialize(row));
        return 0;
    }

    /// <summary>
    /// `--rescore`: every evaluation of a run again, from the checkpoint of its step, with the judges of this build
    /// (after the judges were retrained); the rows replace the old ones and keep their wall-clock time.
    /// </summary>
    private static int Rescore(string runDirectory, Arguments args, TorchSharp.torch.Device device, TextWriter stdout)
    {
        var overrides = args.All("set");
        bool raw = args.Flag("raw");
        args.RejectUnknown();
        if (!Directory.Exists(runDirectory)) throw new UsageException($"--rescore '{runDirectory}': expected a run folder");
        var run = new RunFolder(runDirectory);
        var log = new MetricsLog(run.MetricsFile);
        var old = log.ReadAll().Where(r => r.ContainsKey("fd")).GroupBy(r => (long)r["step"]).ToDictionary(g => g.Key, g => g.Last());
        if (old.Count == 0) throw new ConfigException($"run '{runDirectory}': no evaluations to re-score in {run.MetricsFile}");
        var rows = new List<IReadOnlyDictionary<string, double>>();
        IDisposable? judges = null;
        try
        {
            foreach (var (step, previous) in old.OrderBy(p => p.Key))
            {
                string checkpoint = run.Checkpoint(step);
                if (!File.Exists(checkpoint)) throw new ConfigException($"run '{runDirectory}': no checkpoint for the evaluation at step {step} ({checkpoint})");
                using var loaded = TrainedModel.Load(checkpoint, overrides, raw);
                loaded.Model.to(device);
                judges ??= RunEvaluation.LoadJudges(loaded.Config, device);
                var result = RunEvaluation.Evaluate(loaded.Model, loaded.Config, device, seed: 1234, judges)!;
                var row = new Dictionary<string, double> { ["step"] = step, ["wall_seconds"] = previous.GetValueOrDefault("wall_seconds") };
                foreach (var (k, v) in result) row[k] = v;
                rows.Add(row);
                stdout.WriteLine(JsonSerializer.Serialize(row));
            }
        }
        finally { judges?.Dispose(); }
        log.ReplaceEvaluations(rows);
        AtomicFile.WriteAllText(run.EvaluationFile, JsonSerializer.Serialize(rows[^1], new JsonSerializerOptions { WriteIndented = true }));
        stdout.WriteLine($"re-scored {rows.Count} evaluations of {run.Path}");
        return 0;
    }
}
