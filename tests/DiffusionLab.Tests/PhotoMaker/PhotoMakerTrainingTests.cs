using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>PhotoMakerTrainer on a one-step 16×16 text-to-image base run: exact resume, the baselines' switches, the run folder, loading for inference.</summary>
public class PhotoMakerTrainingTests
{
    // One base run shared with the CLI and notebook tests, trained once.
    private static Lazy<string> BaseRun => TinyPhotoMakerRuns.BaseRun;

    private static PhotoMakerConfig Config(string extra = "") => PhotoMakerConfig.FromJson($$"""
        {
          "BaseCheckpoint": "{{BaseRun.Value}}",
          "ImageEncoder": { "ImageSize": 16, "PatchSize": 4, "Width": 16, "Depth": 1, "Heads": 2 },
          "LoraRank": 2, "LoraAlpha": 2,
          "Steps": 4, "BatchSize": 2, "LogEvery": 1, "SampleEvery": 4, "CheckpointEvery": 2, "SampleIdentities": 1,
          "EmaDecay": 0.9,
          "Sampling": { "Steps": 2 }{{extra}}
        }
        """, "pm.json");

    private static TrainingProgress Quiet(PhotoMakerConfig c) => new(TextWriter.Null, false, c.Steps, 0, c.LogEvery);

    private static Dictionary<string, Tensor> Final(string run) =>
        SafetensorsOf(TrainingCheckpoint.Latest(run)!);

    private static Dictionary<string, Tensor> SafetensorsOf(string path) => DiffusionLab.IO.SafetensorsFile.Load(path);

    [Fact]
    public void ATinyRunResumesBitExactly()
    {
        var config = Config();
        string straight = TinyRuns.TempDir("pm-straight"), resumed = TinyRuns.TempDir("pm-resumed");
        using (var t = new PhotoMakerTrainer(config, straight, CPU, Quiet(config))) t.Train();
        using (var t = new PhotoMakerTrainer(config, resumed, CPU, Quiet(config))) t.Train(stopAfter: 2);
        using (var t = new PhotoMakerTrainer(config, resumed, CPU, Quiet(config)))
        {
            Assert.Equal(2, t.Step);
            t.Train();
            Assert.Equal(4, t.Step);
        }
        var a = Final(straight);
        var b = Final(resumed);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.Contains(a.Keys, k => k.StartsWith("model.lora."));
        Assert.Contains(a.Keys, k => k.StartsWith("ema.id_encoder."));
        Assert.Contains(a.Keys, k => k.StartsWith("optim.encoder."));
        foreach (var (key, value) in a) Assert.True(value.equal(b[key]).all().item<bool>(), $"differs after resume: {key}");

        var lossesA = new MetricsLog(new RunFolder(straight).MetricsFile).ReadAll().Select(r => r["loss"]).ToList();
        var lossesB = new MetricsLog(new RunFolder(resumed).MetricsFile).ReadAll().Select(r => r["loss"]).ToList();
        Assert.Equal(4, lossesA.Count);
        Assert.Equal(lossesA, lossesB);

        var run = new RunFolder(straight);
        Assert.True(File.Exists(run.ConfigFile) && File.Exists(run.TokenizerFile) && File.Exists(run.SampleGrid(4)));
        Assert.Equal(config, PhotoMakerConfig.Load(run.ConfigFile) with { Betas = config.Betas });
        var checkpoint = PhotoMakerCheckpoint.Load(TrainingCheckpoint.Latest(straight)!);
        Assert.Equal(Path.GetFullPath(TrainingCheckpoint.Latest(BaseRun.Value)!), checkpoint.BaseCheckpoint);
        Assert.Equal(4, checkpoint.Step);

        // The checkpoint alone (plus the base it names) is a working pipeline.
        using var pipeline = PhotoMakerPipeline.Load(TrainingCheckpoint.Latest(straight)!);
        using var refs = new ReferenceStack(PhotoMakerFixtures.Images(3, 5));
        var images = pipeline.Generate("a photo of a man img wearing a crown", refs, [1], new PhotoMakerSampling { Steps = 2 });
        Assert.Equal(new long[] { 1, 3, 16, 16 }, images.shape);
    }

    [Theory]
    [InlineData(", \"References\": \"SingleImage\"", true)]
    [InlineData(", \"IdEmbedding\": \"Average\"", true)]
    [InlineData(", \"Adaptation\": \"CrossAttention\", \"MaskedBranch\": true", false)]
    public void TheBaselineSwitchesTrain(string extra, bool ema)
    {
        var config = Config(extra) with { Steps = 1, SampleIdentities = 0, EmaDecay = ema ? 0.9 : null };
        string dir = TinyRuns.TempDir("pm-switch");
        using var t = new PhotoMakerTrainer(config, dir, CPU, Quiet(config));
        var before = t.Model.TrainedWeights().ToDictionary(p => p.Key, p => p.Value.clone());
        t.Train();
        Assert.Contains(before, p => !p.Value.equal(t.Model.TrainedWeights()[p.Key]).all().item<bool>());
        var row = new MetricsLog(t.Run.MetricsFile).ReadAll().Single();
        Assert.True(double.IsFinite(row["loss"]));
        Assert.Equal(config.MaskedBranch, row.ContainsKey("m_loss"));
    }

    [Fact]
    public void ConfigErrorsNameTheKey()
    {
        Assert.Contains("unknown key 'LoraRnak'", Assert.Throws<ConfigException>(() => PhotoMakerConfig.FromJson("""{ "BaseCheckpoint": "x", "LoraRnak": 3 }""", "pm.json")).Message);
        Assert.Contains("unknown key 'ImageEncoder.Widht'", Assert.Throws<ConfigException>(() => PhotoMakerConfig.FromJson("""{ "BaseCheckpoint": "x", "ImageEncoder": { "Widht": 3 } }""", "pm.json")).Message);
        Assert.Contains("'MaskedLossProbability'", Assert.Throws<ConfigException>(() => PhotoMakerConfig.FromJson("""{ "BaseCheckpoint": "x", "MaskedLossProbability": 1.5 }""", "pm.json")).Message);
        Assert.Contains("'BaseCheckpoint'", Assert.Throws<ConfigException>(() => PhotoMakerConfig.FromJson("{}", "pm.json")).Message);
        var tooMany = Config() with { MaxReferences = 6 };
        Assert.Contains("'MaxReferences'", Assert.Throws<ConfigException>(() => new PhotoMakerTrainer(tooMany, TinyRuns.TempDir("pm-bad"), CPU, Quiet(tooMany))).Message);
    }
}
