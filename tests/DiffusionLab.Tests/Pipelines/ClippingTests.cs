using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Pipelines;

/// <summary>IDDPM's clip_denoised for pixel models: what it changes on a briefly trained MNIST model, and its config default.</summary>
public class ClippingTests
{
    [Fact]
    public void ABrieflyTrainedPixelModelNoLongerSamplesSaturatedNoise()
    {
        var config = TinyRuns.Config("MDTv2-Tiny/4", 30, "Sampling.Sampler=ddpm", "Sampling.Respacing=50", "Training.CheckpointEvery=1000");
        string dir = TinyRuns.TempDir("clipping");
        using var trainer = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config));
        trainer.Train();
        using var labels = arange(16, dtype: ScalarType.Int64) % 10;
        var clipped = new SamplingPipeline(trainer.EmaModel, config);
        Assert.True(clipped.Settings.ClipDenoised, "pixel runs clip by default");
        using var on = clipped.Generate(labels, 0);
        using var off = clipped.With(config.Sampling with { ClipDenoised = false }).Generate(labels, 0);
        double Saturated(Tensor images) => (images.abs() >= 0.999).to(ScalarType.Float32).mean().item<float>();
        Console.WriteLine($"saturated pixels: clipped {Saturated(on):P1}, unclipped {Saturated(off):P1}");
        Assert.True(Saturated(off) > 0.5, $"without clipping {Saturated(off):P1} of the pixels sit at ±1: the model is barely trained");
        Assert.True(Saturated(on) < Saturated(off) / 2, $"clipping: {Saturated(on):P1} saturated against {Saturated(off):P1}");
    }

    [Fact]
    public void ConfigsWithoutTheKeyClipAndTheKeyTurnsItOff()
    {
        Assert.True(TinyRuns.Config("MDTv2-Tiny/4").Sampling.ClipDenoised);   // TinyRuns' JSON predates the key
        var off = TinyRuns.Config("MDTv2-Tiny/4", 6, "Sampling.ClipDenoised=false");
        Assert.False(off.Sampling.ClipDenoised);
        Assert.False(TrainConfigLoader.FromJson(TrainConfigLoader.ToJson(off), "round trip").Sampling.ClipDenoised);
    }
}
