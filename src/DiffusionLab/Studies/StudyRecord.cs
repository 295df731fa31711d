namespace DiffusionLab.Studies;

/// <summary>
/// One row of a study's metrics.csv: a training log line or an evaluation of one run and seed. An evaluation may
/// carry more metrics than FD and class accuracy (a text-to-image run's prompt accuracy, structure validity, …):
/// they are <see cref="Extra"/>, one metrics.csv column each.
/// </summary>
public sealed record StudyRecord(string Run, long Seed, long Step, double WallSeconds, double? Loss, double? Fd, double? ClassAccuracy,
    IReadOnlyDictionary<string, double>? Extra = null);
