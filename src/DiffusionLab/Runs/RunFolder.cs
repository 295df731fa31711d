using System.Globalization;
using DiffusionLab.Core;
namespace DiffusionLab.Runs;

/// <summary>The files of one training run, all under one folder.</summary>
public sealed class RunFolder(string path)
{
    private readonly Lock _gate = new();
    private RunFolderLock? _lock;
    private int _holds;

    public string Path { get; } = System.IO.Path.GetFullPath(path);
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.jsonl");
    public string CheckpointsDirectory => System.IO.Path.Combine(Path, "checkpoints");
    public string SamplesDirectory => System.IO.Path.Combine(Path, "samples");
    public string LossCurveFile => System.IO.Path.Combine(Path, "loss.png");
    public string EvaluationFile => System.IO.Path.Combine(Path, "evaluation.json");
    /// <summary>Text-to-image runs: the word tokenizer their prompts are encoded with.</summary>
    public string TokenizerFile => System.IO.Path.Combine(Path, "tokenizer.json");

    private const string SampleGridPrefix = "step-";

    public string SampleGrid(long step) => System.IO.Path.Combine(SamplesDirectory, $"{SampleGridPrefix}{step:D7}.png");

    /// <summary>The sample grids the run wrote over training (<see cref="SampleGrid"/>), by step; none when it has no samples folder.</summary>
    public IReadOnlyList<(long Step, string File)> SampleGrids()
    {
        if (!Directory.Exists(SamplesDirectory)) return [];
        var grids = new List<(long Step, string File)>();
        foreach (string file in Directory.GetFiles(SamplesDirectory, $"{SampleGridPrefix}*.png"))
            if (long.TryParse(System.IO.Path.GetFileNameWithoutExtension(file)[SampleGridPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long step))
                grids.Add((step, file));
        return grids.OrderBy(g => g.Step).ToList();
    }

    public string Checkpoint(long step) => System.IO.Path.Combine(CheckpointsDirectory, TrainingCheckpoint.FileName(step));

    public bool Exists => File.Exists(ConfigFile);

    /// <summary>Held by the process training in the folder (<see cref="Hold"/>).</summary>
    public string LockFile => System.IO.Path.Combine(Path, RunFolderLock.FileName);

    /// <summary>
    /// Holds the folder's <see cref="RunFolderLock"/> until the result is disposed, or a ConfigException when another
    /// process (or another <see cref="RunFolder"/> of this one) holds it. Holds through this instance nest: a stage
    /// takes the lock before it writes its config, and the <c>Trainer</c> it builds on the same instance shares it.
    /// The folder must exist.
    /// </summary>
    public IDisposable Hold()
    {
        lock (_gate)
        {
            _lock ??= RunFolderLock.Acquire(Path);
            _holds++;
        }
        return new Release(this);
    }

    private sealed class Release(RunFolder run) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            lock (run._gate)
            {
                if (_released) return;
                _released = true;
                if (--run._holds > 0) return;
                run._lock?.Dispose();
                run._lock = null;
            }
        }
    }

    /// <summary>
    /// Resolves a command-line argument that may be a run folder, a checkpoint file, a shipped model's folder or
    /// <c>zoo:NAME</c> (<see cref="ModelZoo"/>) to a checkpoint path (a shipped model's weights file for the last two).
    /// </summary>
    public static string CheckpointOf(string runOrCheckpoint)
    {
        if (ModelZoo.IsZooName(runOrCheckpoint)) return ModelZoo.Default().Find(runOrCheckpoint).WeightsFile;
        if (File.Exists(runOrCheckpoint)) return runOrCheckpoint;
        var shipped = new ShippedModel(System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(runOrCheckpoint)), runOrCheckpoint);
        if (Directory.Exists(runOrCheckpoint) && ShippedWeights.IsShippedWeights(shipped.WeightsFile)) return shipped.WeightsFile;
        if (Directory.Exists(runOrCheckpoint))
            return TrainingCheckpoint.Latest(runOrCheckpoint)
                   ?? throw new ConfigException($"run '{runOrCheckpoint}': no checkpoint in {System.IO.Path.Combine(runOrCheckpoint, "checkpoints")}");
        throw new ConfigException($"'{runOrCheckpoint}': expected a run folder or a checkpoint file, found neither");
    }
}
