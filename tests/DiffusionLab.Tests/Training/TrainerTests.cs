using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Diffusion;
using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void ResumedRunReproducesTheUninterruptedRunExactly()
    {
        var config = TinyRuns.Config("MDTv2-Tiny/4");
        string straight = TinyRuns.TempDir("straight"), resumed = TinyRuns.TempDir("resumed");
        Dictionary<string, Tensor> finalStraight, finalResumed, emaStraight, emaResumed;
        using (var a = new DenoiserTraining(config, straight, torch.CPU, TinyRuns.Quiet(config)))
        {
            a.Train();
            finalStraight = a.Model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
            emaStraight = a.EmaModel.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        }
        using (var b = new DenoiserTraining(config, resumed, torch.CPU, TinyRuns.Quiet(config))) b.Train(stopAfter: 3);
        using (var c = new DenoiserTraining(config, resumed, torch.CPU, TinyRuns.Quiet(config)))
        {
            Assert.Equal(3, c.Step);
            c.Train();
            finalResumed = c.Model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
            emaResumed = c.EmaModel.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        }

        var lossesA = new MetricsLog(new RunFolder(straight).MetricsFile).ReadAll().Where(r => r.ContainsKey("loss")).ToList();
        var lossesB = new MetricsLog(new RunFolder(resumed).MetricsFile).ReadAll().Where(r => r.ContainsKey("loss")).ToList();
        Assert.Equal(6, lossesA.Count);
        Assert.Equal(lossesA.Select(r => (r["step"], r["loss"], r["m_loss"])), lossesB.Select(r => (r["step"], r["loss"], r["m_loss"])));
        foreach (var (key, value) in finalStraight)
            Assert.True(value.equal(finalResumed[key]).all().item<bool>(), $"weights differ after resume: {key}");
        // The EMA is what sampling and evaluation use: it must survive the resume bit for bit too.
        Assert.Equal(emaStraight.Keys.Order(), emaResumed.Keys.Order());
        foreach (var (key, value) in emaStraight)
            Assert.True(value.equal(emaResumed[key]).all().item<bool>(), $"EMA weights differ after resume: {key}");
        Assert.Contains(emaStraight, p => !p.Value.equal(finalStraight[p.Key]).all().item<bool>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SamplingUsesTheEmaWeightsOnlyWhenAskedTo(bool useEma)
    {
        var config = TinyRuns.Config("DiT-Tiny/4", 100, $"Sampling.UseEma={(useEma ? "true" : "false")}");
        using var trainer = new DenoiserTraining(config, TinyRuns.TempDir("use-ema"), torch.CPU, TinyRuns.Quiet(config));
        trainer.Train(stopAfter: 2); // decay 0.9: the EMA now differs from the raw weights
        using var scope = torch.NewDisposeScope();
        var labels = torch.arange(4, dtype: ScalarType.Int64) % config.Model.NumClasses;
        var ema = new SamplingPipeline(trainer.EmaModel, config).Generate(labels, 5);
        var raw = new SamplingPipeline(trainer.Model, config).Generate(labels, 5);
        Assert.False(ema.equal(raw).all().item<bool>(), "EMA and raw weights sample alike: the test cannot tell them apart");

        var sample = trainer.Sample(4, seed: 5);
        Assert.True(sample.equal(useEma ? ema : raw).all().item<bool>(), $"Sample did not use the {(useEma ? "EMA" : "raw")} weights");
        // Perturbing the weights sampling must not use leaves the sample unchanged.
        var unused = useEma ? trainer.Model : trainer.EmaModel;
        using (torch.no_grad())
            foreach (var p in unused.parameters()) p.add_(torch.randn_like(p) * 0.5);
        Assert.True(trainer.Sample(4, seed: 5).equal(sample).all().item<bool>());
    }

    [Fact]
    public void RunFolderHasConfigMetricsSamplesCheckpointsCurveAndFd()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", steps: 4);
        string dir = TinyRuns.TempDir("folder");
        using (var t = new DenoiserTraining(config, dir, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        var run = new RunFolder(dir);
        Assert.True(File.Exists(run.ConfigFile));
        Assert.True(File.Exists(run.SampleGrid(4)));
        Assert.True(File.Exists(run.Checkpoint(3)) && File.Exists(run.Checkpoint(4)));
        Assert.True(File.Exists(run.LossCurveFile));
        var rows = new MetricsLog(run.MetricsFile).ReadAll();
        var fd = Assert.Single(rows, r => r.ContainsKey("fd"));
        Assert.True(fd["fd"] > 0 && double.IsFinite(fd["fd"]));
        Assert.InRange(fd["class_accuracy"], 0, 1);
        Assert.Equal(PngSignature, File.ReadAllBytes(run.SampleGrid(4))[..8]);
    }

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void CheckpointRoundTripIsBitExact()
    {
        var config = TinyRuns.Config("MDT-Tiny/4", steps: 3);
        string dir = TinyRuns.TempDir("roundtrip");
        using var t = new DenoiserTraining(config, dir, torch.CPU, TinyRuns.Quiet(config));
        t.Train();
        var checkpoint = TrainingCheckpoint.Load(new RunFolder(dir).Checkpoint(3));
        var live = t.Model.state_dict();
        Assert.Equal(live.Keys.OrderBy(k => k), checkpoint.Model.Keys.OrderBy(k => k));
        foreach (var (key, value) in live)
        {
            Assert.Equal(value.dtype, checkpoint.Model[key].dtype);
            Assert.True(value.equal(checkpoint.Model[key]).all().item<bool>(), key);
        }
        string copy = Path.Combine(dir, "copy.safetensors");
        checkpoint.Save(copy);
        Assert.Equal(File.ReadAllBytes(new RunFolder(dir).Checkpoint(3)), File.ReadAllBytes(copy));
    }

    [Fact]
    public void ResumingWithAnotherConfigIsRefused()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", steps: 2);
        string dir = TinyRuns.TempDir("other-config");
        using (var t = new DenoiserTraining(config, dir, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        var other = config with { Optimizer = config.Optimizer with { LearningRate = 0.5 } };
        var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(other, dir, torch.CPU, TinyRuns.Quiet(other)));
        Assert.Contains("different config", e.Message);
    }

    [Fact]
    public void TinyModelLossFallsOnAFixedBatch()
    {
        torch.manual_seed(3);
        var config = TinyRuns.Config("MDTv2-Tiny/4").Model;
        var model = (MaskedDiffusionTransformer)DenoiserFactory.Create(config);
        var data = Mnist10k.Load(MnistSplit.Train);
        var x0 = data.Images[..16];
        var y = data.Labels[..16];
        var diffusion = new GaussianDiffusion(BetaSchedule.Linear(1000));
        var objective = new MaskedDenoisingObjective(diffusion, model, LossWeighting.MinSnr(5), 0.0, config.NumClasses);
        var optimizer = new AdamW(model.named_parameters(), 2e-3);
        var losses = new List<double>();
        for (int step = 0; step < 40; step++)
        {
            using var scope = torch.NewDisposeScope();
            using var fixedDraws = new Generator(11); // the same t, noise and masking every step
            var output = objective.Compute(x0, y, fixedDraws);
            optimizer.ZeroGrad();
            output.Loss.backward();
            optimizer.Step();
            losses.Add(output.Loss.item<float>());
        }
        Assert.True(losses[^1] < 0.5 * losses[0], $"loss did not fall: {losses[0]} -> {losses[^1]}");
    }
}
