using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Models;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Gpu;

/// <summary>Checks that need a CUDA device; skipped elsewhere.</summary>
public class CudaTests
{
    [CudaFact]
    public void OfficialTinyMdtv2MatchesOnCuda()
    {
        using var net = (MaskedDiffusionTransformer)DenoiserFactory.Create(TinyFixtures.Config("mdtv2"));
        StateDictLoader.LoadFile(net, FixtureFiles.PathOf("mdtv2-tiny.weights.safetensors"));
        net.eval();
        net.to(torch.CUDA);
        var io = FixtureFiles.Load("mdtv2-tiny.io.safetensors");
        using var _ = no_grad();
        var output = net.forward(io["x"].cuda(), io["t"].cuda(), io["y"].cuda());
        Assert.InRange(FixtureFiles.RelativeError(output.cpu(), io["out"]), 0, 1e-4);
        var masking = new MaskingResult(io["ids_keep"].cuda(), io["ids_restore"].cuda(), io["mask"].cuda());
        var masked = net.ForwardMasked(io["x"].cuda(), io["t"].cuda(), io["y"].cuda(), masking);
        Assert.InRange(FixtureFiles.RelativeError(masked.cpu(), io["out_masked"]), 0, 1e-4);
    }

    [CudaFact]
    public void Bf16TrainingRunsAndLossIsFiniteOnCuda()
    {
        var config = TinyRuns.Config("MDTv2-Tiny/4", 3, "Training.Precision=bf16");
        string dir = TinyRuns.TempDir("cuda-bf16");
        using var trainer = new DenoiserTraining(config, dir, torch.CUDA, TinyRuns.Quiet(config));
        trainer.Train();
        var losses = new MetricsLog(new RunFolder(dir).MetricsFile).ReadAll().Where(r => r.ContainsKey("loss")).Select(r => r["loss"]).ToList();
        Assert.Equal(3, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
    }
}
