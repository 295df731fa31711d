using DiffusionLab.PhotoMaker;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>photomaker.md §1.2: ê = LayerNorm(mlp2(mlp1(cat[c, e]) + c)), official key names.</summary>
public class FuseModuleTests
{
    private static FuseModule Fuse(int d = 4) => new(d);

    private static void Zero(FuseModule fuse, params string[] except)
    {
        using var _ = no_grad();
        foreach (var (name, p) in fuse.named_parameters())
            if (!name.Contains("layernorm") && !name.StartsWith("layer_norm") && !except.Contains(name)) p.zero_();
    }

    [Fact]
    public void KeysAndShapesAreTheOfficialOnes()
    {
        using var fuse = Fuse(8);
        var shapes = fuse.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        var expected = new Dictionary<string, long[]>
        {
            ["mlp1.layernorm.weight"] = [16], ["mlp1.layernorm.bias"] = [16], ["mlp1.fc1.weight"] = [8, 16], ["mlp1.fc1.bias"] = [8],
            ["mlp1.fc2.weight"] = [8, 8], ["mlp1.fc2.bias"] = [8],
            ["mlp2.layernorm.weight"] = [8], ["mlp2.layernorm.bias"] = [8], ["mlp2.fc1.weight"] = [8, 8], ["mlp2.fc1.bias"] = [8],
            ["mlp2.fc2.weight"] = [8, 8], ["mlp2.fc2.bias"] = [8],
            ["layer_norm.weight"] = [8], ["layer_norm.bias"] = [8],
        };
        Assert.Equal(expected.Keys.Order(), shapes.Keys.Order());
        foreach (var (k, s) in expected) Assert.Equal(s, shapes[k]);
        using var _ = no_grad();
        Assert.Equal(new long[] { 5, 8 }, fuse.forward(randn(5, 8), randn(5, 8)).shape);
        Assert.Throws<ArgumentException>(() => fuse.forward(randn(5, 8), randn(4, 8)));

        using var encoder = new StackedIdEncoder(PhotoMakerFixtures.Config.ImageEncoder, 8);
        var keys = encoder.state_dict().Keys.ToList();
        Assert.Contains("visual_projection.weight", keys);
        Assert.Contains("fuse_module.mlp1.fc1.weight", keys);
        Assert.Contains("vision_model.post_layernorm.weight", keys);
        Assert.Contains("vision_model.layers.0.attn.qkv.weight", keys);
        Assert.DoesNotContain("visual_projection.bias", keys); // CLIP's projection has no bias
    }

    [Fact]
    public void WithZeroedMlpsTheOutputIsTheLayerNormOfTheClassToken()
    {
        using var fuse = Fuse();
        Zero(fuse);
        var c = tensor(new float[] { 1, 2, 3, 4 }).view(1, 4);
        var e = tensor(new float[] { 9, -9, 5, 0 }).view(1, 4);
        using var _ = no_grad();
        var y = fuse.forward(c, e);
        // By hand: mean 2.5, biased variance 1.25, LayerNorm eps 1e-5, weight 1, bias 0.
        double s = Math.Sqrt(1.25 + 1e-5);
        var expected = tensor(new float[] { (float)(-1.5 / s), (float)(-0.5 / s), (float)(0.5 / s), (float)(1.5 / s) }).view(1, 4);
        Assert.True(y.allclose(expected, rtol: 1e-6, atol: 1e-6));
        Assert.True(y.allclose(fuse.forward(c, -e)), "with zeroed MLPs the image embedding cannot matter");
    }

    [Fact]
    public void TheOuterResidualAndMlp2sResidualBothCarryTheirInput()
    {
        using var fuse = Fuse();
        var c = tensor(new float[] { 1, 2, 3, 4 }).view(1, 4);
        var e = randn(1, 4);
        var b1 = tensor(new float[] { 0.5f, -1, 2, 0 });
        var b2 = tensor(new float[] { 3, 0, -1, 1 });
        Zero(fuse);
        using var _ = no_grad();
        var state = fuse.state_dict();
        state["mlp1.fc2.bias"].copy_(b1);               // mlp1(cat) = b1, so h = c + b1
        state["mlp2.fc2.bias"].copy_(b2);               // mlp2(h) = h + b2 (its residual)
        var y = fuse.forward(c, e);
        var expected = nn.functional.layer_norm(c + b1 + b2, [4]);
        Assert.True(y.allclose(expected, rtol: 1e-6, atol: 1e-6));
    }

    [Fact]
    public void TheForwardIsExactlyTheOfficialFormulaWithExactGelu()
    {
        using var fuse = Fuse(6);
        using var _ = no_grad();
        using var g = new Generator(3, CPU);
        foreach (var p in fuse.parameters()) p.normal_(0, 0.5, g);
        var sd = fuse.state_dict();
        var c = randn(3, 6);
        var e = randn(3, 6);
        Tensor Mlp(string m, Tensor x, bool residual)
        {
            var h = nn.functional.layer_norm(x, [x.shape[1]], sd[$"{m}.layernorm.weight"], sd[$"{m}.layernorm.bias"]);
            h = nn.functional.linear(h, sd[$"{m}.fc1.weight"], sd[$"{m}.fc1.bias"]);
            h = 0.5 * h * (1 + special.erf(h / Math.Sqrt(2)));  // nn.GELU() default: the exact erf form
            h = nn.functional.linear(h, sd[$"{m}.fc2.weight"], sd[$"{m}.fc2.bias"]);
            return residual ? h + x : h;
        }
        var expected = nn.functional.layer_norm(Mlp("mlp2", Mlp("mlp1", cat([c, e], 1), false) + c, true), [6], sd["layer_norm.weight"], sd["layer_norm.bias"]);
        Assert.True(fuse.forward(c, e).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }
}
