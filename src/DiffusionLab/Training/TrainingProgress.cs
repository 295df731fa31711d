using DiffusionLab.Core;

namespace DiffusionLab.Training;

/// <summary>
/// Progress of a training loop: steps/s, ETA and the last logged values, on a <see cref="ProgressMeter"/>.
/// To a console it is a bar redrawn in place (plain lines every <c>every</c> steps when redirected); in a
/// notebook whose setup registered a <see cref="ProgressHost"/> it is one updating display.
/// </summary>
public sealed class TrainingProgress
{
    private readonly ProgressMeter _meter;
    private readonly Func<long, int, string, TrainingProgress> _another;

    /// <summary>Progress to <paramref name="output"/> (the notebook host's display instead when it is the console and a host is registered).</summary>
    public TrainingProgress(TextWriter output, bool interactive, long totalSteps, long firstStep, int every, string title = "training")
        : this(ProgressHost.For(output, interactive, every, title), totalSteps, firstStep, title,
            (steps, logEvery, name) => new TrainingProgress(output, interactive, steps, 0, logEvery, name))
    {
    }

    /// <summary>Progress on a given display.</summary>
    public TrainingProgress(IProgressDisplay display, long totalSteps, long firstStep, string title = "training")
        : this(display, totalSteps, firstStep, title, (steps, _, name) => new TrainingProgress(display, steps, 0, name))
    {
    }

    private TrainingProgress(IProgressDisplay display, long totalSteps, long firstStep, string title, Func<long, int, string, TrainingProgress> another)
    {
        _meter = new ProgressMeter(display, title, totalSteps, firstStep);
        _another = another;
    }

    /// <summary>Restarts the rate and ETA clock at <paramref name="step"/> (a resumed run starts mid-way).</summary>
    public void StartAt(long step) => _meter.StartAt(step);

    public static TrainingProgress ForConsole(long totalSteps, long firstStep, int every, string title = "training") =>
        new(Console.Out, !Console.IsOutputRedirected, totalSteps, firstStep, every, title);

    /// <summary>Progress of another loop (e.g. a pre-training before the stage) to the same output.</summary>
    public TrainingProgress For(long steps, int logEvery, string title = "pre-training") => _another(steps, logEvery, title);

    public void Report(long step, IReadOnlyDictionary<string, double> latest) => _meter.Report(step, latest);

    public void Message(string text) => _meter.Message(text);
}
