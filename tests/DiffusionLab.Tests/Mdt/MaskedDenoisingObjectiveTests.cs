using DiffusionLab.Diffusion;
using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.Runs;
using DiffusionLab.Tests.Models;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Mdt;

public class MaskedDenoisingObjectiveTests
{
    /// <summary>
    /// The official tiny MDTv2 weights: every parameter N(0, 0.05), so no adaLN-Zero or zero final layer hides a
    /// gradient path (freshly initialised, only the final layer would get gradient at all).
    /// </summary>
    private static MaskedDiffusionTransformer TinyMdtV2()
    {
        var net = (MaskedDiffusionTransformer)DenoiserFactory.Create(TinyFixtures.Config("mdtv2"));
        StateDictLoader.LoadFile(net, FixtureFiles.PathOf("mdtv2-tiny.weights.safetensors"));
        net.train();
        return net;
    }

    private static ObjectiveOutput Compute(MaskedDiffusionTransformer net, double labelDropout = 0.1, int batch = 4)
    {
        var objective = new MaskedDenoisingObjective(new GaussianDiffusion(BetaSchedule.Linear(1000)), net, LossWeighting.MinSnr(5), labelDropout, net.NullCondition());
        var x0 = torch.randn([batch, 4, 8, 8], generator: new Generator(1)).clamp(-1, 1);
        var y = torch.arange(batch, dtype: ScalarType.Int64) % net.Config.NumClasses;
        return objective.Compute(x0, y, new Generator(2));
    }

    [Fact]
    public void LossIsTheFullBranchPlusTheMaskedBranch()
    {
        using var scope = torch.NewDisposeScope();
        using var net = TinyMdtV2();
        var output = Compute(net);
        float loss = output.Loss.item<float>(), full = output.Logged["loss"].item<float>(), masked = output.Logged["m_loss"].item<float>();
        Assert.True(masked > 0 && float.IsFinite(masked), $"masked-branch loss {masked}");
        Assert.True(Math.Abs(loss - (full + masked)) <= 1e-5f * Math.Abs(loss), $"loss {loss} != full {full} + masked {masked}");
        // Each logged branch loss is its own mse + vb (so the sum above is of two distinct branches, not one twice).
        Assert.Equal(full, output.Logged["mse"].item<float>() + output.Logged["vb"].item<float>(), 4);
        Assert.Equal(masked, output.Logged["m_mse"].item<float>() + output.Logged["m_vb"].item<float>(), 4);
        Assert.NotEqual(full, masked);
    }

    [Fact]
    public void GradientsReachTheSideInterpolatorAndTheMaskToken()
    {
        using var scope = torch.NewDisposeScope();
        using var net = TinyMdtV2();
        Compute(net).Loss.backward();
        var parameters = net.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // Only the masked branch runs the side-interpolator and the mask token (the full branch skips both).
        var maskedOnly = parameters.Where(p => p.Key.StartsWith("sideblocks.", StringComparison.Ordinal) || p.Key == "mask_token").ToList();
        Assert.Contains(maskedOnly, p => p.Key == "mask_token");
        Assert.True(maskedOnly.Count > 2, "expected the side-interpolator's parameters");
        foreach (var (name, p) in maskedOnly)
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, $"no gradient reached {name}");
    }

    /// <summary>
    /// The null class's embedding row gets gradient exactly when some label of either branch was dropped: none at
    /// p = 0, and at p = 0.3 over 2 × 16 draws (all kept: 0.7^32 ≈ 1e-5). The rate itself is tested in LabelDropoutTests.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void LabelDropoutReachesTheNetworkOnlyWhenConfigured(double p)
    {
        using var scope = torch.NewDisposeScope();
        using var net = TinyMdtV2();
        Compute(net, p, batch: 16).Loss.backward();
        var table = net.named_parameters().Single(q => q.name == "y_embedder.embedding_table.weight").parameter;
        float nullRowGrad = table.grad![net.Config.NumClasses].abs().sum().item<float>();
        if (p == 0) Assert.Equal(0f, nullRowGrad);
        else Assert.True(nullRowGrad > 0, "no label became the null class");
    }
}
