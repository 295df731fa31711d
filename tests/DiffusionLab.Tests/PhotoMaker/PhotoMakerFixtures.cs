using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>A 16×16 text-to-image MDT with random (non-identity) weights, CharacterWorld's vocabulary and a PhotoMaker config to match.</summary>
internal static class PhotoMakerFixtures
{
    public static WordTokenizer Tokenizer { get; } = new(WorldWords.Vocabulary);

    public static DenoiserConfig BackboneConfig { get; } = new()
    {
        Architecture = Architecture.MdtV2, InputSize = 16, PatchSize = 4, InChannels = 3, HiddenSize = 64, NumHeads = 2, Depth = 4, DecodeLayer = 2,
        Conditioning = ConditioningKind.Text, TextVocabSize = Tokenizer.VocabSize, TextMaxLength = 16, TextWidth = 16, TextDepth = 1, TextHeads = 2,
    };

    public static PhotoMakerConfig Config { get; } = new()
    {
        BaseCheckpoint = "unused",
        ImageEncoder = new ImageEncoderConfig { ImageSize = 16, PatchSize = 4, Width = 16, Depth = 1, Heads = 2 },
        LoraRank = 2,
        LoraAlpha = 2,
    };

    public static double[] Betas => BetaSchedule.Linear(1000);

    /// <summary>
    /// Random gates and projections (a fresh MDT is the identity and ignores the text by design), drawn from a local
    /// generator: test classes run in parallel, so libtorch's global generator is shared with other tests.
    /// </summary>
    public static MaskedDiffusionTransformer Backbone(int seed = 0)
    {
        var net = new MaskedDiffusionTransformer(BackboneConfig);
        using var g = new Generator((ulong)seed, CPU);
        using (no_grad()) foreach (var p in net.parameters()) p.normal_(0, 0.1, g);
        net.eval();
        return net;
    }

    public static PhotoMakerModel Model(PhotoMakerConfig? config = null, int seed = 0)
    {
        using var g = new Generator((ulong)seed + 7, CPU);
        return new PhotoMakerModel(Backbone(seed), config ?? Config, g);
    }

    /// <summary>N random "reference images" (N, 3, 16, 16) in [−1, 1].</summary>
    public static Tensor Images(int n, int seed) => rand([n, 3, 16, 16], generator: new Generator((ulong)seed, CPU)) * 2 - 1;

    public static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
