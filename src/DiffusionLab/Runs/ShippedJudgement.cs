namespace DiffusionLab.Runs;

/// <summary>A shipped model's own evaluation: the judges' metrics and, in words, the sampling and sample count they were measured with.</summary>
public sealed record ShippedJudgement(IReadOnlyDictionary<string, double> Metrics, string Setting)
{
    /// <summary>The sampling seed of every judgement, so two exports of the same weights judge the same samples.</summary>
    public const long Seed = 1234;

    /// <summary>"DDIM ddim25, guidance 2, 1000 samples": what a judged number depends on besides the weights.</summary>
    public static string Describe(TrainConfig config)
    {
        var s = config.Sampling;
        string guidance = s.GuidanceScale == 1.0 ? "no guidance" : FormattableString.Invariant($"guidance {s.GuidanceScale}") + (s.GuidancePower is { } p ? FormattableString.Invariant($" (power {p})") : "");
        return FormattableString.Invariant($"{s.Sampler.ToString().ToUpperInvariant()} {s.Respacing}, {guidance}, {config.Evaluation.NumSamples} samples, seed {Seed}, {(s.UseEma ? "EMA" : "raw")} weights as shipped (bf16)");
    }
}
