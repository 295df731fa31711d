using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Runs;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Training;

public class JudgeTrainingTests
{
    // 4 steps of 8 images on a 4-identity world: enough to exercise order, edits, augmentation and the optimiser.
    private static readonly JudgeTrainingOptions Tiny = new() { Epochs = 2, ImagesPerIdentity = 4, BatchSize = 8, WarmupSteps = 1 };

    [Fact]
    public void Training_depends_on_the_seed_alone()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 4, HeldOutIdentities = 1 });
        using var a = JudgeTraining.Structure(world, Tiny);
        using var b = JudgeTraining.Structure(world, Tiny);
        using var c = JudgeTraining.Structure(world, Tiny with { Seed = 1 });
        var (sa, sb, sc) = (a.state_dict(), b.state_dict(), c.state_dict());
        foreach (var (name, value) in sa)
            Assert.True(Same(value, sb[name]), $"{name} differs between two runs with seed 0");
        Assert.Contains(sa, kv => !Same(kv.Value, sc[kv.Key]));

        using var i1 = JudgeTraining.Identity(world, Tiny);
        using var i2 = JudgeTraining.Identity(world, Tiny);
        var s2 = i2.state_dict();
        foreach (var (name, value) in i1.state_dict())
            Assert.True(Same(value, s2[name]), $"identity {name} differs between two runs with seed 0");
    }

    [Fact]
    public void An_interrupted_judge_training_resumes_bit_exactly()
    {
        using var world = new CharacterWorld(new CharacterWorldConfig { TrainIdentities = 4, HeldOutIdentities = 1 });
        var options = Tiny with { LogEvery = 1 };
        string straight = TinyRuns.TempDir("judge-straight"), resumed = TinyRuns.TempDir("judge-resumed");
        using var a = JudgeTraining.Structure(world, options, runDirectory: straight);
        // Interrupted (as Ctrl-C does) after step 3 of 4: mid-epoch, so the resumed run must rebuild the epoch's order.
        using (var cancel = new CancellationTokenSource())
        {
            var stopAtThree = new StopAfter(3, cancel);
            JudgeTraining.Structure(world, options, stopAtThree, resumed, cancel.Token).Dispose();
        }
        Assert.Equal(3, TrainingCheckpointStep(resumed));
        using var b = JudgeTraining.Structure(world, options, runDirectory: resumed);
        var sb = b.state_dict();
        foreach (var (name, value) in a.state_dict()) Assert.True(Same(value, sb[name]), $"{name} differs after resume");
        var lossA = new MetricsLog(new RunFolder(straight).MetricsFile).ReadAll().Select(r => r["loss"]);
        var lossB = new MetricsLog(new RunFolder(resumed).MetricsFile).ReadAll().Select(r => r["loss"]);
        Assert.Equal(lossA, lossB);
    }

    private static long TrainingCheckpointStep(string run) => TrainingCheckpoint.Load(TrainingCheckpoint.Latest(run)!).Step;

    /// <summary>A progress log that cancels the run once it has logged <c>steps</c> steps (one line per step).</summary>
    private sealed class StopAfter(int steps, CancellationTokenSource cancel) : StringWriter
    {
        private int _lines;

        public override void WriteLine(string? value)
        {
            if (++_lines >= steps) cancel.Cancel();
        }
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
