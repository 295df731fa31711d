using System.Diagnostics;

namespace DiffusionLab.Core;

/// <summary>
/// Measures a loop (steps/s since its first step, ETA, the loss history) and shows each report on an
/// <see cref="IProgressDisplay"/>. As an <see cref="IProgress{T}"/> it takes the samplers' "steps done".
/// </summary>
public sealed class ProgressMeter(IProgressDisplay display, string title, long total, long firstStep = 0) : IProgress<int>
{
    /// <summary>Loss points kept for the sparkline; past it every other point is dropped (the curve's shape stays).</summary>
    public const int MaxLossPoints = 256;

    private static readonly IReadOnlyDictionary<string, double> NoValues = new Dictionary<string, double>();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<double> _losses = [];
    private long _firstStep = firstStep;
    private int _lossStride = 1, _lossSeen;

    /// <summary>A meter on the notebook host's display, or null when no host is registered (then nothing is shown).</summary>
    public static ProgressMeter? OnHost(string title, long total) =>
        ProgressHost.Open(title) is { } display ? new ProgressMeter(display, title, total) : null;

    /// <summary>Reports nothing: passed where a caller shows its own, coarser progress.</summary>
    public static IProgress<int> None { get; } = new NoProgress();

    public IProgressDisplay Display => display;

    /// <summary>Restarts the rate and ETA clock at <paramref name="step"/> (a resumed run starts mid-way).</summary>
    public void StartAt(long step)
    {
        _firstStep = step;
        _clock.Restart();
    }

    public void Report(int value) => Report(value, null);

    public void Report(long step, IReadOnlyDictionary<string, double>? values)
    {
        values ??= NoValues;
        if (values.TryGetValue("loss", out var loss) && double.IsFinite(loss) && _lossSeen++ % _lossStride == 0)
        {
            _losses.Add(loss);
            if (_losses.Count >= MaxLossPoints)
            {
                for (int i = 0; i < _losses.Count / 2; i++) _losses[i] = _losses[2 * i];
                _losses.RemoveRange(_losses.Count / 2, _losses.Count - _losses.Count / 2);
                _lossStride *= 2;
            }
        }
        double elapsed = _clock.Elapsed.TotalSeconds;
        double rate = (step - _firstStep) / Math.Max(elapsed, 1e-9);
        double eta = rate > 0 ? (total - step) / rate : double.NaN;
        display.Show(new ProgressState(title, step, total, rate, eta, values, _losses.ToArray()));
    }

    public void Message(string text) => display.Message(text);

    private sealed class NoProgress : IProgress<int>
    {
        public void Report(int value) { }
    }
}
