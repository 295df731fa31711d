using DiffusionLab.Core;
namespace DiffusionLab.Runs;

/// <summary>The files of one training run, all under one folder.</summary>
public sealed class RunFolder(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.jsonl");
    public string CheckpointsDirectory => System.IO.Path.Combine(Path, "checkpoints");
    public string SamplesDirectory => System.IO.Path.Combine(Path, "samples");
    public string LossCurveFile => System.IO.Path.Combine(Path, "loss.png");
    public string EvaluationFile => System.IO.Path.Combine(Path, "evaluation.json");
    /// <summary>Text-to-image runs: the word tokenizer their prompts are encoded with.</summary>
    public string TokenizerFile => System.IO.Path.Combine(Path, "tokenizer.json");

    public string SampleGrid(long step) => System.IO.Path.Combine(SamplesDirectory, $"step-{step:D7}.png");
    public string Checkpoint(long step) => System.IO.Path.Combine(CheckpointsDirectory, TrainingCheckpoint.FileName(step));

    public bool Exists => File.Exists(ConfigFile);

    /// <summary>Resolves a command-line argument that may be a run folder or a checkpoint file to a checkpoint path.</summary>
    public static string CheckpointOf(string runOrCheckpoint)
    {
        if (File.Exists(runOrCheckpoint)) return runOrCheckpoint;
        if (Directory.Exists(runOrCheckpoint))
            return TrainingCheckpoint.Latest(runOrCheckpoint)
                   ?? throw new ConfigException($"run '{runOrCheckpoint}': no checkpoint in {System.IO.Path.Combine(runOrCheckpoint, "checkpoints")}");
        throw new ConfigException($"'{runOrCheckpoint}': expected a run folder or a checkpoint file, found neither");
    }
}
