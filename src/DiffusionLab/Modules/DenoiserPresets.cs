namespace DiffusionLab.Modules;

/// <summary>
/// Named network configurations: the paper sizes S/B/L/XL with patch 2/4/8 (mdt.md §6; DiT Table 1)
/// for DiT, MDT and MDTv2, plus "Tiny" presets for MNIST-10k on 2 CPU cores, and text-to-image MDT /
/// MDTv2 presets on RGB pixels ("T2I-": Tiny 32×32, S and B 64×64): "DiT-S/2", "MDT-XL/2", "MDTv2-B/4",
/// "MDTv2-Tiny/2", "MDTv2-T2I-Tiny/4", "MDTv2-T2I-S/4", ...
/// </summary>
public static class DenoiserPresets
{
    private static readonly (string Name, int Depth, int Hidden, int Heads)[] Sizes =
    [
        ("S", 12, 384, 6),
        ("B", 12, 768, 12),
        ("L", 24, 1024, 16),
        ("XL", 28, 1152, 16),
    ];

    private static readonly int[] Patches = [2, 4, 8];

    /// <summary>All preset names, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        (from arch in new[] { "DiT", "MDT", "MDTv2" }
         from size in Sizes.Select(s => s.Name).Append("Tiny")
         from p in Patches
         select $"{arch}-{size}/{p}")
        .Concat(from arch in new[] { "MDT", "MDTv2" }
                from size in new[] { "Tiny", "S", "B" }
                from p in Patches
                where !(size == "Tiny" && p == 8)  // 8×8×3 values per token exceed Tiny's width 128
                select $"{arch}-T2I-{size}/{p}").ToArray();

    /// <summary>The config a preset name stands for; throws naming the preset and the known names otherwise.</summary>
    public static DenoiserConfig Get(string name)
    {
        if (!TryGet(name, out var config))
            throw new ArgumentException($"model preset '{name}': unknown; expected one of {string.Join(", ", Names)}");
        return config!;
    }

    public static bool TryGet(string name, out DenoiserConfig? config)
    {
        config = null;
        var parts = name.Split('-', 2);
        if (parts.Length != 2) return false;
        bool textToImage = parts[1].StartsWith("T2I-", StringComparison.Ordinal);
        if (textToImage) parts[1] = parts[1]["T2I-".Length..];
        var sizePatch = parts[1].Split('/');
        if (sizePatch.Length != 2 || !int.TryParse(sizePatch[1], out int patch) || !Patches.Contains(patch)) return false;
        Architecture? arch = parts[0] switch { "DiT" => Architecture.DiT, "MDT" => Architecture.Mdt, "MDTv2" => Architecture.MdtV2, _ => null };
        if (arch is null || (textToImage && arch == Architecture.DiT)) return false;

        DenoiserConfig basis;
        if (textToImage)
        {
            // RGB pixels (CharacterWorld), prompts of at most 32 tokens. Tiny (the MNIST Tiny's width and depth, for
            // 2 CPU cores) draws 32×32; S and B draw 64×64, at patch 4 256 tokens (a GPU). A token must carry its
            // patch's p·p·3 input values, so width must exceed them: Tiny/8 at 64 px (192 values, width 128) could not.
            var (hidden, depth, heads, textWidth, textDepth, size) = sizePatch[0] switch
            {
                "Tiny" => (128, 6, 4, 128, 2, 32),
                "S" => (384, 12, 6, 384, 6, 64),
                "B" => (768, 12, 12, 512, 8, 64),
                _ => (0, 0, 0, 0, 0, 0),
            };
            if (hidden == 0 || hidden <= patch * patch * 3) return false;
            basis = new DenoiserConfig
            {
                InputSize = size, InChannels = 3, HiddenSize = hidden, Depth = depth, NumHeads = heads, DecodeLayer = 2,
                Conditioning = ConditioningKind.Text, TextMaxLength = 32, TextWidth = textWidth, TextDepth = textDepth, TextHeads = heads,
            };
        }
        else if (sizePatch[0] == "Tiny")
        {
            // MNIST-10k: 1×32×32 grey digits, 10 classes. Depth 6, width 128: a few hundred steps/minute on 2 cores.
            basis = new DenoiserConfig
            {
                InputSize = 32, InChannels = 1, NumClasses = 10, HiddenSize = 128, Depth = 6, NumHeads = 4,
                DecodeLayer = 2,
            };
        }
        else
        {
            var size = Sizes.FirstOrDefault(s => s.Name == sizePatch[0]);
            if (size.Name is null) return false;
            basis = new DenoiserConfig { HiddenSize = size.Hidden, Depth = size.Depth, NumHeads = size.Heads };
        }

        config = arch switch
        {
            Architecture.DiT => basis with
            {
                Architecture = Architecture.DiT, PatchSize = patch, PositionEmbedding = PositionEmbeddingKind.FixedSinCos,
                RelativePositionBias = false, DecoderPositionEmbedding = false, DecodeLayer = 0, MaskRatio = 0, MaskRatioMax = 0,
            },
            // MDT v1 scripts: decode_layer 2, fixed mask ratio 0.3 (mdt.md §3).
            Architecture.Mdt => basis with
            {
                Architecture = Architecture.Mdt, PatchSize = patch, DecodeLayer = 2, MaskRatio = 0.3, MaskRatioMax = 0.3,
            },
            // MDTv2 constructor: decode_layer 4, mask ratio U[0.3, 0.5) (mdt.md §4). Tiny keeps 2 so depth 6 splits 2+2+2.
            _ => basis with
            {
                Architecture = Architecture.MdtV2, PatchSize = patch, DecodeLayer = sizePatch[0] == "Tiny" ? 2 : 4,
                MaskRatio = 0.3, MaskRatioMax = 0.5,
            },
        };
        return true;
    }
}
