using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>
/// Per-timestep weight on the ε-MSE term. <see cref="None"/> (DiT, MDTv1) or Min-SNR-γ (Hang et al. 2023) in its
/// ε-prediction form w(t) = min(SNR_t, γ)/SNR_t with SNR_t = ᾱ_t/(1−ᾱ_t) (MDTv2: γ = 5). Never applied to vb.
/// </summary>
/// <param name="MinSnrGamma">γ, or null for no weighting.</param>
public sealed record LossWeighting(double? MinSnrGamma)
{
    /// <summary>Unweighted MSE.</summary>
    public static LossWeighting None { get; } = new((double?)null);

    /// <summary>Min-SNR-γ; MDTv2 uses γ = 5.</summary>
    public static LossWeighting MinSnr(double gamma = 5.0)
    {
        if (!(gamma > 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "Min-SNR gamma must be a positive finite number");
        return new LossWeighting(gamma);
    }

    /// <summary>"none", "min-snr" (γ = 5) or "min-snr-G" (e.g. "min-snr-5").</summary>
    public static LossWeighting Parse(string text)
    {
        string s = text.Trim().ToLowerInvariant().Replace('_', '-');
        if (s == "none") return None;
        if (s == "min-snr") return MinSnr();
        if (s.StartsWith("min-snr-", StringComparison.Ordinal)
            && double.TryParse(s.AsSpan(8), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double g))
            return MinSnr(g);
        throw new ArgumentException($"unknown loss weighting '{text}': expected 'none', 'min-snr' or 'min-snr-G' (e.g. 'min-snr-5')", nameof(text));
    }

    /// <summary>w(t) for a float32 tensor of SNR_t values; ones when unweighted.</summary>
    public Tensor Weight(Tensor snr)
    {
        if (MinSnrGamma is not double gamma) return torch.ones_like(snr);
        return snr.clamp_max(gamma) / snr;
    }

    /// <inheritdoc/>
    public override string ToString() => MinSnrGamma is double g ? $"min-snr-{g.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "none";
}
