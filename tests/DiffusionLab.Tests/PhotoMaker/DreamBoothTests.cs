using DiffusionLab.PhotoMaker;
using TorchSharp;
using static TorchSharp.torch;
using static DiffusionLab.Tests.PhotoMaker.PhotoMakerFixtures;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>The DreamBooth baseline: tunes a copy (never the base), only what its mode opens, with the prior loss, and times itself.</summary>
public class DreamBoothTests
{
    private static readonly DreamBoothConfig Tiny = new() { Steps = 3, ClassImages = 2, ClassImageSteps = 2, InstanceBatch = 2, ClassBatch = 2, LoraRank = 2, LoraAlpha = 2 };

    private static Dictionary<string, Tensor> Copy(nn.Module m) => m.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

    [Fact]
    public void LoraTuningTrainsOnlyTheAdaptersOfACopyAndReportsItsTime()
    {
        using var baseModel = Backbone();
        var before = Copy(baseModel);
        using var result = new DreamBoothFineTuner(Tiny).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man");
        foreach (var (k, v) in Copy(baseModel)) Assert.True(Same(v, before[k]), $"the base model changed: {k}");
        foreach (var (k, v) in Copy(result.Model)) Assert.True(Same(v, before[k]), $"LoRA mode changed backbone weight {k}");
        Assert.NotNull(result.Lora);
        Assert.Contains(result.Lora!.NamedParameters(), p => p.Name.EndsWith("lora_B.weight") && p.Parameter.abs().sum().item<float>() > 0);
        Assert.Equal("a photo of a sks man", result.InstancePrompt);
        Assert.Equal("a photo of a man", result.ClassPrompt);
        Assert.True(result.IdentifierIsUnknownToken, "'sks' is outside the vocabulary: it encodes to <unk>, a token no caption held");
        Assert.Equal(new long[] { 2, 3, 16, 16 }, result.ClassImages.shape);
        Assert.Equal(3, result.InstanceLosses.Count);
        Assert.Equal(3, result.PriorLosses.Count);
        Assert.True(result.TrainTime > TimeSpan.Zero && result.ClassImageTime > TimeSpan.Zero);
        Assert.Equal(result.ClassImageTime + result.TrainTime, result.TotalTime);
        Assert.Equal(2 * 20, result.TunedWeights().Count);

        Assert.Equal(new long[] { 1, 3, 16, 16 }, result.Generate("a photo of a sks man wearing a crown", [1], steps: 2).shape);
        Assert.Contains("no identifier 'sks'", Assert.Throws<ArgumentException>(() => result.Generate("a photo of a man", [1], steps: 2)).Message);
        Assert.Contains("'dragon'", Assert.Throws<ArgumentException>(() => result.Generate("a photo of a sks dragon", [1], steps: 2)).Message);
    }

    [Fact]
    public void ATuningInARunFolderResumesBitExactly()
    {
        using var baseModel = Backbone();
        var longer = Tiny with { Steps = 4 };
        string dir = Path.Combine(Path.GetTempPath(), "difflab-tests", $"db-resume-{Guid.NewGuid():N}");
        using var straight = new DreamBoothFineTuner(longer).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man");
        // Interrupted after 2 of the 4 steps (its checkpoint is the one of step 2), then run again to the end.
        new DreamBoothFineTuner(Tiny with { Steps = 2 }).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man", runDirectory: dir).Dispose();
        Assert.True(File.Exists(new DiffusionLab.Runs.RunFolder(dir).Checkpoint(2)));
        using var resumed = new DreamBoothFineTuner(longer).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man", runDirectory: dir);
        Assert.Equal(straight.InstanceLosses, resumed.InstanceLosses);
        Assert.Equal(straight.PriorLosses, resumed.PriorLosses);
        foreach (var (k, v) in straight.TunedWeights()) Assert.True(Same(v, resumed.TunedWeights()[k]), $"differs after resume: {k}");
    }

    [Fact]
    public void SnapshotsSeeTheCopyPartWayAndDoNotChangeTheResult()
    {
        using var baseModel = Backbone();
        var seen = new List<(int Step, TimeSpan Train, long[] Shape)>();
        using var plain = new DreamBoothFineTuner(Tiny).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man");
        using var snapped = new DreamBoothFineTuner(Tiny).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man", null, [0, 2], s =>
        {
            using var image = s.Generate("a photo of a sks man", [1], steps: 2);
            seen.Add((s.Step, s.TrainTime, image.shape));
        });
        Assert.Equal([0, 2], seen.Select(x => x.Step));
        Assert.All(seen, x => Assert.Equal(new long[] { 1, 3, 16, 16 }, x.Shape));
        Assert.True(seen[1].Train >= seen[0].Train && seen[1].Train <= snapped.TrainTime);
        // Sampling in a snapshot draws from its own generators: the tuning continues exactly as without it.
        foreach (var (k, v) in snapped.TunedWeights()) Assert.True(Same(v, plain.TunedWeights()[k]), $"a snapshot changed the tuning: {k}");
        Assert.Contains("snapshot step 3", Assert.Throws<ArgumentException>(() => new DreamBoothFineTuner(Tiny).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man", null, [3], _ => { })).Message);
    }

    [Fact]
    public void FullTuningChangesTheDenoiserButNotTheTextEncoder()
    {
        using var baseModel = Backbone();
        var before = Copy(baseModel);
        using var result = new DreamBoothFineTuner(Tiny with { Tuning = BackboneAdaptation.Full, LearningRate = 1e-3 }).Tune(baseModel, Tokenizer, Betas, Images(4, 1), "man");
        Assert.Null(result.Lora);
        var after = Copy(result.Model);
        Assert.All(after.Where(p => p.Key.StartsWith("text_encoder.")), p => Assert.True(Same(p.Value, before[p.Key]), p.Key));
        Assert.Contains(after, p => p.Key.Contains("cross_attn") && !Same(p.Value, before[p.Key]));
        Assert.Contains(after, p => p.Key.Contains("adaLN_modulation") && !Same(p.Value, before[p.Key]));
        foreach (var (k, v) in Copy(baseModel)) Assert.True(Same(v, before[k]), $"the base model changed: {k}");
    }

    [Fact]
    public void AnUnknownClassWordOrNoReferencesAreErrors()
    {
        using var baseModel = Backbone();
        var tuner = new DreamBoothFineTuner(Tiny);
        Assert.Contains("class word 'dragon'", Assert.Throws<ArgumentException>(() => tuner.Tune(baseModel, Tokenizer, Betas, Images(4, 1), "dragon")).Message);
        Assert.Contains("no reference images", Assert.Throws<ArgumentException>(() => tuner.Tune(baseModel, Tokenizer, Betas, zeros(0, 3, 16, 16), "man")).Message);
    }
}
