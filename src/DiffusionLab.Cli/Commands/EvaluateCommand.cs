using System.CommandLine;
using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Evaluation;
using DiffusionLab.Evaluation.World;
using DiffusionLab.IO;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab evaluate RUN|CHECKPOINT`: the run's judges on generated samples (FD and friends), written into the run.
/// On a PhotoMaker run: its ID encoder's identity retrieval on held-out people (<see cref="IdEncoderProbe"/>) against
/// an untrained encoder of the same shape, printed as one JSON line (`--people N`, default 100).
/// </summary>
public static class EvaluateCommand
{
    public static Command Definition()
    {
        var source = new Argument<string>("RUN|CHECKPOINT") { Description = "a run folder (its latest checkpoint), a checkpoint file or a shipped model (zoo:NAME)" };
        var overrides = CliOptions.Overrides("override a key of the run's config, e.g. Evaluation.NumSamples=2000", "Section.Key=Value");
        var raw = new Option<bool>("--raw") { Description = "the raw weights instead of the EMA weights" };
        var rescore = new Option<bool>("--rescore") { Description = "every evaluation of RUN (a run folder) again, from its checkpoints, with this build's judges; the rows replace the old ones" };
        var people = CliOptions.OptionalInt("--people", "N", "a PhotoMaker run: held-out people the ID encoder's identity retrieval is measured on (default: 100)", min: 2);
        var probe = new Option<string?>("--probe")
        {
            Description = "only the denoising probe, its figure written to this PNG, one JSON line per t: an MNIST run's x̂_0 of held-out test digits noised at t = 50..950 (its error, class read and class sensitivity); a CharacterWorld text-to-image run's x̂_0 of held-out renders under their captions (valid faces, prompt accuracy, error)",
            HelpName = "FIGURE.png",
        };
        var device = DeviceOption.Create();
        var command = new Command("evaluate", "Judge a run on generated samples (FD and friends), written into the run; on a PhotoMaker run, its ID encoder's identity retrieval on held-out people")
            { source, overrides, raw, rescore, people, probe, device };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var on = DeviceOption.Parse(parse.GetValue(device));
            if (parse.GetValue(probe) is { } figure)
            {
                if (parse.GetValue(rescore) || parse.GetValue(people) is not null) throw new UsageException("--probe: alone, without --rescore or --people");
                return Probe(parse.GetRequiredValue(source), parse.GetValue(overrides) ?? [], parse.GetValue(raw), figure, on, stdout);
            }
            return Run(parse.GetRequiredValue(source), parse.GetValue(overrides) ?? [], parse.GetValue(raw), parse.GetValue(rescore), parse.GetValue(people), on, stdout);
        });
        return command;
    }

    /// <summary>`--probe FIGURE.png`: the denoising probe of an MNIST run's model (EMA unless --raw), not written into the run.</summary>
    public static int Probe(string source, IReadOnlyList<string> overrides, bool raw, string figure, Device device, TextWriter stdout)
    {
        if (!figure.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--probe '{figure}': expected a .png path for the figure");
        using var loaded = TrainedModel.Load(source, overrides, raw);
        if (loaded.Config.Data.Dataset == DiffusionLab.Runs.DatasetKind.CharacterWorld) return ProbeCharacterWorld(loaded, figure, device, stdout);
        if (loaded.Config.Data.Dataset != DiffusionLab.Runs.DatasetKind.Mnist10k)
            throw new UsageException($"--probe: '{source}' is a {ConfigChoice.Name(loaded.Config.Data.Dataset)} run; the denoising probe reads MNIST digits (an mnist10k run) or CharacterWorld people (a characterworld run)");
        loaded.Model.to(device);
        using var judge = MnistEvaluator.LoadDefault(device);
        int perClass = loaded.Config.Evaluation.ProbeDigitsPerClass > 0 ? loaded.Config.Evaluation.ProbeDigitsPerClass : 10;
        var betas = DiffusionLab.Diffusion.BetaSchedule.Create(loaded.Config.Diffusion.Schedule, loaded.Config.Diffusion.Timesteps);
        using var result = DenoisingProbe.Run(loaded.Model, betas, judge, device, perClass: perClass, seed: 1234);
        if (Path.GetDirectoryName(Path.GetFullPath(figure)) is { } folder) Directory.CreateDirectory(folder);
        result.SaveFigure(figure);
        foreach (var r in result.Rows)
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["step"] = loaded.Step, ["t"] = r.Timestep, ["eps_mse"] = r.EpsMse, ["x0_mse"] = r.X0Mse, ["x0_true_read"] = r.X0TrueClassRead,
                ["class_sensitivity"] = r.ClassSensitivity, ["label_follow"] = r.OtherLabelFollowRate,
            }));
        stdout.WriteLine($"probe figure: {figure} (row 1 the clean digits; per t: x_t, x̂_0 under the true label, x̂_0 under the next class)");
        return 0;
    }

    /// <summary>The probe of a CharacterWorld text-to-image model: x̂_0 of held-out renders noised at t = 50..950, judged as samples are.</summary>
    private static int ProbeCharacterWorld(TrainedModel loaded, string figure, Device device, TextWriter stdout)
    {
        loaded.Model.to(device);
        using var judges = CharacterWorldEvaluator.LoadDefault(device);
        const int images = 200; // one image of each of the standard world's 200 held-out people
        using var result = CharacterWorldProbe.Run(loaded.Model, loaded.Config, judges, device, images: images, seed: 1234);
        if (Path.GetDirectoryName(Path.GetFullPath(figure)) is { } folder) Directory.CreateDirectory(folder);
        result.SaveFigure(figure);
        foreach (var r in result.Rows)
        {
            var line = new Dictionary<string, object>
            {
                ["step"] = loaded.Step, ["t"] = r.Timestep, ["images"] = images, ["x0_mse"] = r.X0Mse, ["valid_faces"] = r.ValidFaces, ["prompt_accuracy"] = r.PromptAccuracy,
            };
            foreach (var (factor, accuracy) in r.PerFactor) line[$"prompt_{factor}"] = accuracy;
            stdout.WriteLine(JsonSerializer.Serialize(line));
        }
        stdout.WriteLine($"probe figure: {figure} (row 1 the clean held-out renders; per t: x_t, then x̂_0 under the render's caption; t = 0 is the renders themselves)");
        return 0;
    }

    /// <param name="people">PhotoMaker runs: held-out people of the probe; null: 100.</param>
    public static int Run(string source, IReadOnlyList<string> overrides, bool raw, bool rescore, int? people, Device device, TextWriter stdout)
    {
        if (rescore) return Rescore(source, overrides, raw, device, stdout);
        string checkpoint = ModelZoo.IsZooName(source) ? RunFolder.CheckpointOf(source) : Directory.Exists(source) ? TrainingCheckpoint.Latest(source) ?? source : source;
        bool photoMaker = File.Exists(checkpoint) && PhotoMakerCheckpoint.IsPhotoMakerCheckpoint(checkpoint);
        if (photoMaker && (overrides.Count > 0 || raw)) throw new UsageException($"'{source}' is a PhotoMaker run: --set and --raw are for a denoiser run's evaluation");
        if (!photoMaker && people is not null) throw new UsageException($"--people: '{source}' is not a PhotoMaker run (the option sets the people of a PhotoMaker run's ID-encoder probe)");
        if (photoMaker) return ProbeIdEncoder(checkpoint, people ?? 100, device, stdout);
        var loaded = TrainedModel.Load(source, overrides, raw);

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

    private static int ProbeIdEncoder(string checkpoint, int people, Device device, TextWriter stdout)
    {
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
    private static int Rescore(string runDirectory, IReadOnlyList<string> overrides, bool raw, Device device, TextWriter stdout)
    {
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
                var result = RunEvaluation.Evaluate(loaded.Model, loaded.Config.EvaluatedAt(step), device, seed: 1234, judges)!;
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
