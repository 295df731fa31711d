using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Text;

public class PromptWeightingTests
{
    [Fact]
    public void AllWeightsOneIsTheIdentity()
    {
        using var g = new Generator(3);
        using var tokens = randn([2, 8, 16], generator: g) + 0.3;
        using var ones = torch.ones(2, 8);
        Assert.True(PromptWeighting.Apply(tokens, ones).equal(tokens).all().item<bool>());
        Assert.True(PromptWeighting.Apply(zeros(1, 4, 4), torch.ones(1, 4)).equal(zeros(1, 4, 4)).all().item<bool>());
    }

    [Fact]
    public void WeightsScaleTokensAndKeepEachRowsMeanTokenNorm()
    {
        using var g = new Generator(4);
        using var tokens = randn([2, 6, 16], generator: g) + 0.5;
        using var weights = tensor(new float[,] { { 1, 1, 1.5f, 1, 0.5f, 1 }, { 1, 2, 1, 1, 1, 1 } });
        using var weighted = PromptWeighting.Apply(tokens, weights);
        Assert.True(weighted.norm(-1).mean([1]).allclose(tokens.norm(-1).mean([1]), rtol: 1e-5, atol: 1e-6));
        // Every token is its vector times its weight times one scale per row.
        using var ratio = weighted / (tokens * weights.unsqueeze(-1));
        Assert.True(ratio[0].allclose(ratio[0, 0, 0]) && ratio[1].allclose(ratio[1, 0, 0]));
        Assert.False(ratio[0, 0, 0].allclose(ratio[1, 0, 0]));
    }
}
