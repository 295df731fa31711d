using System.CommandLine;
using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.Evaluation;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using TorchSharp;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab models export RUN|CHECKPOINT --name NAME` and `difflab models list`: the shipped models (<see cref="ModelZoo"/>)
/// that load as <c>zoo:NAME</c> wherever a run goes.
/// </summary>
public static class ModelsCommand
{
    public static Command Definition() =>
        CommandGroup.Create("models", "Export trained models into the shipped-model zoo and list it (load one as zoo:NAME)", ExportDefinition(), ListDefinition());

    private static Option<string> ModelsDirectory() => new("--models-dir")
    {
        HelpName = "DIR", Description = $"the zoo's folder (default: ${ModelZoo.DirectoryVariable}, else the repository's models/)",
    };

    private static Command ExportDefinition()
    {
        var source = new Argument<string>("RUN|CHECKPOINT") { Description = "a run folder (its latest checkpoint) or a checkpoint file: a denoiser, a PhotoMaker stage or a motion stage" };
        var name = new Option<string>("--name") { HelpName = "NAME", Description = "the model's name in the zoo (lower-case, e.g. mnist-mdtv2); loads as zoo:NAME", Required = true };
        var directory = ModelsDirectory();
        var raw = new Option<bool>("--raw") { Description = "ship the raw weights instead of the EMA weights" };
        var baseModel = new Option<string>("--base")
        {
            HelpName = "zoo:NAME", Description = "a PhotoMaker or motion stage: the shipped text-to-image model it trained on (exported from the same checkpoint first)",
        };
        var overrides = CliOptions.Overrides("a Sampling.* or Evaluation.* key of the shipped config: how the model samples by default and is judged, e.g. Sampling.GuidanceScale=2", "Section.Key=Value");
        var judge = new Option<bool>("--judge") { Description = "judge the shipped weights as shipped (bf16, the shipped config's sampler and Evaluation.NumSamples) and record the metrics in provenance.json" };
        var device = DeviceOption.Create();
        var command = new Command("export", "Write a run's weights (bf16, no optimizer state), config, tokenizer and provenance to MODELS/NAME")
            { source, name, directory, raw, baseModel, overrides, judge, device };
        command.SetAction(parse => Export(parse.GetRequiredValue(source), parse.GetRequiredValue(name), parse.GetValue(directory), parse.GetValue(raw),
            parse.GetValue(baseModel), "difflab " + string.Join(" ", parse.Tokens.Select(t => t.Value)), parse.InvocationConfiguration.Output,
            parse.GetValue(overrides) ?? [], parse.GetValue(judge), DeviceOption.Parse(parse.GetValue(device))));
        return command;
    }

    private static Command ListDefinition()
    {
        var directory = ModelsDirectory();
        var command = new Command("list", "One line per shipped model: name, kind, preset, size, judged metrics, base; then the total against the 20 MB budget") { directory };
        command.SetAction(parse => List(parse.GetValue(directory), parse.InvocationConfiguration.Output));
        return command;
    }

    public static int Export(string source, string name, string? directory, bool raw, string? baseName, string commandLine, TextWriter stdout,
        IReadOnlyList<string>? overrides = null, bool judge = false, torch.Device? device = null)
    {
        var zoo = directory is null ? ModelZoo.Default() : new ModelZoo(directory);
        device ??= torch.CPU;
        var origin = new ExportOrigin(commandLine, GitRevision.OfBuild(), DeviceDescription.Of(device));
        string checkpoint = ModelExport.SourceCheckpoint(source);
        string? stage = PhotoMakerCheckpoint.IsPhotoMakerCheckpoint(checkpoint) ? "PhotoMaker" : MotionCheckpoint.IsMotionCheckpoint(checkpoint) ? "motion" : null;
        if (stage is not null && baseName is null)
            throw new UsageException($"'{source}' is a {stage} stage: name its base with --base zoo:NAME (the text-to-image model it trained on, exported first)");
        if (stage is null && baseName is not null)
            throw new UsageException($"--base: '{source}' is not a PhotoMaker or motion stage (only a stage trained on a base has one)");
        if (stage is not null && (judge || overrides is { Count: > 0 }))
            throw new UsageException($"--judge and --set: for a denoiser; '{source}' is a {stage} stage (judge it with its study: difflab study {stage.ToLowerInvariant()})");
        var shipped = stage switch
        {
            "PhotoMaker" => PhotoMakerExport.Export(source, name, zoo, raw, baseName!, origin),
            "motion" => MotionExport.Export(source, name, zoo, raw, baseName!, origin),
            _ => ModelExport.ExportDenoiser(source, name, zoo, raw, origin, overrides, judge ? staged => Judge(staged, device, stdout) : null),
        };
        stdout.WriteLine($"wrote {shipped.ZooName} to {shipped.Directory} ({Megabytes(shipped.SizeBytes)})");
        WriteTotal(zoo, stdout);
        return 0;
    }

    /// <summary>The shipped model in <paramref name="folder"/>, loaded as a user loads it, judged by its run's evaluators with its own config.</summary>
    private static ShippedJudgement Judge(string folder, torch.Device device, TextWriter stdout)
    {
        using var loaded = TrainedModel.Load(folder, device: device);
        var metrics = RunEvaluation.Evaluate(loaded.Model, loaded.Config, device, ShippedJudgement.Seed)
                      ?? throw new ConfigException($"--judge: no evaluator for dataset '{ConfigChoice.Name(loaded.Config.Data.Dataset)}' (FD is defined for mnist10k and characterworld runs)");
        var judged = new ShippedJudgement(metrics, ShippedJudgement.Describe(loaded.Config));
        stdout.WriteLine($"judged: {Metrics(metrics)} ({judged.Setting})");
        return judged;
    }

    public static int List(string? directory, TextWriter stdout)
    {
        var zoo = directory is null ? ModelZoo.Default() : new ModelZoo(directory);
        var models = zoo.Models();
        if (models.Count == 0) stdout.WriteLine($"no shipped models in {zoo.Directory}");
        foreach (var model in models) stdout.WriteLine(Line(model));
        WriteTotal(zoo, stdout);
        return 0;
    }

    private static string Line(ShippedModel model)
    {
        var header = model.Header();
        var provenance = File.Exists(model.ProvenanceFile) ? model.Provenance() : null;
        string metrics = provenance?.Judged is { } j
            ? Metrics(j.Where(p => !p.Key.EndsWith("_seconds", StringComparison.Ordinal) && !p.Key.StartsWith("probe_", StringComparison.Ordinal)))
              + $" (judged as shipped: {provenance.JudgedWith})"
            : provenance?.Metrics is { } m
            ? Metrics(m.Where(p => p.Key != "step"))
              + string.Create(CultureInfo.InvariantCulture, $" (judged at step {m.GetValueOrDefault("step")})")
            : "not judged";
        return $"{model.ZooName}  {ShippedWeights.KindName(header.Kind)}  {provenance?.Preset ?? "?"}  step {header.Step} {(header.IsEma ? "ema" : "raw")}  {Megabytes(model.SizeBytes)}"
            + (header.Base is { } b ? $"  base {b}" : "") + $"  {metrics}";
    }

    /// <summary>"fd=28.01 class_accuracy=0.984": metrics on one line, 4 significant digits.</summary>
    private static string Metrics(IEnumerable<KeyValuePair<string, double>> metrics) =>
        string.Join(" ", metrics.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:G4}")));

    private static void WriteTotal(ModelZoo zoo, TextWriter stdout)
    {
        long total = zoo.TotalBytes();
        stdout.WriteLine($"total: {Megabytes(total)} of the {Megabytes(ModelZoo.BudgetBytes)} budget in {zoo.Directory}");
        if (total > ModelZoo.BudgetBytes)
            stdout.WriteLine($"warning: the shipped models exceed the {Megabytes(ModelZoo.BudgetBytes)} budget (models/README.md): the tracked tree must stay well under the GPU transport's 64 MiB");
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F2} MB");
}
