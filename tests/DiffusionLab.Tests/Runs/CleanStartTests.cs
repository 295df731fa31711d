using System.Diagnostics;
using DiffusionLab.Core;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Cli;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Tests.Runs;

/// <summary>
/// A start either trains or leaves nothing behind: config values are checked before a run folder exists, a failed
/// start removes what it wrote, an existing run takes only its own config, and one process at a time trains in a folder.
/// </summary>
public class CleanStartTests
{
    private static (int Code, string Err, string Run) TrainOn(string device)
    {
        string dir = TinyRuns.TempDir("start");
        string cfg = Path.Combine(dir, "tiny.json");
        File.WriteAllText(cfg, TinyRuns.Json("DiT-Tiny/4"));
        string run = Path.Combine(dir, "run");
        var (code, _, err) = CliHarness.Difflab("train", cfg, "--out", run, "--device", device);
        return (code, err, run);
    }

    private static (int Code, string Err, string Run) Train(string json, params string[] sets)
    {
        string dir = TinyRuns.TempDir("start");
        string cfg = Path.Combine(dir, "tiny.json");
        File.WriteAllText(cfg, json);
        string run = Path.Combine(dir, "run");
        var args = new List<string> { "train", cfg, "--out", run, "--device", "cpu" };
        foreach (var s in sets) args.AddRange(["--set", s]);
        var (code, _, err) = CliHarness.Difflab([.. args]);
        return (code, err, run);
    }

    [Theory]
    [InlineData("Optimizer.LearningRate=NaN", "key 'Optimizer.LearningRate': NaN, expected a finite number")]
    [InlineData("Optimizer.LearningRate=Infinity", "key 'Optimizer.LearningRate': Infinity, expected a finite number")]
    [InlineData("Optimizer.LearningRate=-0.001", "key 'Optimizer.LearningRate': -0.001, expected a positive number")]
    [InlineData("Optimizer.Betas=[0.9,\"NaN\"]", "key 'Optimizer.Betas[1]': NaN, expected a finite number")]
    [InlineData("Optimizer.WeightDecay=-1", "key 'Optimizer.WeightDecay': -1, expected a non-negative number")]
    [InlineData("Model.MlpRatio=-Infinity", "key 'Model.MlpRatio': -Infinity, expected a finite number")]
    [InlineData("Training.BatchSize=-8", "key 'Training.BatchSize': -8, expected a positive integer")]
    [InlineData("Training.Steps=0", "key 'Training.Steps': 0, expected a positive integer")]
    [InlineData("Training.EmaDecay=1.5", "key 'Training.EmaDecay': 1.5, expected a value in [0, 1)")]
    [InlineData("Sampling.Eta=-1", "key 'Sampling.Eta': -1, expected a non-negative number")]
    [InlineData("Sampling.GuidanceScale=NaN", "key 'Sampling.GuidanceScale': NaN, expected a finite number")]
    [InlineData("Training.BatchSize=20000", "key 'Training.BatchSize': 20000, expected at most the data set's 8000 images (Data.Dataset \"mnist10k\")")]
    public void ABadValueIsRefusedBeforeAnythingIsWritten(string set, string message)
    {
        var (code, err, run) = Train(TinyRuns.Json("DiT-Tiny/4"), set);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(message, err);
        Assert.False(Directory.Exists(run), $"{run} was created by a refused start");
    }

