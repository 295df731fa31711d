using System.Diagnostics;

namespace DiffusionLab.Training;

/// <summary>
/// Progress of a long loop: a one-line bar redrawn in place on a terminal (steps/s, ETA, last loss),
/// plain lines every <c>every</c> steps when the output is redirected (CI, files, notebooks).
/// </summary>
public sealed class TrainingProgress(TextWriter output, bool interactive, long totalSteps, long firstStep, int every)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastDraw = TimeSpan.MinValue;
    private long _firstStep = firstStep;

    /// <summary>Restarts the rate and ETA clock at <paramref name="step"/> (a resumed run starts mid-way).</summary>
    public void StartAt(long step)
    {
        _firstStep = step;
        _clock.Restart();
        _lastDraw = TimeSpan.MinValue;
    }

    public static TrainingProgress ForConsole(long totalSteps, long firstStep, int every) =>
        new(Console.Out, !Console.IsOutputRedirected, totalSteps, firstStep, every);

    /// <summary>Progress of another loop (e.g. a pre-training before the stage) to the same output.</summary>
    public TrainingProgress For(long steps, int logEvery) => new(output, interactive, steps, 0, logEvery);

    public void Report(long step, IReadOnlyDictionary<string, double> latest)
    {
        double elapsed = _clock.Elapsed.TotalSeconds;
        double rate = (step - _firstStep) / Math.Max(elapsed, 1e-9);
        double eta = rate > 0 ? (totalSteps - step) / rate : double.NaN;
        string values = string.Join("  ", latest.Where(p => p.Key is not ("step" or "wall_seconds")).Select(p => $"{p.Key} {p.Value:G4}"));
        if (interactive)
        {
            if (_clock.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(200) && step != totalSteps) return;
            _lastDraw = _clock.Elapsed;
            int width = 24, filled = (int)(width * step / Math.Max(totalSteps, 1));
            output.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {step}/{totalSteps}  {rate:F2} steps/s  ETA {Format(eta)}  {values}   ");
            if (step == totalSteps) output.WriteLine();
        }
        else if (step % every == 0 || step == totalSteps)
        {
            output.WriteLine($"step {step}/{totalSteps}  {rate:F2} steps/s  ETA {Format(eta)}  {values}");
        }
    }

    public void Message(string text)
    {
        if (interactive) output.WriteLine();
        output.WriteLine(text);
    }

    private static string Format(double seconds) =>
        double.IsFinite(seconds) ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss") : "?";
}
