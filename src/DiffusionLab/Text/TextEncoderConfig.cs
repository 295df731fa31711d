namespace DiffusionLab.Text;

/// <summary>
/// Shape of the <see cref="TextEncoder"/>: a small CLIP-style causal text transformer trained from
/// scratch with the diffusion model. Width 256 is the low end of photomaker.md §7's suggested text
/// width (256–512, in place of SDXL's 2048); Depth 4 and Heads 4 are our small-scale choice.
/// </summary>
public sealed record TextEncoderConfig
{
    /// <summary>The tokenizer's <see cref="WordTokenizer.VocabSize"/> (no default: it comes from the data).</summary>
    public int VocabSize { get; init; }
    /// <summary>Tokens per prompt incl. BOS/EOS (CLIP: 77). 32 holds our ~15-word captions plus 3 extra class-token copies.</summary>
    public int MaxLength { get; init; } = 32;
    public int Width { get; init; } = 256;
    public int Depth { get; init; } = 4;
    public int Heads { get; init; } = 4;
    /// <summary>MLP hidden width / Width (CLIP: 4).</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>Problems with this config, each naming the key and what was expected; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (VocabSize <= 4) p.Add($"VocabSize={VocabSize}: expected the tokenizer's vocabulary size (more than the 4 special tokens)");
        if (MaxLength < 2) p.Add($"MaxLength={MaxLength}: expected at least 2 (BOS and EOS)");
        if (Width <= 0 || Heads <= 0 || Width % Heads != 0) p.Add($"Width={Width}, Heads={Heads}: expected positive values with Width divisible by Heads");
        if (Depth <= 0) p.Add($"Depth={Depth}: expected a positive integer");
        if (MlpRatio <= 0 || (int)(Width * MlpRatio) <= 0) p.Add($"MlpRatio={MlpRatio}: expected a positive number");
        return p;
    }
}
