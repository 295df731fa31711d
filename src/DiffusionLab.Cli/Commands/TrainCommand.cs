using System.CommandLine;
using DiffusionLab.Core;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// `difflab train CONFIG.json`: trains into a run folder, resuming it when it already has a checkpoint. A config
/// with <c>"Stage": "photomaker"</c> trains a PhotoMaker stage on the text-to-image run its BaseCheckpoint names
/// (<see cref="StageConfigFile"/>), and <c>"Stage": "motion"</c> StoryDiffusion's transition stage on one (<see cref="MotionTrainer"/>),
/// with the same options, resume and Ctrl-C behaviour.
/// </summary>
public static class TrainCommand
{
    public static Command Definition()
    {
        var config = new Argument<string>("CONFIG.json") { Description = "the run's config (JSON); \"Stage\": \"photomaker\" trains PhotoMaker on the text-to-image run its BaseCheckpoint names" };
        var overrides = CliOptions.Overrides("override a config key, e.g. Training.Steps=100 (a PhotoMaker stage: its own keys, e.g. LoraRank=4)", "Section.Key=Value");
        var output = new Option<string>("--out") { HelpName = "RUN_DIR", Description = "the run folder (default: runs/CONFIG, the config's file name); an existing run resumes" };
        var device = DeviceOption.Create();
        var command = new Command("train", "Train a run into a run folder, resuming it when it already has a checkpoint (Ctrl-C or SIGTERM: a checkpoint, then exit 130)")
            { config, overrides, output, device };
        command.SetAction((parse, stop) => Task.FromResult(Run(parse.GetRequiredValue(config), parse.GetValue(overrides) ?? [], parse.GetValue(output),
            DeviceOption.Parse(parse.GetValue(device)), parse.InvocationConfiguration.Output, stop)));
        return command;
    }

    /// <param name="configPath">The run's config file.</param>
    /// <param name="overrides">--set Key=Value, applied in order.</param>
    /// <param name="output">The run folder; null: runs/ and the config's name.</param>
    /// <param name="stdout">Progress and the summary line.</param>
    /// <param name="stop">Stops like Ctrl-C does (a checkpoint, then exit 130); tests use it, Ctrl-C and SIGTERM are wired here too (<see cref="StopSignals"/>).</param>
    public static int Run(string configPath, IReadOnlyList<string> overrides, string? output, Device device, TextWriter stdout, CancellationToken stop = default)
    {
        string? stage = StageConfigFile.StageOf(configPath);
        if (stage == StageConfigFile.DreamBooth)
            throw new UsageException($"config '{configPath}': a DreamBooth config is tuned per person at test time (DreamBoothFineTuner, run by the study driver); there is nothing to train ahead");
        if (stage is not (null or StageConfigFile.PhotoMaker or MotionConfig.StageName))
            throw new ConfigException($"config '{configPath}': key 'Stage': '{stage}', expected \"{StageConfigFile.PhotoMaker}\" (a PhotoMaker stage), \"{MotionConfig.StageName}\" (a StoryDiffusion motion stage) or no Stage (a plain run)");
        output ??= DefaultOutput(configPath);
        return stage switch
        {
            null => TrainRun(configPath, overrides, output, device, stdout, stop),
            MotionConfig.StageName => TrainMotion(configPath, overrides, output, device, stdout, stop),
            _ => TrainPhotoMaker(configPath, overrides, output, device, stdout, stop),
        };
    }

    private static int TrainRun(string configPath, IReadOnlyList<string> overrides, string output, Device device, TextWriter stdout, CancellationToken stop)
    {
        var config = TrainConfigLoader.Load(configPath, overrides);
        stdout.WriteLine($"training {config.ModelPreset} on {ConfigChoice.Name(config.Data.Dataset)} for {config.Training.Steps} steps on {device.type} -> {Path.GetFullPath(output)}");
        var progress = new TrainingProgress(stdout, Interactive(stdout), config.Training.Steps, 0, config.Training.LogEvery);
        using var trainer = new DenoiserTraining(config, output, device, progress);
        if (TrainStoppable(token => trainer.Train(cancellation: token), stop)) return Stopped(stdout, trainer.Step);
        stdout.WriteLine($"done: {trainer.Run.Path} (step {trainer.Step}; metrics.jsonl, samples/, checkpoints/, loss.png)");
        return 0;
    }

    private static int TrainPhotoMaker(string configPath, IReadOnlyList<string> overrides, string output, Device device, TextWriter stdout, CancellationToken stop)
    {
        var config = PhotoMakerConfig.Load(configPath, overrides);
        stdout.WriteLine($"training PhotoMaker ({config.IdEmbedding} ID embedding, {config.References} references, {config.Adaptation}) on {config.BaseCheckpoint} " +
                         $"for {config.Steps} steps on {device.type} -> {Path.GetFullPath(output)}");
        var progress = new TrainingProgress(stdout, Interactive(stdout), config.Steps, 0, config.LogEvery);
        using var trainer = new PhotoMakerTrainer(config, output, device, progress);
        if (TrainStoppable(token => trainer.Train(cancellation: token), stop)) return Stopped(stdout, trainer.Step);
        stdout.WriteLine($"done: {trainer.Run.Path} (step {trainer.Step}; metrics.jsonl, samples/ (references -> generation), checkpoints/); " +
                         $"try it: difflab personalize --run {output} --refs A.png B.png --prompt \"a photo of a man img ...\"");
        return 0;
    }

    private static int TrainMotion(string configPath, IReadOnlyList<string> overrides, string output, Device device, TextWriter stdout, CancellationToken stop)
    {
        var config = MotionConfig.Load(configPath, overrides);
        stdout.WriteLine($"training the motion stage ({config.Frames}-frame clips, {(config.UsePredictor ? $"{config.PredictorDepth}-layer motion predictor" : "no predictor: interpolated embeddings")}, " +
                         $"backbone {(config.TuneBackbone ? "tuned" : "frozen")}) on {config.BaseCheckpoint} for {config.Steps} steps on {device.type} -> {Path.GetFullPath(output)}");
        var progress = new TrainingProgress(stdout, Interactive(stdout), config.Steps, 0, config.LogEvery);
        using var trainer = new MotionTrainer(config, output, device, progress);
        if (TrainStoppable(token => trainer.Train(cancellation: token), stop)) return Stopped(stdout, trainer.Step);
        stdout.WriteLine($"done: {trainer.Run.Path} (step {trainer.Step}; metrics.jsonl, samples/ (true clip over generated clip, and a GIF), checkpoints/); " +
                         $"try it: difflab clip START.png END.png --prompt \"a photo of a man ...\" --run {output} --out clip.gif");
        return 0;
    }

    private static string DefaultOutput(string configPath) => Path.Combine("runs", Path.GetFileNameWithoutExtension(configPath));

    private static bool Interactive(TextWriter stdout) => !Console.IsOutputRedirected && stdout == Console.Out;

    /// <summary>Runs <paramref name="train"/> until done or stopped by Ctrl-C, SIGTERM or <paramref name="stop"/>; true when stopped.</summary>
    private static bool TrainStoppable(Action<CancellationToken> train, CancellationToken stop)
    {
        using var signals = new StopSignals(stop);
        train(signals.Token);
        return signals.Requested;
    }

    private static int Stopped(TextWriter stdout, long step)
    {
        stdout.WriteLine($"stopped at step {step}; checkpoint written. Run the same command again to resume.");
        return 130;
    }
}
