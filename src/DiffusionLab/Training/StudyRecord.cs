namespace DiffusionLab.Training;

/// <summary>One row of a study's metrics.csv: a training log line or an evaluation of one run and seed.</summary>
public sealed record StudyRecord(string Run, long Seed, long Step, double WallSeconds, double? Loss, double? Fd, double? ClassAccuracy);
