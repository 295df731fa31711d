namespace DiffusionLab.Data.World;

/// <summary>
/// Damage applied to a rendered reference image, after rendering and in this order: low resolution
/// (down-sample by an integer factor with a box filter, then back up bilinearly), Gaussian blur,
/// additive Gaussian noise (seeded). The mask is left as rendered.
/// </summary>
/// <param name="BlurSigma">Gaussian blur σ in output pixels; 0 = none.</param>
/// <param name="NoiseStd">Noise standard deviation in grey levels (0–255 scale); 0 = none.</param>
/// <param name="DownsampleFactor">1 = none; k renders detail at size/k.</param>
public sealed record ImageDegradation(double BlurSigma = 0, double NoiseStd = 0, int DownsampleFactor = 1)
{
    public bool IsNone => BlurSigma == 0 && NoiseStd == 0 && DownsampleFactor == 1;

    /// <summary>The names <see cref="Preset"/> knows.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["blur", "lowres", "noise"];

    /// <summary>
    /// A named damage at the strong end of what PhotoMaker training draws for its references (PhotoMakerExamples: blur
    /// σ up to 1.5, noise up to 12 grey levels, down-sampling ×1/×2/×4): "blur" σ 1.5, "lowres" ×4, "noise" 12.
    /// </summary>
    public static ImageDegradation Preset(string name) => name switch
    {
        "blur" => new ImageDegradation(BlurSigma: 1.5),
        "lowres" => new ImageDegradation(DownsampleFactor: 4),
        "noise" => new ImageDegradation(NoiseStd: 12),
        _ => throw new ArgumentException($"degradation '{name}': expected one of {string.Join(", ", PresetNames)}"),
    };

    public void Validate()
    {
        if (!(BlurSigma >= 0 && BlurSigma <= 20)) throw new ArgumentOutOfRangeException(nameof(BlurSigma), $"BlurSigma {BlurSigma}: expected 0..20 pixels");
        if (!(NoiseStd >= 0 && NoiseStd <= 128)) throw new ArgumentOutOfRangeException(nameof(NoiseStd), $"NoiseStd {NoiseStd}: expected 0..128 grey levels");
        if (DownsampleFactor is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(DownsampleFactor), $"DownsampleFactor {DownsampleFactor}: expected 1..16");
    }
}
