using DiffusionLab.Data.World;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.Training;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Pipelines;

/// <summary>
/// The tiny seeded networks and settings behind Fixtures/pipeline-reference.safetensors (recorded from the four old
/// sampling assemblies at 7284085): random weights from a local generator, so they are the same in any test order.
/// </summary>
internal static class ReferenceModels
{
    public static readonly WordTokenizer Tokenizer = new(WorldWords.Vocabulary);

    /// <summary>Class-conditional MNIST-sized MDTv2 (learned sigma), DDPM over 6 respaced steps, power-cosine guidance on the first channels.</summary>
    public static TrainConfig ClassConfig(params string[] more) => TinyRuns.Config("MDTv2-Tiny/4", 6,
        [.. new[] { "Sampling.Sampler=ddpm", "Sampling.Respacing=6", "Sampling.GuidanceScale=3", "Sampling.GuidancePower=4", "Sampling.GuidedChannels=first3" }, .. more]);

    /// <summary>Text-to-image CharacterWorld-sized MDTv2, DDIM over 5 steps with constant guidance.</summary>
    public static TrainConfig TextConfig(params string[] more) => TinyRuns.Config("MDTv2-T2I-Tiny/4", 6,
        [.. new[] { "Data.Dataset=characterworld", "Model.HiddenSize=64", "Model.InputSize=16", "Sampling.Sampler=ddim", "Sampling.Respacing=ddim5", "Sampling.GuidanceScale=4" }, .. more]);

    public static readonly string[] Prompts = ["a woman wearing a crown", "a man with a cap"];

    public static Denoiser Network(DenoiserConfig config, int seed)
    {
        var net = DenoiserFactory.Create(config);
        Randomize(net, seed);
        return net;
    }

    public static MaskedDiffusionTransformer StoryNetwork()
    {
        var net = new MaskedDiffusionTransformer(Models.TextConditioningTests.Tiny with { TextVocabSize = Tokenizer.VocabSize, TextMaxLength = 16 });
        Randomize(net, 4);
        return net;
    }

    public const string StoryText = """
        [Lily] a girl wearing a crown
        [Tom] a boy with a cap

        [Lily] smiling , on the beach #one
        [Tom] sad , in the city #two
        [Lily] angry , in the forest #three
        [NC] a photo of the beach #four
        """;

    public static readonly ConsistentAttentionConfig StoryAttention = new() { Schedule = ConsistentAttentionSchedule.Always, Seed = 5 };

    /// <summary>Random gates and projections: a fresh MDT is the identity and ignores its condition by design.</summary>
    private static void Randomize(nn.Module net, int seed)
    {
        using var g = new Generator((ulong)seed, CPU);
        using (no_grad()) foreach (var p in net.parameters()) p.normal_(0, 0.1, g);
        net.eval();
    }
}
