using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Evaluation.World;

public class JudgeTrainingTests
{
    // 4 steps of 8 images on a 4-identity world: enough to exercise order, edits, augmentation and the optimiser.
    private static readonly JudgeTrainingOptions Tiny = new() { Epochs = 2, ImagesPerIdentity = 4, BatchSize = 8, WarmupSteps = 1 };

    [Fact]
    public void Training_depends_on_the_seed_alone()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 4, HeldOutIdentities = 1 });
        using var a = StructureCheckerTraining.Train(world, Tiny);
        using var b = StructureCheckerTraining.Train(world, Tiny);
        using var c = StructureCheckerTraining.Train(world, Tiny with { Seed = 1 });
        var (sa, sb, sc) = (a.state_dict(), b.state_dict(), c.state_dict());
        foreach (var (name, value) in sa)
            Assert.True(Same(value, sb[name]), $"{name} differs between two runs with seed 0");
        Assert.Contains(sa, kv => !Same(kv.Value, sc[kv.Key]));

        using var i1 = IdentityEmbedderTraining.Train(world, Tiny);
        using var i2 = IdentityEmbedderTraining.Train(world, Tiny);
        var s2 = i2.state_dict();
        foreach (var (name, value) in i1.state_dict())
            Assert.True(Same(value, s2[name]), $"identity {name} differs between two runs with seed 0");
    }

    private static bool Same(Tensor a, Tensor b)
    {
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }

    [Fact]
    public void Judges_output_the_documented_shapes()
    {
        using var x = torch.zeros(2, 3, 64, 64);
        using var identity = new IdentityEmbedder();
        identity.eval();
        using var embedding = identity.forward(x);
        Assert.Equal([2, IdentityEmbedder.EmbeddingSize], embedding.shape);
        Assert.Equal(1.0, embedding.norm(1)[0].item<float>(), 4);
        using var factors = new FactorClassifier();
        factors.eval();
        using var logits = factors.forward(x);
        Assert.Equal([2, 31], logits.shape);
        Assert.Equal(5, FactorClassifier.Split(logits).Count);
        using var structure = new StructureChecker();
        structure.eval();
        using var counts = StructureChecker.Counts(structure.forward(x));
        Assert.Equal([2, 3], counts.shape);
        using var normal = torch.tensor(new long[,] { { 2, 1, 1 }, { 0, 1, 1 } });
        using var valid = StructureChecker.IsValid(normal);
        Assert.Equal(new[] { true, false }, valid.data<bool>().ToArray());
    }
}
