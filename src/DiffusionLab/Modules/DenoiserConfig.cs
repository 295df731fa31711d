using System.Text.Json.Serialization;

namespace DiffusionLab.Modules;

/// <summary>
/// Everything that fixes the shape and behaviour of a DiT / MDT / MDTv2 network. Defaults are the
/// paper setting of MDTv2-S/2 on ImageNet 256² latents (mdt.md §4, §6); presets in
/// <see cref="DenoiserPresets"/> set the rest.
/// </summary>
public sealed record DenoiserConfig
{
    public Architecture Architecture { get; init; } = Architecture.MdtV2;
    /// <summary>Latent side length: 256² images through the SD VAE give 32 (mdt.md §1).</summary>
    public int InputSize { get; init; } = 32;
    public int PatchSize { get; init; } = 2;
    /// <summary>Latent channels (SD VAE: 4).</summary>
    public int InChannels { get; init; } = 4;
    public int HiddenSize { get; init; } = 384;
    public int Depth { get; init; } = 12;
    public int NumHeads { get; init; } = 6;
    public double MlpRatio { get; init; } = 4.0;
    /// <summary>ImageNet classes; index NumClasses is the null class used by guidance.</summary>
    public int NumClasses { get; init; } = 1000;
    /// <summary>Label dropout for classifier-free guidance (DiT/MDT: 0.1).</summary>
    public double ClassDropoutProb { get; init; } = 0.1;
    /// <summary>Learned-range variance: the network outputs 2·InChannels channels (ε, v).</summary>
    public bool LearnSigma { get; init; } = true;

    /// <summary>MDT: number of final blocks that see all tokens (v1 scripts 2, v2 constructor 4, v2 S/2 run.sh 6).</summary>
    public int DecodeLayer { get; init; } = 4;
    /// <summary>MDT: lowest masking ratio (v1 fixed 0.3; v2 draws from [MaskRatio, MaskRatioMax)).</summary>
    public double MaskRatio { get; init; } = 0.3;
    /// <summary>MDT: upper end of the masking-ratio range; equal to MaskRatio for a fixed ratio (v2: 0.5).</summary>
    public double MaskRatioMax { get; init; } = 0.5;
    public PositionEmbeddingKind PositionEmbedding { get; init; } = PositionEmbeddingKind.Learnable;
    /// <summary>MDT: per-block learnable 2-D relative position bias (BEiT style).</summary>
    public bool RelativePositionBias { get; init; } = true;
    /// <summary>MDT: learnable decoder position embedding added before the decoder / in the side-interpolator.</summary>
    public bool DecoderPositionEmbedding { get; init; } = true;
    /// <summary>MDT: masked shortcut in the side-interpolator (visible tokens keep the encoder output).</summary>
    public bool MaskedShortcut { get; init; } = true;

    /// <summary>
    /// Text: a text encoder trained with the network encodes token ids, blocks cross-attend to the text tokens,
    /// and adaLN sees t_emb + the pooled text in place of y_emb.
    /// </summary>
    public ConditioningKind Conditioning { get; init; } = ConditioningKind.ClassLabel;
    /// <summary>The tokenizer's vocabulary size (text conditioning; filled in from the data's tokenizer when 0).</summary>
    public int TextVocabSize { get; init; } = 0;
    /// <summary>Token positions of a prompt, BOS and EOS included (CharacterWorld captions: at most ~20).</summary>
    public int TextMaxLength { get; init; } = 32;
    public int TextWidth { get; init; } = 256;
    public int TextDepth { get; init; } = 4;
    public int TextHeads { get; init; } = 4;

    [JsonIgnore] public int GridSize => InputSize / PatchSize;
    [JsonIgnore] public bool IsTextConditioned => Conditioning == ConditioningKind.Text;
    [JsonIgnore] public int NumTokens => GridSize * GridSize;
    [JsonIgnore] public int OutChannels => LearnSigma ? 2 * InChannels : InChannels;
    [JsonIgnore] public bool IsMasked => Architecture != Architecture.DiT;

    /// <summary>Problems with this config, each naming the key and what was expected; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (InputSize <= 0) p.Add($"InputSize={InputSize}: expected a positive integer");
        if (PatchSize <= 0 || InputSize % PatchSize != 0) p.Add($"PatchSize={PatchSize}: expected a positive divisor of InputSize={InputSize}");
        if (InChannels <= 0) p.Add($"InChannels={InChannels}: expected a positive integer");
        if (HiddenSize <= 0 || NumHeads <= 0 || HiddenSize % NumHeads != 0) p.Add($"HiddenSize={HiddenSize}, NumHeads={NumHeads}: expected positive values with HiddenSize divisible by NumHeads");
        if (HiddenSize % 4 != 0) p.Add($"HiddenSize={HiddenSize}: expected a multiple of 4 (2-D sin-cos position embedding)");
        if (Depth <= 0) p.Add($"Depth={Depth}: expected a positive integer");
        // The last linear reads each token's patch back out of it: a width below the patch's values is a bottleneck
        // that caps how well ε can be predicted (seen: MDTv2 on 64×64 RGB at patch 8, width 128, stalled at mse 0.33).
        if (PatchSize > 0 && HiddenSize > 0 && HiddenSize <= PatchSize * PatchSize * InChannels)
            p.Add($"HiddenSize={HiddenSize}: a token carries its patch's {PatchSize}×{PatchSize}×{InChannels}={PatchSize * PatchSize * InChannels} values; expected HiddenSize above that (a smaller PatchSize or a wider model)");
        if (MlpRatio <= 0) p.Add($"MlpRatio={MlpRatio}: expected a positive number");
        if (NumClasses <= 0) p.Add($"NumClasses={NumClasses}: expected a positive integer");
        if (ClassDropoutProb is < 0 or >= 1) p.Add($"ClassDropoutProb={ClassDropoutProb}: expected a value in [0, 1)");
        if (IsTextConditioned)
        {
            if (!IsMasked) p.Add($"Conditioning={Conditioning}: text conditioning is built for Architecture Mdt or MdtV2, not {Architecture}");
            if (TextVocabSize <= 4) p.Add($"TextVocabSize={TextVocabSize}: expected the tokenizer's vocabulary size (special tokens and at least one word)");
            if (TextMaxLength < 3) p.Add($"TextMaxLength={TextMaxLength}: expected at least 3 (BOS, a word, EOS)");
            if (TextWidth <= 0 || TextHeads <= 0 || TextWidth % TextHeads != 0) p.Add($"TextWidth={TextWidth}, TextHeads={TextHeads}: expected positive values with TextWidth divisible by TextHeads");
            if (TextDepth <= 0) p.Add($"TextDepth={TextDepth}: expected a positive integer");
        }
        if (IsMasked)
        {
            if (DecodeLayer < 0 || DecodeLayer >= Depth) p.Add($"DecodeLayer={DecodeLayer}: expected 0 <= DecodeLayer < Depth={Depth}");
            if (Architecture == Architecture.MdtV2 && (Depth - DecodeLayer) % 2 != 0)
                p.Add($"DecodeLayer={DecodeLayer}: MDTv2 needs Depth-DecodeLayer even (the encoder is split into in- and out-blocks), got {Depth - DecodeLayer}");
            if (MaskRatio is < 0 or >= 1) p.Add($"MaskRatio={MaskRatio}: expected a value in [0, 1)");
            if (MaskRatioMax < MaskRatio || MaskRatioMax >= 1) p.Add($"MaskRatioMax={MaskRatioMax}: expected MaskRatio <= MaskRatioMax < 1");
        }
        return p;
    }
}
