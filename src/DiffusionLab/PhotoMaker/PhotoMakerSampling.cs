using DiffusionLab.Diffusion;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;

namespace DiffusionLab.PhotoMaker;

/// <summary>How <see cref="PhotoMakerPipeline"/> samples (photomaker.md §3.1, §3.2).</summary>
public sealed record PhotoMakerSampling
{
    /// <summary>DDIM steps (at least 2); the paper's evaluation uses DDIM, 50 steps (§3.2).</summary>
    public int Steps { get; init; } = 50;
    /// <summary>Classifier-free guidance scale (paper and demo: 5, §3.2); the unconditional pass is the empty prompt.</summary>
    public double GuidanceScale { get; init; } = 5.0;
    /// <summary>
    /// The demo's "style strength (%)" (slider 15–50, default 20, §3.1): start_merge_step = int(strength/100 · steps),
    /// capped at 30; steps 0..start_merge_step use the text-only prompt, later steps the stacked-ID embedding.
    /// </summary>
    public double StyleStrengthPercent { get; init; } = 20;
    /// <summary>DDIM η (0: deterministic).</summary>
    public double Eta { get; init; } = 0.0;
    /// <summary>Clamp x̂_0 to [−1, 1] each step: on for the workbench's pixel-space bases (see <see cref="SamplingSection.ClipDenoised"/>).</summary>
    public bool ClipDenoised { get; init; } = true;
    /// <summary>PhotoMaker's <c>trigger_word</c> (§1.3).</summary>
    public string Trigger { get; init; } = Text.TriggerPrompt.DefaultTrigger;

    /// <summary>The delayed-conditioning switch for these settings.</summary>
    public int StartMergeStep => DelayedSubjectConditioning.StartMergeStep(StyleStrengthPercent, Steps);

    /// <summary>
    /// These settings as the sampling pipeline's section over a base process of <paramref name="baseTimesteps"/> steps:
    /// DDIM's fixed integer stride where one gives exactly <see cref="Steps"/>, else evenly spaced steps.
    /// </summary>
    public SamplingSection Section(int baseTimesteps)
    {
        string respacing = $"ddim{Steps}";
        try { TimestepRespacing.Space(baseTimesteps, respacing); }
        catch (ArgumentException) { respacing = $"{Steps}"; }
        return new SamplingSection { Sampler = SamplerKind.Ddim, Respacing = respacing, Eta = Eta, GuidanceScale = GuidanceScale, ClipDenoised = ClipDenoised };
    }

    public IReadOnlyList<string> Problems()
    {
        var p = new List<string>();
        // The respaced process keeps at least two timesteps (SpacedDiffusion).
        if (Steps < 2) p.Add($"Sampling.Steps={Steps}: expected at least 2");
        if (!(GuidanceScale >= 0) || double.IsInfinity(GuidanceScale)) p.Add($"Sampling.GuidanceScale={GuidanceScale}: expected a finite number >= 0");
        if (!(StyleStrengthPercent >= 0 && StyleStrengthPercent <= 100)) p.Add($"Sampling.StyleStrengthPercent={StyleStrengthPercent}: expected 0..100");
        if (!(Eta >= 0) || double.IsInfinity(Eta)) p.Add($"Sampling.Eta={Eta}: expected a finite number >= 0");
        if (string.IsNullOrWhiteSpace(Trigger)) p.Add("Sampling.Trigger: expected a word");
        return p;
    }
}
