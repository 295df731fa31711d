using DiffusionLab.Diffusion;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;

namespace DiffusionLab.StoryDiffusion;

/// <summary>How a transition clip is sampled (storydiffusion.md §4: "50-step DDIM, CFG 7.5" at inference [P-B]).</summary>
public sealed record ClipSampling
{
    /// <summary>DDIM steps (at least 2).</summary>
    public int Steps { get; init; } = 50;
    /// <summary>Classifier-free guidance scale; the unconditional pass is the empty prompt without keyframe tokens.</summary>
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>These settings as the sampling pipeline's section (DDIM, η = 0, x̂_0 clipped: our bases draw pixels).</summary>
    public SamplingSection Section(int baseTimesteps)
    {
        string respacing = $"ddim{Steps}";
        try { TimestepRespacing.Space(baseTimesteps, respacing); }
        catch (ArgumentException) { respacing = $"{Steps}"; }
        return new SamplingSection { Sampler = SamplerKind.Ddim, Respacing = respacing, Eta = 0, GuidanceScale = GuidanceScale, ClipDenoised = true };
    }

    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        if (Steps < 2) p.Add($"Sampling.Steps={Steps}: expected at least 2");
        if (!(GuidanceScale >= 0) || double.IsInfinity(GuidanceScale)) p.Add($"Sampling.GuidanceScale={GuidanceScale}: expected a finite number >= 0");
        return p;
    }
}