    [Fact]
    public void ANaNLearningRateInTheFileIsRefused()
    {
        var (code, err, run) = Train(TinyRuns.Json("DiT-Tiny/4").Replace("\"LearningRate\": 0.001", "\"LearningRate\": \"NaN\""));
        Assert.Equal(2, code);
        Assert.Contains("key 'Optimizer.LearningRate': NaN, expected a finite number", err);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void AConfigBuiltInCodeIsCheckedToo()
    {
        var config = TinyRuns.Config("DiT-Tiny/4");
        config = config with { Optimizer = config.Optimizer with { LearningRate = double.NaN } };
        string run = Path.Combine(TinyRuns.TempDir("start"), "run");
        var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config)));
        Assert.Contains("key 'Optimizer.LearningRate': NaN", e.Message);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void ADeviceThatIsNotThereIsRefused()
    {
        if (!torch.cuda.is_available())
        {
            // A CPU-only libtorch cannot even name a CUDA device: the command line refuses it.
            var (code, err, run) = TrainOn("cuda");
            Assert.Equal(2, code);
            Assert.Contains("--device cuda: no CUDA device is available", err);
            Assert.False(Directory.Exists(run));
            return;
        }
        var config = TinyRuns.Config("DiT-Tiny/4");
        string folder = Path.Combine(TinyRuns.TempDir("start"), "run");
        var absent = torch.device(DeviceType.CUDA, torch.cuda.device_count()); // the index after the last GPU
        var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(config, folder, absent, TinyRuns.Quiet(config)));
        Assert.StartsWith($"device 'cuda:{torch.cuda.device_count()}'", e.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void AFailedStartInANewFolderRemovesIt()
    {
        string run = Path.Combine(TinyRuns.TempDir("start"), "run");
        using (var start = RunFolderStart.Begin(new RunFolder(run)))
        {
            File.WriteAllText(Path.Combine(run, "config.json"), "{}");
            Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        } // not committed
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void AFailedStartInAnExistingFolderPutsItBackAsItWas()
    {
        string run = TinyRuns.TempDir("start");
        var folder = new RunFolder(run);
        File.WriteAllText(folder.ConfigFile, "old");
        File.WriteAllText(folder.MetricsFile, "{\"step\": 1}\n");
        using (var start = RunFolderStart.Begin(folder))
        {
            start.Remember(folder.ConfigFile);
            File.WriteAllText(folder.ConfigFile, "new");
            File.WriteAllText(folder.TokenizerFile, "added");
        }
        Assert.Equal("old", File.ReadAllText(folder.ConfigFile));
        Assert.Equal("{\"step\": 1}\n", File.ReadAllText(folder.MetricsFile));
        Assert.Equal(new[] { "config.json", "metrics.jsonl" }, Directory.GetFileSystemEntries(run).Select(f => Path.GetFileName(f)).Order().ToArray());
    }

    /// <summary>A resume whose checkpoint cannot be read fails after config.json was rewritten with the new Steps: the old one comes back.</summary>
    [Fact]
    public void AResumeThatFailsLeavesTheRunAsItWas()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", steps: 3);
        string run = TinyRuns.TempDir("start");
        using (var t = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        var folder = new RunFolder(run);
        var checkpoint = File.ReadAllBytes(folder.Checkpoint(3));
        File.WriteAllBytes(folder.Checkpoint(3), checkpoint[..^1000]);
        var before = Directory.GetFileSystemEntries(run, "*", SearchOption.AllDirectories).Order().ToList();
        string configBefore = File.ReadAllText(folder.ConfigFile), metricsBefore = File.ReadAllText(folder.MetricsFile);

        var longer = config with { Training = config.Training with { Steps = 9 } };
        Assert.ThrowsAny<Exception>(() => new DenoiserTraining(longer, run, torch.CPU, TinyRuns.Quiet(longer)));

        Assert.Equal(configBefore, File.ReadAllText(folder.ConfigFile));
        Assert.Equal(metricsBefore, File.ReadAllText(folder.MetricsFile));
        Assert.Equal(before, Directory.GetFileSystemEntries(run, "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public void AnotherConfigOnAnExistingRunIsRefusedWithTheResumeHint()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", steps: 3);
        string run = TinyRuns.TempDir("start");
        using (var t = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        string configBefore = File.ReadAllText(new RunFolder(run).ConfigFile);

        var other = config with { Optimizer = config.Optimizer with { LearningRate = 0.0005 } };
        var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(other, run, torch.CPU, TinyRuns.Quiet(other)));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("Optimizer.LearningRate: 0.001 in the run, 0.0005 now", e.Message);
        Assert.Contains("--set Training.Steps=N", e.Message);
        Assert.Contains("another output folder", e.Message);
        Assert.Equal(configBefore, File.ReadAllText(new RunFolder(run).ConfigFile));

        // Raising Steps is how a run is extended: it resumes from its checkpoint.
        var longer = config with { Training = config.Training with { Steps = 5 } };
        using var resumed = new DenoiserTraining(longer, run, torch.CPU, TinyRuns.Quiet(longer));
        Assert.Equal(3, resumed.Step);
        resumed.Train();
        Assert.Equal(5, resumed.Step);
    }

    [Fact]
    public void ASecondTrainerOnABusyRunIsRefused()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", steps: 3);
        string run = TinyRuns.TempDir("start");
        using (new RunFolder(run).Hold())
        {
            var entries = Directory.GetFileSystemEntries(run);
            var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config)));
            Assert.Contains("another process is training in it", e.Message);
            Assert.Equal(entries, Directory.GetFileSystemEntries(run));

            string cfg = Path.Combine(TinyRuns.TempDir("start"), "tiny.json");
            File.WriteAllText(cfg, TinyRuns.Json("DiT-Tiny/4", steps: 3));
            var (code, _, err) = CliHarness.Difflab("train", cfg, "--out", run, "--device", "cpu");
            Assert.Equal(2, code);
            Assert.Single(err.Trim().Split('\n'));
            Assert.Contains($"run '{run}': another process is training in it", err);
        }
        using (var first = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config)))
            Assert.Contains("another process", Assert.Throws<ConfigException>(() => new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config))).Message);
        // Released with the first: the run trains.
        using var again = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config));
        again.Train();
        Assert.Equal(3, again.Step);
    }

    /// <summary>The lock is the OS's: a difflab killed with SIGKILL while training leaves nothing stuck.</summary>
    [Fact]
    public void AKilledTrainerLeavesNoStaleLock()
    {
        string dir = TinyRuns.TempDir("start");
        string cfg = Path.Combine(dir, "tiny.json");
        File.WriteAllText(cfg, TinyRuns.Json("DiT-Tiny/4", steps: 100_000));
        string run = Path.Combine(dir, "run");
        using var child = ChildDifflab.Start(null, "train", cfg, "--out", run, "--device", "cpu");
        try
        {
            // config.json is written under the lock: once it is there, the child holds it.
            var clock = Stopwatch.StartNew();
            while (!File.Exists(new RunFolder(run).ConfigFile) && !child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(100);
            Assert.False(child.HasExited, $"difflab exited with {(child.HasExited ? child.ExitCode : 0)} before training");
            Assert.True(File.Exists(new RunFolder(run).ConfigFile), "difflab did not start training within 3 minutes");
            Assert.Contains("another process is training in it", Assert.Throws<ConfigException>(() => RunFolderLock.Acquire(run)).Message);
        }
        finally
        {
            if (!child.HasExited) child.Kill(); // SIGKILL on Unix: no finalizer, no Dispose runs in the child
            child.WaitForExit();
        }
        Assert.True(File.Exists(new RunFolder(run).LockFile));
        using (RunFolderLock.Acquire(run)) { }
        var config = TrainConfigLoader.Load(cfg);
        using var resumed = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config));
        Assert.True(resumed.Step >= 0);
    }
}
