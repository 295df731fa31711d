using DiffusionLab.Core;
using DiffusionLab.Runs;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

public class TrainingStepTests
{
    [Fact]
    public void Bf16StepKeepsFp32MasterWeightsAndTracksTheFp32Step()
    {
        var fp32 = TinyRuns.Config("MDTv2-Tiny/4");
        var bf16 = fp32 with { Training = fp32.Training with { Precision = TrainingPrecision.Bf16 } };
        var x = torch.randn(4, 1, 32, 32, generator: new Generator(1)).clamp(-1, 1);
        var y = torch.tensor(new long[] { 0, 1, 2, 3 });
        using var a = TinyRuns.InMemory(fp32, x, y);
        using var b = TinyRuns.InMemory(bf16, x, y);
        var before = b.Objective.Model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        a.Trainer.Train(stopAfter: 1);
        b.Trainer.Train(stopAfter: 1);
        double lossA = a.Trainer.Rows[0]["loss"], lossB = b.Trainer.Rows[0]["loss"];
        // Same draws, same initial weights: the bf16 loss is the fp32 loss up to bf16 rounding.
        Assert.InRange(Math.Abs(lossA - lossB) / lossA, 0, 0.05);
        foreach (var (name, p) in b.Objective.Model.named_parameters())
            Assert.Equal(ScalarType.Float32, p.dtype);
        int changed = b.Objective.Model.named_parameters().Count(p => p.parameter.requires_grad && !p.parameter.equal(before[p.name]).all().item<bool>());
        Assert.True(changed > 0, "the optimizer did not update the fp32 master weights");
    }

    [Fact]
    public void GradClipScalesTheGradientNormOfTheUpdateToTheLimit()
    {
        const double clip = 1e-3;
        var config = TinyRuns.Config("DiT-Tiny/4", 1, $"Optimizer.GradClip={clip}");
        var x = torch.randn(4, 1, 32, 32, generator: new Generator(1)).clamp(-1, 1);
        var y = torch.tensor(new long[] { 0, 1, 2, 3 });
        using var run = TinyRuns.InMemory(config, x, y);
        run.Trainer.Train(stopAfter: 1);
        double before = run.Trainer.Rows[0]["grad_norm"];
        Assert.True(before > 10 * clip, $"the batch's gradient norm {before} does not exceed the limit {clip}: nothing to clip");
        // The gradients left on the parameters are the ones the optimizer stepped with.
        double after = Math.Sqrt(run.Objective.Model.parameters().Where(p => p.grad is not null).Sum(p => p.grad!.pow(2).sum().item<float>()));
        Assert.InRange(after, clip * (1 - 1e-3), clip * (1 + 1e-3));
    }

    [Fact]
    public void Bf16OnCpuIsRefusedByTheTrainerWithAReason()
    {
        var config = TinyRuns.Config("DiT-Tiny/4", 1, "Training.Precision=bf16");
        var e = Assert.Throws<ConfigException>(() => new DenoiserTraining(config, TinyRuns.TempDir("bf16"), torch.CPU, TinyRuns.Quiet(config)));
        Assert.Contains("Training.Precision", e.Message);
    }
}
