namespace DiffusionLab.Runs;

/// <summary>
/// provenance.json of a shipped model: where its weights came from (command, revision, device, date, source checkpoint
/// and step, EMA or raw), what it is, and the run's last judged metrics at or before that step (null when the run
/// was never evaluated, as PhotoMaker stages are not). <see cref="Judged"/>: the shipped weights themselves (bf16,
/// loaded as every user loads them) judged with the shipped config's sampler and evaluation, by <c>models export --judge</c>;
/// <see cref="JudgedWith"/> says how (sampler, steps, guidance, samples).
/// </summary>
public sealed record ModelProvenance(
    string Kind,
    string? Preset,
    string Command,
    string GitRevision,
    string Device,
    DateTime Date,
    string SourceCheckpoint,
    long Step,
    string Weights,
    string? Base,
    IReadOnlyDictionary<string, double>? Metrics,
    IReadOnlyDictionary<string, double>? Judged = null,
    string? JudgedWith = null);
