namespace DiffusionLab.PhotoMaker;

/// <summary>
/// Shape of the <see cref="ReferenceImageEncoder"/>, a small ViT trained from scratch in the PhotoMaker stage in
/// place of CLIP ViT-L/14 (photomaker.md §1.1: 224 px, patch 14, width 1024, 24 layers, 16 heads). 64×64
/// references with patch 8 give 8×8 = 64 patches + CLS, the same 16-patch-per-side order of magnitude;
/// width 128, depth 4 and 4 heads are our small-scale choice (≈0.8M parameters).
/// </summary>
public sealed record ImageEncoderConfig
{
    /// <summary>Reference side in pixels; other sizes are resized bilinearly (CharacterWorld: 64).</summary>
    public int ImageSize { get; init; } = 64;
    public int PatchSize { get; init; } = 8;
    public int Width { get; init; } = 128;
    public int Depth { get; init; } = 4;
    public int Heads { get; init; } = 4;
    /// <summary>MLP hidden width / Width (CLIP: 4096/1024 = 4).</summary>
    public double MlpRatio { get; init; } = 4.0;

    public int NumPatches => (ImageSize / PatchSize) * (ImageSize / PatchSize);

    /// <summary>Problems with this config, each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (ImageSize < 8) p.Add($"ImageEncoder.ImageSize={ImageSize}: expected at least 8");
        if (PatchSize < 1 || ImageSize % PatchSize != 0) p.Add($"ImageEncoder.PatchSize={PatchSize}: expected a positive divisor of ImageSize={ImageSize}");
        if (Width <= 0 || Heads <= 0 || Width % Heads != 0) p.Add($"ImageEncoder.Width={Width}, Heads={Heads}: expected positive values with Width divisible by Heads");
        if (Depth < 1) p.Add($"ImageEncoder.Depth={Depth}: expected a positive integer");
        if (!(MlpRatio > 0)) p.Add($"ImageEncoder.MlpRatio={MlpRatio}: expected a positive number");
        return p;
    }
}
