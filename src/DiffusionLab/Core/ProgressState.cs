namespace DiffusionLab.Core;

/// <summary>
/// Where a long loop stands: step of total, rate and estimated time left, the latest logged values, and the
/// history of its loss (for a sparkline). What an <see cref="IProgressDisplay"/> shows.
/// </summary>
public sealed record ProgressState(
    string Title,
    long Step,
    long Total,
    double StepsPerSecond,
    double EtaSeconds,
    IReadOnlyDictionary<string, double> Values,
    IReadOnlyList<double> Losses)
{
    public bool Finished => Step >= Total;

    /// <summary>The logged values worth showing ("loss 0.12  mse 0.05"), without the step and clock columns.</summary>
    public string ValuesText => string.Join("  ", Values.Where(p => p.Key is not ("step" or "wall_seconds")).Select(p => $"{p.Key} {p.Value:G4}"));

    /// <summary>Seconds as m:ss (h:mm:ss past an hour), "?" when unknown.</summary>
    public static string Duration(double seconds) =>
        double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss") : "?";
}
