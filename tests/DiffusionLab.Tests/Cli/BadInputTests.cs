using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Tests.Cli;

/// <summary>Bad input gives one line naming the thing and what was expected, and exit code 2.</summary>
public class BadInputTests
{
    private static string WriteConfig(string dir, string json)
    {
        string path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static void AssertOneLineError(int code, string err, params string[] fragments)
    {
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        foreach (var f in fragments) Assert.Contains(f, err);
    }

    [Fact]
    public void UnknownConfigKey()
    {
        string dir = TinyRuns.TempDir("cli");
        string cfg = WriteConfig(dir, """{"Model": {"Preset": "DiT-Tiny/4"}, "Trainig": {}}""");
        var (code, _, err) = CliHarness.Difflab("train", cfg, "--out", Path.Combine(dir, "run"));
        AssertOneLineError(code, err, cfg, "unknown key 'Trainig'");
    }

    [Fact]
    public void WrongTypeInSet()
    {
        string dir = TinyRuns.TempDir("cli");
        string cfg = WriteConfig(dir, TinyRuns.Json("DiT-Tiny/4"));
        var (code, _, err) = CliHarness.Difflab("train", cfg, "--set", "Training.BatchSize=big", "--out", Path.Combine(dir, "run"));
        AssertOneLineError(code, err, "'Training.BatchSize'", "Int32");
    }

    [Theory]
    [InlineData("Data.Dataset=mnist", "key 'Data.Dataset': 'mnist', expected \"mnist10k\", \"folder\", \"characterworld\" or \"captions\"")]
    [InlineData("Optimizer.Name=sgd", "key 'Optimizer.Name': 'sgd', expected \"adan\" or \"adamw\"")]
    [InlineData("Training.Precision=fp16", "key 'Training.Precision': 'fp16', expected \"fp32\" or \"bf16\"")]
    [InlineData("Sampling.Sampler=euler", "key 'Sampling.Sampler': 'euler', expected \"ddpm\" or \"ddim\"")]
    [InlineData("Sampling.GuidedChannels=first4", "key 'Sampling.GuidedChannels': 'first4', expected \"all\" or \"first3\"")]
    public void UnknownWordOfAClosedChoiceInSet(string set, string message)
    {
        string dir = TinyRuns.TempDir("cli");
        string cfg = WriteConfig(dir, TinyRuns.Json("DiT-Tiny/4"));
        var (code, _, err) = CliHarness.Difflab("train", cfg, "--set", set, "--out", Path.Combine(dir, "run"));
        AssertOneLineError(code, err, cfg, message);
    }

    [Fact]
    public void MissingDatasetFolder()
    {
        string dir = TinyRuns.TempDir("cli");
        string cfg = WriteConfig(dir, TinyRuns.Json("DiT-Tiny/4"));
        string missing = Path.Combine(dir, "no-such-folder");
        var (code, _, err) = CliHarness.Difflab("train", cfg, "--set", "Data.Dataset=folder", "--set", $"Data.Folder={missing}", "--out", Path.Combine(dir, "run"));
        AssertOneLineError(code, err, missing);
    }

    [Fact]
    public void UnreadableImage()
    {
        string dir = TinyRuns.TempDir("cli");
        string images = Path.Combine(dir, "images", "cats");
        Directory.CreateDirectory(images);
        string bad = Path.Combine(images, "broken.png");
        File.WriteAllText(bad, "this is not a png");
        string cfg = WriteConfig(dir, TinyRuns.Json("DiT-Tiny/4"));
        var (code, _, err) = CliHarness.Difflab("train", cfg, "--set", "Data.Dataset=folder", "--set", $"Data.Folder={Path.Combine(dir, "images")}", "--out", Path.Combine(dir, "run"));
        AssertOneLineError(code, err, "broken.png");
    }

    [Fact]
    public void TruncatedCheckpoint()
    {
        string dir = TinyRuns.TempDir("cli");
        var config = TinyRuns.Config("DiT-Tiny/4", steps: 1);
        using (var t = new DenoiserTraining(config, dir, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        string ckpt = new RunFolder(dir).Checkpoint(1);
        var bytes = File.ReadAllBytes(ckpt);
        string cut = Path.Combine(dir, "cut.safetensors");
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 1000)]);
        var (code, _, err) = CliHarness.Difflab("sample", cut, "--count", "2");
        AssertOneLineError(code, err, cut, "truncated");
    }

    [Fact]
    public void CheckpointOfAnotherModel()
    {
        string ditRun = TinyRuns.TempDir("cli-dit"), mdtRun = TinyRuns.TempDir("cli-mdt");
        var dit = TinyRuns.Config("DiT-Tiny/4", steps: 1);
        using (var t = new DenoiserTraining(dit, ditRun, torch.CPU, TinyRuns.Quiet(dit))) t.Train();
        var mdt = TinyRuns.Config("MDT-Tiny/4", steps: 1);
        string mdtConfig = WriteConfig(mdtRun, TinyRuns.Json("MDT-Tiny/4", steps: 1));
        string runDir = Path.Combine(mdtRun, "run");
        // Someone copies a DiT checkpoint into an MDT run folder, then resumes it.
        Directory.CreateDirectory(Path.Combine(runDir, "checkpoints"));
        File.WriteAllText(Path.Combine(runDir, "config.json"), TrainConfigLoader.ToJson(mdt).ToJsonString());
        File.Copy(new RunFolder(ditRun).Checkpoint(1), Path.Combine(runDir, "checkpoints", TrainingCheckpoint.FileName(1)));
        var (code, _, err) = CliHarness.Difflab("train", mdtConfig, "--out", runDir);
        AssertOneLineError(code, err, TrainingCheckpoint.FileName(1));
    }

    [Fact]
    public void UnknownCommandAndOption()
    {
        AssertOneLineError(CliHarness.Difflab("fly").Code, CliHarness.Difflab("fly").Err, "unknown command 'fly'");
        var (code, _, err) = CliHarness.Difflab("model", "info", "DiT-S/2", "--kyes");
        AssertOneLineError(code, err, "--kyes");
    }

    [Fact]
    public void ModelInfoPrintsCountsAndKeys()
    {
        var (code, output, _) = CliHarness.Difflab("model", "info", "MDTv2-S/2", "--set", "DecodeLayer=6", "--keys");
        Assert.Equal(0, code);
        Assert.Contains("38,454,872", output);
        Assert.Contains("en_outblocks.2.skip_linear.weight [384, 768]", output);
        Assert.Contains("GMACs: 6.74", output);
    }
}
