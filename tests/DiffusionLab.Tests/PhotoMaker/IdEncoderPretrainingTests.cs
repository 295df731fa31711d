using DiffusionLab.Data.World;
using DiffusionLab.IO;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Cli;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.PhotoMaker;

public class IdEncoderPretrainingTests
{
    private static PhotoMakerConfig Config(int pretrainSteps) =>
        PhotoMakerConfig.FromJson(TinyPhotoMakerRuns.ConfigFileJson(TinyPhotoMakerRuns.BaseRun.Value, steps: 2), "pm.json") with
        {
            EncoderPretrainSteps = pretrainSteps, EncoderPretrainPeople = 4, EncoderPretrainLearningRate = 3e-3,
        };

    private static PhotoMakerTrainer Trainer(PhotoMakerConfig config, string dir) =>
        new(config, dir, CPU, new TrainingProgress(TextWriter.Null, false, config.Steps, 0, config.LogEvery));

    [Fact]
    public void PretrainingRunsOnceWhenARunStartsAndLowersTheContrastiveLoss()
    {
        var config = Config(pretrainSteps: 30);
        string dir = TinyRuns.TempDir("pm-pretrain");
        using (var trainer = Trainer(config, dir)) trainer.Train(stopAfter: 1);
        string logFile = new RunFolder(Path.Combine(dir, PhotoMakerTrainer.EncoderPretrainingFolder)).MetricsFile;
        var rows = new MetricsLog(logFile).ReadAll();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (double)i), rows.Select(r => r["step"]));
        double early = rows.Take(5).Average(r => r["loss"]), late = rows.TakeLast(5).Average(r => r["loss"]);
        Assert.True(late < early - 0.1, $"InfoNCE loss {early:F3} -> {late:F3}");
        Assert.All(rows, r => Assert.InRange(r["pair_accuracy"], 0, 1));

        // Resuming finds the checkpoint and does not pre-train again: the log is untouched, training goes on from step 1.
        string before = File.ReadAllText(logFile);
        using (var resumed = Trainer(config, dir))
        {
            Assert.Equal(1, resumed.Step);
            resumed.Train();
            Assert.Equal(2, resumed.Step);
        }
        Assert.Equal(before, File.ReadAllText(logFile));

        // The pre-trained encoder is what the checkpoint holds: it differs from a run without pre-training.
        string plain = TinyRuns.TempDir("pm-no-pretrain");
        using (var trainer = Trainer(Config(pretrainSteps: 0), plain)) trainer.Train(stopAfter: 1);
        Assert.False(Directory.Exists(Path.Combine(plain, PhotoMakerTrainer.EncoderPretrainingFolder)));
        var a = PhotoMakerCheckpoint.Load(TrainingCheckpoint.Latest(dir)!).Weights;
        var b = PhotoMakerCheckpoint.Load(TrainingCheckpoint.Latest(plain)!).Weights;
        string key = a.Keys.First(k => k.StartsWith(PhotoMakerModel.EncoderPrefix + "visual_projection", StringComparison.Ordinal));
        Assert.False(a[key].allclose(b[key]), "the pre-trained projection equals the untrained one");
    }

    [Theory]
    [InlineData(-1, 4, "key 'EncoderPretrainSteps'")]
    [InlineData(10, 1, "key 'EncoderPretrainPeople'")]
    public void BadPretrainingKeysAreNamed(int steps, int people, string expected)
    {
        var config = Config(steps) with { EncoderPretrainPeople = people };
        Assert.Contains(config.Problems(), p => p.Contains(expected));
    }

    [Fact]
    public void AnInterruptedPretrainingResumesBitExactly()
    {
        var config = Config(pretrainSteps: 4) with { CheckpointEvery = 2, LogEvery = 1 };
        var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 6, HeldOutIdentities = 2, ImagesPerIdentity = 4, ImageSize = 16 });
        var people = new CharacterWorldDataset(world, WorldSplit.Train);
        Dictionary<string, Tensor> Pretrain(string dir, params int[] stops)
        {
            var encoder = new StackedIdEncoder(config.ImageEncoder, 16, generator: new TorchSharp.torch.Generator(1));
            using var generator = new TorchSharp.torch.Generator(2);
            // Each call stands for a process: the first ones stop (as a killed run would after its checkpoint), the last finishes.
            foreach (int stop in stops) IdEncoderPretraining.Run(encoder, people, config with { EncoderPretrainSteps = stop }, generator, dir);
            return encoder.NamedImageParameters().ToDictionary(p => p.Name, p => (Tensor)p.Parameter.detach().clone());
        }
        string straight = TinyRuns.TempDir("pretrain-straight"), resumed = TinyRuns.TempDir("pretrain-resumed");
        var a = Pretrain(straight, 4);
        var b = Pretrain(resumed, 2, 4);
        foreach (var (k, v) in a) Assert.True(v.equal(b[k]).all().item<bool>(), $"differs after resume: {k}");
        var logA = new MetricsLog(new RunFolder(straight).MetricsFile).ReadAll().Select(r => (r["step"], r["loss"])).ToList();
        var logB = new MetricsLog(new RunFolder(resumed).MetricsFile).ReadAll().Select(r => (r["step"], r["loss"])).ToList();
        Assert.Equal(4, logA.Count);
        Assert.Equal(logA, logB);
    }

    [Fact]
    public void TheProbeMatchesQueriesToHeldOutPeople()
    {
        var config = Config(pretrainSteps: 0);
        using var encoder = new StackedIdEncoder(config.ImageEncoder, 16);
        var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 4, HeldOutIdentities = 2, ImagesPerIdentity = 6, ImageSize = 16 });
        var result = IdEncoderProbe.Run(encoder, world, people: 2, references: 2, queries: 3);
        Assert.Equal((2, 2, 3, 0.5), (result.People, result.References, result.Queries, result.Chance));
        Assert.True(Math.Abs(result.Rank1 * 6 - Math.Round(result.Rank1 * 6)) < 1e-4, $"rank-1 {result.Rank1} is not a share of 6 queries");
        Assert.InRange(result.SameCosine, -1.0001, 1.0001);
        Assert.InRange(result.OtherCosine, -1.0001, 1.0001);
        Assert.Throws<ArgumentOutOfRangeException>(() => IdEncoderProbe.Run(encoder, world, people: 3));
    }

    [Fact]
    public void EvaluateOnAPhotoMakerRunPrintsTheProbe()
    {
        var (code, output, err) = CliHarness.Difflab("evaluate", TinyPhotoMakerRuns.Run.Value, "--people", "2");
        Assert.True(code == 0, err);
        var row = System.Text.Json.Nodes.JsonNode.Parse(output.Trim())!.AsObject();
        Assert.Equal(0.5, row["chance"]!.GetValue<double>());
        Assert.InRange(row["id_rank1"]!.GetValue<double>(), 0, 1);
        Assert.InRange(row["untrained_id_rank1"]!.GetValue<double>(), 0, 1);

        (code, _, err) = CliHarness.Difflab("evaluate", TinyPhotoMakerRuns.Run.Value, "--people", "9");
        Assert.Equal(2, code);
        Assert.Contains("--people 9", err);
    }
}
