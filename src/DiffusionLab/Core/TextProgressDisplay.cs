namespace DiffusionLab.Core;

/// <summary>
/// Progress as text: a one-line bar redrawn in place on a terminal (steps/s, ETA, latest values), or plain
/// lines every <c>every</c> steps when the output is redirected (CI, files).
/// </summary>
public sealed class TextProgressDisplay(TextWriter output, bool interactive, int every) : IProgressDisplay
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan _lastDraw = TimeSpan.MinValue;

    public void Show(ProgressState state)
    {
        string line = $"{state.Step}/{state.Total}  {state.StepsPerSecond:F2} steps/s  ETA {ProgressState.Duration(state.EtaSeconds)}  {state.ValuesText}";
        if (interactive)
        {
            if (_clock.Elapsed - _lastDraw < TimeSpan.FromMilliseconds(200) && !state.Finished) return;
            _lastDraw = _clock.Elapsed;
            int width = 24, filled = (int)(width * Math.Clamp(state.Step, 0, state.Total) / Math.Max(state.Total, 1));
            output.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {line}   ");
            if (state.Finished) output.WriteLine();
        }
        else if (state.Step % Math.Max(every, 1) == 0 || state.Finished)
        {
            output.WriteLine("step " + line);
        }
    }

    public void Message(string text)
    {
        if (interactive) output.WriteLine();
        output.WriteLine(text);
    }
}
