using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>
/// Guidance scale per original timestep t. Constant: w. Power-cosine (MDT <c>forward_with_cfg</c>):
/// s(t) = (1 − cos(π·(1 − t/T)^pow))/2, w_eff = (w − 1)·s(t) + 1 — about 1 at high noise, rising to w at t → 0.
/// </summary>
/// <param name="Scale">w (1 = no guidance).</param>
/// <param name="Power">pow of the power-cosine schedule, or null for a constant scale.</param>
/// <param name="NumTimesteps">T of the original process (MDT's <c>diffusion_steps</c> = 1000).</param>
public sealed record GuidanceSchedule(double Scale, double? Power, int NumTimesteps)
{
    /// <summary>w at every step (DiT).</summary>
    public static GuidanceSchedule Constant(double scale) => new(scale, null, 1000);

    /// <summary>MDT's power-cosine schedule (FID: w = 3.8, pow = 4).</summary>
    public static GuidanceSchedule PowerCosine(double scale, double power = 4.0, int numTimesteps = 1000)
    {
        if (numTimesteps < 1) throw new ArgumentOutOfRangeException(nameof(numTimesteps), numTimesteps, "numTimesteps must be at least 1");
        return new GuidanceSchedule(scale, power, numTimesteps);
    }

    /// <summary>True when the output is the conditional one at every step (w = 1), so no unconditional pass is needed.</summary>
    public bool IsIdentity => Scale == 1.0;

    /// <summary>w_eff at original timestep <paramref name="t"/>, in float64.</summary>
    public double ScaleAt(double t)
    {
        if (Power is not double pow) return Scale;
        double s = (1 - Math.Cos(Math.Pow(1 - t / NumTimesteps, pow) * Math.PI)) / 2;
        return (Scale - 1) * s + 1;
    }

    /// <summary>w_eff per sample (float32, shape N) for int64 original timesteps, computed on their device in float32 as MDT does.</summary>
    public Tensor Scales(Tensor originalTimesteps)
    {
        if (Power is not double pow)
            return torch.full([originalTimesteps.shape[0]], Scale, ScalarType.Float32, originalTimesteps.device);
        var tf = originalTimesteps.to(ScalarType.Float32) / (double)NumTimesteps;
        var s = (1 - ((1 - tf).pow(pow) * Math.PI).cos()) * 0.5;
        return (Scale - 1) * s + 1;
    }
}
